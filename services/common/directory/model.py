"""What a service knows of the organization: tenants, units, members, posts, each with its version.

`from_proto` takes either the resource (`Unit`, from a gRPC answer: version read from its etag)
or its snapshot (`UnitSnapshot`, from an event: version carried beside it). Enum fields become
their proto value names. No grpc here: the event worker imports this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from partybuilding.organization.v1 import organization_events_pb2 as events_pb
from partybuilding.organization.v1 import organization_resources_pb2 as pb

from services.common.clock import parse_date


def version_of(etag: str) -> int:
    """`"3"` -> 3; 0 for an empty or unreadable etag (any snapshot with a version beats it)."""
    text = etag.strip().strip('"')
    return int(text) if text.isdigit() else 0


def id_of(name: str) -> str:
    """The last segment of a resource name (`tenants/610222/units/u-7` -> `u-7`); "" for none."""
    return name.rsplit("/", 1)[-1] if name else ""


def tenant_of_name(name: str) -> str:
    """The county code of a resource name (`tenants/610222/...` -> `610222`)."""
    parts = name.split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "tenants" else ""


def _enum_name(enum_type, number: int) -> str:
    # A value added to the proto after this build is kept as its number, not refused.
    try:
        return enum_type.Name(number)
    except ValueError:
        return str(number)


def _resource(message, resource_cls, snapshot_cls, field: str):
    """(resource, version) of a resource or of its snapshot."""
    if isinstance(message, snapshot_cls):
        return getattr(message, field), message.version
    if isinstance(message, resource_cls):
        return message, version_of(message.etag)
    raise TypeError(f"expected {resource_cls.__name__} or {snapshot_cls.__name__}, got {type(message).__name__}")


@dataclass(frozen=True)
class DirectoryTenant:
    """A county (县) as the organization describes it."""

    tenant: str
    display_name: str
    city_code: str
    city_display_name: str
    time_zone: str
    locale: str
    version: int

    @property
    def id(self) -> str:
        return self.tenant

    @classmethod
    def from_proto(cls, message: pb.Tenant | events_pb.TenantSnapshot) -> DirectoryTenant:
        t, version = _resource(message, pb.Tenant, events_pb.TenantSnapshot, "tenant")
        return cls(t.code or tenant_of_name(t.name), t.display_name, t.city_code, t.city_display_name,
                   t.settings.time_zone, t.settings.locale, version)


@dataclass(frozen=True)
class DirectoryUnit:
    """A unit of the tree (乡镇, 工作站, 村, 支部...) with its materialized path."""

    tenant: str
    id: str
    parent_id: str | None
    path: str
    depth: int
    type: str
    display_name: str
    state: str
    merged_into: str | None
    weak_and_lax: bool
    demonstration_site: bool
    star_level: int
    division_code: str
    version: int

    @property
    def active(self) -> bool:
        return self.state == "ACTIVE"

    @classmethod
    def from_proto(cls, message: pb.Unit | events_pb.UnitSnapshot) -> DirectoryUnit:
        u, version = _resource(message, pb.Unit, events_pb.UnitSnapshot, "unit")
        return cls(
            tenant=tenant_of_name(u.name), id=id_of(u.name), parent_id=id_of(u.parent) or None, path=u.path,
            depth=u.depth, type=_enum_name(pb.UnitType, u.type), display_name=u.display_name,
            state=_enum_name(pb.UnitState, u.state), merged_into=id_of(u.merged_into) or None,
            weak_and_lax=u.weak_and_lax, demonstration_site=u.demonstration_site, star_level=u.star_level,
            division_code=u.division_code, version=version,
        )


@dataclass(frozen=True)
class DirectoryMember:
    """A party member (党员) as anyone without org.pii sees them: no ID number, no phone.

    Whether they hold a post is `Directory.current_posts(member_id=...)`: the organization derives
    `Member.post_holder` from its posts without a new member version, so a stored copy would go stale.
    """

    tenant: str
    id: str
    unit_id: str
    display_name: str
    gender: str
    status: str
    category: str
    state: str
    age_band: str
    version: int

    @property
    def active(self) -> bool:
        return self.state == "MEMBER_ACTIVE"

    @classmethod
    def from_proto(cls, message: pb.Member | events_pb.MemberSnapshot) -> DirectoryMember:
        m, version = _resource(message, pb.Member, events_pb.MemberSnapshot, "member")
        return cls(
            tenant=tenant_of_name(m.name), id=id_of(m.name), unit_id=id_of(m.unit), display_name=m.display_name,
            gender=_enum_name(pb.Gender, m.gender), status=_enum_name(pb.MemberStatus, m.status),
            category=_enum_name(pb.MemberCategory, m.category), state=_enum_name(pb.MemberState, m.state),
            age_band=m.age_band, version=version,
        )


@dataclass(frozen=True)
class DirectoryPost:
    """A post (职务: 书记, 村委会主任...) held by a member in a unit."""

    tenant: str
    id: str
    type: str
    unit_id: str
    member_id: str
    member_display_name: str
    start_date: dt.date | None
    term_end_date: dt.date | None
    end_date: dt.date | None
    current: bool
    version: int

    @classmethod
    def from_proto(cls, message: pb.Post | events_pb.PostSnapshot) -> DirectoryPost:
        p, version = _resource(message, pb.Post, events_pb.PostSnapshot, "post")
        return cls(
            tenant=tenant_of_name(p.name), id=id_of(p.name), type=_enum_name(pb.PostType, p.type),
            unit_id=id_of(p.unit), member_id=id_of(p.member), member_display_name=p.member_display_name,
            start_date=parse_date(p.start_date), term_end_date=parse_date(p.term_end_date),
            end_date=parse_date(p.end_date), current=p.current, version=version,
        )


class OrganizationReader(Protocol):
    """What the directory asks the owner on a miss (`client.OrganizationClient`): None when absent."""

    def get_tenant(self, tenant: str) -> DirectoryTenant | None: ...

    def get_unit(self, tenant: str, unit_id: str) -> DirectoryUnit | None: ...

    def get_member(self, tenant: str, member_id: str) -> DirectoryMember | None: ...
