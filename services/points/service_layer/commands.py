"""Commands: what a caller asks the points service to do, reads included, free of transport.

A listing's filter fields (all but `tenant`, `page_size` and `page_token`) are the key its page
tokens are bound to (pagination.Page). The ledger's and the exchange's commands live in their
own modules beside their use cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.points.domain.rule_sets import RuleSetContent


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
class GetRuleSet:
    tenant: str
    rule_set_id: str


@dataclass
class ListRuleSets:
    tenant: str
    page_size: int = 0
    page_token: str = ""


@dataclass
class UpdateRuleSet:
    tenant: str
    rule_set_id: str
    # {mask path: value}: display_name, description (str), mode (Mode | None), base (int | None),
    # floor, max_quantity (int), thresholds (tuple[Threshold]), rules (tuple[Rule]).
    changes: dict = field(default_factory=dict)
    etag: str = ""
    validate_only: bool = False


@dataclass
class PublishRuleSet:
    tenant: str
    rule_set_id: str
    effective_from: str
    etag: str = ""


@dataclass
class ListRuleSetRevisions:
    tenant: str
    rule_set_id: str
    page_size: int = 0
    page_token: str = ""


@dataclass
class GetRuleSetRevision:
    tenant: str
    rule_set_id: str
    revision: str


@dataclass
class ResyncDirectory:
    tenant: str
