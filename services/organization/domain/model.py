"""Organization entities: plain dataclasses, no ORM, no protobuf."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from services.common import identifiers
from services.common.clock import DEFAULT_TZ


class UnitType(enum.StrEnum):
    TOWNSHIP = "TOWNSHIP"  # 乡镇/街道
    WORK_STATION = "WORK_STATION"  # 党建工作站
    VILLAGE = "VILLAGE"  # 村党组织
    COMMUNITY = "COMMUNITY"  # 社区
    BRANCH = "BRANCH"  # 党支部
    PARTY_GROUP = "PARTY_GROUP"  # 党小组


class UnitState(enum.StrEnum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"
    MERGED = "MERGED"


class MemberStatus(enum.StrEnum):
    FULL = "FULL"  # 正式党员
    PROBATIONARY = "PROBATIONARY"  # 预备党员


class MemberCategory(enum.StrEnum):
    ORDINARY_FARMER = "ORDINARY_FARMER"  # 普通农民党员
    WELL_OFF = "WELL_OFF"  # 致富能手
    POOR = "POOR"  # 困难党员
    MIGRANT = "MIGRANT"  # 外出党员
    ELDERLY = "ELDERLY"  # 年迈党员


class MemberState(enum.StrEnum):
    ACTIVE = "MEMBER_ACTIVE"
    TRANSFERRED_OUT = "TRANSFERRED_OUT"


class PostType(enum.StrEnum):
    SECRETARY = "SECRETARY"  # 书记
    DEPUTY_SECRETARY = "DEPUTY_SECRETARY"  # 副书记
    COMMITTEE_MEMBER = "COMMITTEE_MEMBER"  # 委员
    VILLAGE_DIRECTOR = "VILLAGE_DIRECTOR"  # 村委会主任
    FIRST_SECRETARY = "FIRST_SECRETARY"  # 第一书记
    STATION_CHIEF = "STATION_CHIEF"  # 站长
    STATION_DEPUTY = "STATION_DEPUTY"  # 副站长
    PARTY_AFFAIRS_WORKER = "PARTY_AFFAIRS_WORKER"  # 专职党务工作者
    RESERVE_CADRE = "RESERVE_CADRE"  # 后备干部
    REVITALIZATION_SPECIALIST = "REVITALIZATION_SPECIALIST"  # 乡村振兴工作专员


@dataclass
class TenantSettings:
    """Per-county rules; the shipped defaults are DOMAIN.md's numbers."""

    work_station_min_villages: int = 3
    work_station_max_villages: int = 7
    time_zone: str = DEFAULT_TZ
    locale: str = "zh-CN"


@dataclass
class Tenant:
    code: str
    display_name: str
    city_code: str
    city_display_name: str = ""
    settings: TenantSettings = field(default_factory=TenantSettings)
    version: int = 1
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass
class Unit:
    id: str
    tenant: str
    type: UnitType
    display_name: str
    parent_id: str | None
    path: str
    depth: int
    state: UnitState = UnitState.ACTIVE
    division_code: str = ""
    weak_and_lax: bool = False
    demonstration_site: bool = False
    star_level: int = 0
    merged_into: str | None = None
    version: int = 1
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        # Every way a unit is made (a request, an import row) spells its division code one way.
        self.division_code = identifiers.normalize(self.division_code)

    @property
    def active(self) -> bool:
        return self.state is UnitState.ACTIVE

    def contains(self, other: Unit) -> bool:
        """True when `other` is this unit or lies in its subtree."""
        return other.path.startswith(self.path)


def child_path(parent: Unit | None, unit_id: str) -> str:
    return (parent.path if parent else "/") + unit_id + "/"


@dataclass
class Member:
    id: str
    tenant: str
    unit_id: str
    display_name: str
    gender: str
    id_card_number: str
    phone: str
    status: MemberStatus
    category: MemberCategory
    joined_on: dt.date | None
    education: str
    birth_date: str
    state: MemberState = MemberState.ACTIVE
    version: int = 1
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass
class Post:
    id: str
    tenant: str
    type: PostType
    unit_id: str
    member_id: str
    start_date: dt.date
    term_end_date: dt.date | None = None  # None: no fixed term
    end_date: dt.date | None = None  # None: current
    end_reason: str = ""
    dispatching_organ: str = ""
    origin_unit_id: str | None = None
    created_at: dt.datetime | None = None
    version: int = 1  # grows when the post ends and when a merge moves it

    @property
    def current(self) -> bool:
        return self.end_date is None


@dataclass
class Alliance:
    id: str
    tenant: str
    display_name: str
    lead_unit_id: str
    member_unit_ids: list[str]
    created_at: dt.datetime | None = None


@dataclass
class Pairing:
    id: str
    tenant: str
    organ_display_name: str
    unit_id: str
    start_date: dt.date
    created_at: dt.datetime | None = None


@dataclass
class HistoryEntry:
    """One line of a unit's or member's record (履历)."""

    subject_id: str
    kind: str
    at: dt.datetime
    actor: str
    detail: str = ""
    related: str | None = None
