"""Commands: what a caller asks the organization service to do, reads included, free of transport.

A listing's filter fields (all but `tenant`, `page_size` and `page_token`) are the key its page
tokens are bound to (pagination.Page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.organization.domain.model import (
    MemberCategory,
    MemberStatus,
    PostType,
    TenantSettings,
    UnitType,
)


@dataclass
class CreateTenant:
    code: str
    display_name: str
    city_code: str
    city_display_name: str
    settings: TenantSettings
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class GetTenant:
    code: str


@dataclass
class ListTenants:
    city_code: str = ""
    page_size: int = 0
    page_token: str = ""


@dataclass
class ValidateTenant:
    code: str


@dataclass
class UpdateTenant:
    code: str
    changes: dict  # field path -> new value
    etag: str = ""


@dataclass
class CreateUnit:
    tenant: str
    type: UnitType | None
    display_name: str
    parent_id: str | None
    division_code: str = ""
    weak_and_lax: bool = False
    demonstration_site: bool = False
    star_level: int = 0
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class GetUnit:
    tenant: str
    unit_id: str


@dataclass
class GetUnitPath:
    tenant: str
    unit_id: str


@dataclass
class ListUnitHistory:
    tenant: str
    unit_id: str
    page_size: int = 0
    page_token: str = ""


@dataclass
class UpdateUnit:
    tenant: str
    unit_id: str
    changes: dict
    etag: str = ""


@dataclass
class MoveUnit:
    tenant: str
    unit_id: str
    new_parent_id: str | None
    etag: str = ""
    reason: str = ""


@dataclass
class MergeUnits:
    tenant: str
    target_id: str
    source_ids: list[str]
    reason: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class ArchiveUnit:
    tenant: str
    unit_id: str
    etag: str = ""
    reason: str = ""


@dataclass
class ListUnits:
    tenant: str
    types: list[UnitType] = field(default_factory=list)
    under_id: str | None = None
    show_inactive: bool = False
    page_size: int = 0
    page_token: str = ""


@dataclass
class CreateMember:
    tenant: str
    unit_id: str
    display_name: str
    id_card_number: str
    phone: str = ""
    gender: str | None = None
    status: MemberStatus | None = None
    category: MemberCategory | None = None
    joined_on: str = ""
    education: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class GetMember:
    tenant: str
    member_id: str


@dataclass
class ListMemberHistory:
    tenant: str
    member_id: str
    page_size: int = 0
    page_token: str = ""


@dataclass
class UpdateMember:
    tenant: str
    member_id: str
    changes: dict
    etag: str = ""


@dataclass
class ListMembers:
    tenant: str
    under_id: str | None = None
    status: MemberStatus | None = None
    category: MemberCategory | None = None
    post_holder: bool | None = None
    show_transferred: bool = False
    page_size: int = 0
    page_token: str = ""


@dataclass
class TransferMember:
    tenant: str
    member_id: str
    to_tenant: str
    to_unit_id: str
    reason: str = ""
    etag: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class AssignPost:
    tenant: str
    type: PostType | None
    unit_id: str
    member_id: str
    start_date: str = ""
    term_end_date: str = ""
    dispatching_organ: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class EndPost:
    tenant: str
    post_id: str
    end_date: str = ""
    reason: str = ""


@dataclass
class ListPosts:
    tenant: str
    unit_id: str | None = None
    member_id: str | None = None
    include_history: bool = False
    page_size: int = 0
    page_token: str = ""


@dataclass
class SweepExpiringTerms:
    """The daily sweep of one county; `today` is the county's own date unless given."""

    tenant: str
    today: dt.date | None = None


@dataclass
class CreateAlliance:
    tenant: str
    display_name: str
    lead_unit_id: str
    member_unit_ids: list[str]
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class ListAlliances:
    tenant: str
    unit_id: str = ""
    page_size: int = 0
    page_token: str = ""


@dataclass
class CreatePairing:
    tenant: str
    organ_display_name: str
    unit_id: str
    start_date: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class ListPairings:
    tenant: str
    unit_id: str = ""
    page_size: int = 0
    page_token: str = ""


@dataclass
class ExportOrganization:
    tenant: str


@dataclass
class StartImport:
    """ImportOrganization: the sheet already parsed (its row count known), not yet checked."""

    tenant: str
    rows_total: int
    validate_only: bool = False
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class GetOperation:
    tenant: str
    operation_id: str
