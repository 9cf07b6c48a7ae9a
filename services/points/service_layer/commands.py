"""Commands: what a caller asks the points service to do, reads included, free of transport.

A listing's filter fields (all but `tenant`, `page_size` and `page_token`) are the key its page
tokens are bound to (pagination.Page). The ledger's and the exchange's commands live in their
own modules beside their use cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.common import identifiers
from services.points.domain.rule_sets import RuleSetContent


class _NamesRuleSet:
    """A command naming a rule set by id: spelt as CreateRuleSet stored it (ｄｒａｆｔ－２ is draft-2),
    so a full-width name finds the rule set its ASCII id names."""

    def __post_init__(self) -> None:
        self.rule_set_id = identifiers.normalize(self.rule_set_id)
        if hasattr(self, "revision"):
            self.revision = identifiers.normalize(self.revision)


@dataclass
class CreateRuleSet:
    tenant: str
    rule_set_id: str
    display_name: str
    description: str
    content: RuleSetContent
    template: str = ""
    validate_only: bool = False
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class GetRuleSet(_NamesRuleSet):
    tenant: str
    rule_set_id: str


@dataclass
class ListRuleSets:
    tenant: str
    page_size: int = 0
    page_token: str = ""


@dataclass
class UpdateRuleSet(_NamesRuleSet):
    tenant: str
    rule_set_id: str
    # {mask path: value}: display_name, description (str), mode (Mode | None), base (int | None),
    # floor, max_quantity (int), thresholds (tuple[Threshold]), rules (tuple[Rule]).
    changes: dict = field(default_factory=dict)
    etag: str = ""
    validate_only: bool = False


@dataclass
class PublishRuleSet(_NamesRuleSet):
    tenant: str
    rule_set_id: str
    effective_from: str
    etag: str = ""


@dataclass
class ListRuleSetRevisions(_NamesRuleSet):
    tenant: str
    rule_set_id: str
    page_size: int = 0
    page_token: str = ""


@dataclass
class GetRuleSetRevision(_NamesRuleSet):
    tenant: str
    rule_set_id: str
    revision: str


@dataclass
class ResyncDirectory:
    tenant: str
