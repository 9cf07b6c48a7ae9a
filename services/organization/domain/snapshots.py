"""What an event says of a resource: its state as the change left it, in the contract's shape.

Each snapshot holds the resource as the proto message's JSON form (proto field names, enum
names, RFC 3339 times), which the OutboxWriter checks against `<Kind>Snapshot` in
organization_events.proto; the domain imports no generated code. `of` takes an entity or a
read-side view (they share attribute names), so a bulk write snapshots the rows it holds in
memory instead of reading them back. docs/directory.md is the contract.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.common.clock import iso_date, today_in
from services.common.tenancy import etag_of, tenant_name
from services.organization.domain import personal_data as pd
from services.organization.domain.names import member_name, post_name, unit_name


def _time(value: dt.datetime | None) -> str | None:
    # Values are timezone-aware (clock.as_utc); the JSON form of a Timestamp ends in Z.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None


def _present(fields: dict) -> dict:
    """Only what is set: the proto JSON form omits defaults, and the outbox row stays small."""
    return {k: v for k, v in fields.items() if v}


@dataclass(frozen=True)
class TenantSnapshot:
    tenant: dict
    version: int

    @classmethod
    def of(cls, t) -> TenantSnapshot:
        s = t.settings
        return cls(_present(dict(
            name=tenant_name(t.code), code=t.code, display_name=t.display_name, city_code=t.city_code,
            city_display_name=t.city_display_name,
            settings=dict(work_station_min_villages=s.work_station_min_villages,
                          work_station_max_villages=s.work_station_max_villages, time_zone=s.time_zone,
                          locale=s.locale),
            create_time=_time(t.created_at), update_time=_time(t.updated_at), etag=etag_of(t.version),
        )), t.version)


@dataclass(frozen=True)
class UnitSnapshot:
    """member_count is not carried: it changes with every member, the unit's version does not."""

    unit: dict
    version: int

    @classmethod
    def of(cls, u) -> UnitSnapshot:
        tenant = u.tenant
        return cls(_present(dict(
            name=unit_name(tenant, u.id), type=u.type.value, display_name=u.display_name,
            parent=unit_name(tenant, u.parent_id) if u.parent_id else "", state=u.state.value,
            division_code=u.division_code, weak_and_lax=u.weak_and_lax, demonstration_site=u.demonstration_site,
            star_level=u.star_level, merged_into=unit_name(tenant, u.merged_into) if u.merged_into else "",
            create_time=_time(u.created_at), update_time=_time(u.updated_at), etag=etag_of(u.version),
            depth=u.depth, path=u.path,
        )), u.version)


@dataclass(frozen=True)
class MemberSnapshot:
    """Masked as a caller without org.pii sees the member (personal_data_masked), and stricter on
    the phone: an event leaves the service, so it holds no digit of the number at all."""

    member: dict
    version: int

    @classmethod
    def of(cls, m, post_holder: bool | None = None, today: dt.date | None = None) -> MemberSnapshot:
        """`post_holder` None: read it from the view; an entity's caller says it."""
        born = dt.date.fromisoformat(m.birth_date) if m.birth_date else None
        return cls(_present(dict(
            name=member_name(m.tenant, m.id), display_name=m.display_name, gender=m.gender,
            id_card_number=pd.mask_id_card(m.id_card_number), phone=pd.conceal(m.phone),
            unit=unit_name(m.tenant, m.unit_id), status=m.status.value, category=m.category.value,
            education=m.education, age_band=pd.age_band(born, today or today_in()) if born else "",
            post_holder=m.post_holder if post_holder is None else post_holder, state=m.state.value,
            create_time=_time(m.created_at), update_time=_time(m.updated_at), etag=etag_of(m.version),
            personal_data_masked=True,
        )), m.version)


@dataclass(frozen=True)
class PostSnapshot:
    post: dict
    version: int

    @classmethod
    def of(cls, p, member_display_name: str | None = None, concurrent: bool | None = None) -> PostSnapshot:
        """None: read the holder's name and 一肩挑 from the view; an entity's caller says them."""
        tenant = p.tenant
        return cls(_present(dict(
            name=post_name(tenant, p.id), type=p.type.value, unit=unit_name(tenant, p.unit_id),
            member=member_name(tenant, p.member_id),
            member_display_name=p.member_display_name if member_display_name is None else member_display_name,
            start_date=p.start_date.isoformat(), term_end_date=iso_date(p.term_end_date),
            end_date=iso_date(p.end_date), end_reason=p.end_reason, dispatching_organ=p.dispatching_organ,
            concurrent_secretary_director=p.concurrent_secretary_director if concurrent is None else concurrent,
            current=p.end_date is None, create_time=_time(p.created_at), etag=etag_of(p.version),
        )), p.version)
