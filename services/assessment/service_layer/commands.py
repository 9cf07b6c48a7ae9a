"""Commands: what a caller asks the assessment service to do, reads included, free of transport.

A listing's filter fields (all but `tenant`, `page_size` and `page_token`) are the key its page
tokens are bound to (pagination.Page). Rounds, results and cases keep their commands in their
own modules beside their use cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.assessment.domain.scheme import Scheme


@dataclass
class CreateScheme:
    tenant: str
    scheme_id: str
    scheme: Scheme  # as the request states it (tenant, id, revision and state are the server's)
    template: str = ""
    validate_only: bool = False
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class GetScheme:
    tenant: str
    scheme_id: str


@dataclass
class ListSchemes:
    tenant: str
    page_size: int = 0
    page_token: str = ""


@dataclass
class UpdateScheme:
    tenant: str
    scheme_id: str
    # {mask path: value}: display_name, description (str), target_kind, period_kind (enum | None),
    # dimensions, sources, negative_items, grades, stages (tuples), result_rules (ResultRules).
    changes: dict = field(default_factory=dict)
    etag: str = ""
    validate_only: bool = False


@dataclass
class PublishScheme:
    tenant: str
    scheme_id: str
    effective_from: str = ""
    etag: str = ""


@dataclass
class ListSchemeRevisions:
    tenant: str
    scheme_id: str
    page_size: int = 0
    page_token: str = ""


@dataclass
class GetSchemeRevision:
    tenant: str
    scheme_id: str
    revision: str


@dataclass
class ResyncDirectory:
    tenant: str
