"""Proto <-> domain: the only place that knows both."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from google.protobuf.timestamp_pb2 import Timestamp
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.auth import Principal
from services.common.clock import iso_date, today_in
from services.common.errors import InvalidArgument
from services.common.identifiers import mask_phone
from services.common.tenancy import etag_of, parse_name, tenant_name
from services.common.uow import fingerprint
from services.organization.domain import personal_data as pd
from services.organization.domain.model import (
    Alliance,
    HistoryEntry,
    MemberCategory,
    MemberStatus,
    Pairing,
    PostType,
    Tenant,
    TenantSettings,
    UnitState,
    UnitType,
)
from services.organization.domain.names import (
    alliance_name,
    member_name,
    pairing_name,
    post_name,
    unit_name,
)
from services.organization.domain.rules import Finding

if TYPE_CHECKING:  # views are built by the read side (adapters/queries.py); mapping only reads them
    from services.organization.adapters.queries import MemberView, PostView, UnitView

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _proto_values(proto_enum, domain_enum) -> dict:
    """Domain enum member -> proto enum number; the names are the same by design."""
    return {member: proto_enum.Value(member.value) for member in domain_enum}


# Looked up per unit of a page: a dict beats Enum.value + EnumTypeWrapper.Value by ~4x.
_UNIT_TYPE = _proto_values(pb.UnitType, UnitType)
_UNIT_STATE = _proto_values(pb.UnitState, UnitState)


def ts(value: dt.datetime | None) -> Timestamp | None:
    # Arithmetic instead of Timestamp.FromDatetime: a page of units holds 200 timestamps and
    # FromDatetime (utctimetuple + timegm) was a tenth of ListUnits' time.
    if value is None:
        return None
    delta = value - _EPOCH  # values are timezone-aware (clock.as_utc)
    return Timestamp(seconds=delta.days * 86400 + delta.seconds, nanos=delta.microseconds * 1000)


def _stamp(value: dt.datetime) -> dict:
    """A Timestamp as keyword values: a message field given a dict is filled in place, where a
    Timestamp object would be built and then copied (views' datetimes are aware, clock.as_utc)."""
    delta = value - _EPOCH
    return {"seconds": delta.days * 86400 + delta.seconds, "nanos": delta.microseconds * 1000}


def request_fingerprint(request) -> str:
    """Hash of the request minus its request_id: the same body retried hashes the same."""
    clone = type(request)()
    clone.CopyFrom(request)
    clone.ClearField("request_id")
    return fingerprint(clone.SerializeToString(deterministic=True))


def enum_value(enum_cls, proto_enum, value: int, field_path: str, required: bool = True):
    """Proto enum number -> domain enum; unspecified is None (or an error when required)."""
    if value == 0 and not required:
        return None
    try:
        name = proto_enum.Name(value)
        return enum_cls(name) if value else None
    except ValueError:
        raise InvalidArgument.field(field_path, f"未知的取值 {value}", f"unknown value {value}") from None


# ---------------------------------------------------------------- names

def tenant_code(name: str, field_path: str = "name") -> str:
    return parse_name(name, field_path, None).tenant


def unit_id(name: str, tenant: str, field_path: str) -> str:
    parsed = parse_name(name, field_path, "units")
    _same_tenant(parsed.tenant, tenant, field_path)
    return parsed.id


def member_id(name: str, tenant: str, field_path: str) -> str:
    parsed = parse_name(name, field_path, "members")
    _same_tenant(parsed.tenant, tenant, field_path)
    return parsed.id


def _same_tenant(got: str, want: str, field_path: str) -> None:
    if got != want:
        raise InvalidArgument.field(field_path, f"应属于县 {want}", f"must belong to tenants/{want}, not tenants/{got}",
                                    "CROSS_TENANT_REFERENCE")


def optional_unit_id(name: str, tenant: str, field_path: str) -> str | None:
    return unit_id(name, tenant, field_path) if name else None


# ---------------------------------------------------------------- to proto

def settings_from_proto(s: pb.TenantSettings) -> TenantSettings:
    d = TenantSettings()
    return TenantSettings(
        work_station_min_villages=s.work_station_min_villages or d.work_station_min_villages,
        work_station_max_villages=s.work_station_max_villages or d.work_station_max_villages,
        time_zone=s.time_zone or d.time_zone,
        locale=s.locale or d.locale,
    )


def tenant_to_proto(t: Tenant) -> pb.Tenant:
    return pb.Tenant(
        name=tenant_name(t.code), code=t.code, display_name=t.display_name, city_code=t.city_code,
        city_display_name=t.city_display_name,
        settings=pb.TenantSettings(
            work_station_min_villages=t.settings.work_station_min_villages,
            work_station_max_villages=t.settings.work_station_max_villages,
            time_zone=t.settings.time_zone, locale=t.settings.locale,
        ),
        create_time=ts(t.created_at), update_time=ts(t.updated_at), etag=etag_of(t.version),
    )


def _unit_fields(u: UnitView) -> dict:
    tenant = u.tenant
    return dict(
        name=unit_name(tenant, u.id), type=_UNIT_TYPE[u.type], display_name=u.display_name,
        parent=unit_name(tenant, u.parent_id) if u.parent_id else "", state=_UNIT_STATE[u.state],
        division_code=u.division_code, weak_and_lax=u.weak_and_lax, demonstration_site=u.demonstration_site,
        star_level=u.star_level, merged_into=unit_name(tenant, u.merged_into) if u.merged_into else "",
        member_count=u.member_count, create_time=_stamp(u.created_at), update_time=_stamp(u.updated_at),
        etag=etag_of(u.version), depth=u.depth, path=u.path,
    )


def unit_to_proto(u: UnitView) -> pb.Unit:
    return pb.Unit(**_unit_fields(u))


def add_units(into, views: list[UnitView]) -> None:
    """Append to a repeated Unit field in place: a page is never built twice."""
    add = into.add
    for u in views:
        add(**_unit_fields(u))


def member_to_proto(m: MemberView, who: Principal) -> pb.Member:
    """A caller who may not see personal data gets nothing that narrows the ID number below about
    a million candidates: no digit of it, no birth or joining date; gender and an age band."""
    clear = who.sees_personal_data
    born = dt.date.fromisoformat(m.birth_date) if m.birth_date else None
    return pb.Member(
        name=member_name(m.tenant, m.id), display_name=m.display_name, gender=pb.Gender.Value(m.gender or "GENDER_UNSPECIFIED"),
        id_card_number=m.id_card_number if clear else pd.mask_id_card(m.id_card_number),
        phone=m.phone if who.sees_phones else mask_phone(m.phone),
        unit=unit_name(m.tenant, m.unit_id), status=pb.MemberStatus.Value(m.status.value),
        category=pb.MemberCategory.Value(m.category.value), joined_on=iso_date(m.joined_on) if clear else "",
        education=m.education, birth_date=m.birth_date if clear else "",
        age_band=pd.age_band(born, today_in()) if born else "", post_holder=m.post_holder,
        state=pb.MemberState.Value(m.state.value), create_time=ts(m.created_at), update_time=ts(m.updated_at),
        etag=etag_of(m.version), personal_data_masked=not clear,
    )


def post_to_proto(p: PostView) -> pb.Post:
    return pb.Post(
        name=post_name(p.tenant, p.id), type=pb.PostType.Value(p.type.value), unit=unit_name(p.tenant, p.unit_id),
        member=member_name(p.tenant, p.member_id), member_display_name=p.member_display_name,
        start_date=p.start_date.isoformat(), term_end_date=iso_date(p.term_end_date), end_date=iso_date(p.end_date),
        end_reason=p.end_reason,
        dispatching_organ=p.dispatching_organ, concurrent_secretary_director=p.concurrent_secretary_director,
        current=p.current, create_time=ts(p.created_at), etag=etag_of(p.version),
    )


def alliance_to_proto(a: Alliance) -> pb.Alliance:
    return pb.Alliance(
        name=alliance_name(a.tenant, a.id), display_name=a.display_name,
        lead_unit=unit_name(a.tenant, a.lead_unit_id), member_units=[unit_name(a.tenant, u) for u in a.member_unit_ids],
        create_time=ts(a.created_at),
    )


def pairing_to_proto(p: Pairing) -> pb.Pairing:
    return pb.Pairing(
        name=pairing_name(p.tenant, p.id), organ_display_name=p.organ_display_name,
        unit=unit_name(p.tenant, p.unit_id), start_date=p.start_date.isoformat(), create_time=ts(p.created_at),
    )


def history_to_proto(tenant: str, e: HistoryEntry) -> pb.UnitHistoryEntry:
    return pb.UnitHistoryEntry(
        unit=unit_name(tenant, e.subject_id), kind=e.kind, time=ts(e.at), actor=e.actor, detail=e.detail,
        related_unit=unit_name(tenant, e.related) if e.related else "",
    )


def finding_to_proto(f: Finding) -> pb.Finding:
    return pb.Finding(severity=pb.Finding.Severity.Value(f.severity), code=f.code, unit=unit_name(f.unit.tenant, f.unit.id),
                      message=f.en, message_zh=f.zh)


# ---------------------------------------------------------------- from proto

def unit_type(value: int, field_path: str) -> UnitType | None:
    return enum_value(UnitType, pb.UnitType, value, field_path, required=False)


def post_type(value: int, field_path: str) -> PostType | None:
    return enum_value(PostType, pb.PostType, value, field_path, required=False)


def member_status(value: int, field_path: str) -> MemberStatus | None:
    return enum_value(MemberStatus, pb.MemberStatus, value, field_path, required=False)


def member_category(value: int, field_path: str) -> MemberCategory | None:
    return enum_value(MemberCategory, pb.MemberCategory, value, field_path, required=False)


def gender(value: int, field_path: str) -> str | None:
    if value == 0:
        return None
    try:
        return pb.Gender.Name(value)
    except ValueError:
        raise InvalidArgument.field(field_path, f"未知的取值 {value}", f"unknown value {value}") from None
