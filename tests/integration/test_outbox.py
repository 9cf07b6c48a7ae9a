"""Events leave through the transactional outbox: the right rows commit with each change."""

from __future__ import annotations

import datetime as dt
import json

import grpc
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import select

from services.common.auth import Principal
from services.common.db import bind_tenant
from services.organization.adapters import tables
from services.organization.service_layer.commands import SweepExpiringTerms
from services.organization.service_layer.posts import sweep_expiring_terms
from tests.helpers import County, expect


def outbox(platform, tenant: str) -> list[tuple[str, dict]]:
    """(type, payload) of a tenant's outbox rows in commit order."""
    with platform.runtime("organization").engine.connect() as conn, conn.begin():
        bind_tenant(conn, "*")  # RLS on PostgreSQL: '*' is the relay's view of every tenant
        rows = conn.execute(select(tables.outbox.c.type, tables.outbox.c.payload, tables.outbox.c.producer)
                            .where(tables.outbox.c.tenant == tenant).order_by(tables.outbox.c.seq)).all()
    assert all(r.producer == "organization" for r in rows)
    return [(r.type, json.loads(r.payload)) for r in rows]


def types(platform, tenant: str) -> list[str]:
    return [kind for kind, _ in outbox(platform, tenant)]


def test_each_change_writes_its_event(platform):
    county = County(platform)
    dest = County(platform)
    s = platform.stub
    assert types(platform, county.code) == ["organization.tenant_created"]
    town, station, (v1, v2) = county.tree(villages=2)
    other_town = county.unit(pb.TOWNSHIP, "尧生镇")
    s.MoveUnit(pb.MoveUnitRequest(name=station.name, new_parent=other_town.name, reason="调整"), metadata=county.admin)
    m = county.member(v1.name)
    leaver = county.member(v2.name, "李四")
    post = county.post(pb.SECRETARY, v1.name, m.name)
    s.EndPost(pb.EndPostRequest(name=post.name), metadata=county.admin)
    s.TransferMember(pb.TransferMemberRequest(name=m.name, to_unit=v2.name), metadata=county.admin)
    s.MergeUnits(pb.MergeUnitsRequest(target=v2.name, sources=[v1.name]), metadata=county.admin)
    empty = county.unit(pb.VILLAGE, "空村", station.name)
    s.ArchiveUnit(pb.ArchiveUnitRequest(name=empty.name, reason="无党员"), metadata=county.admin)
    _, _, (there,) = dest.tree(villages=1)
    s.TransferMember(pb.TransferMemberRequest(name=leaver.name, to_unit=there.name), metadata=platform.operator())

    events = outbox(platform, county.code)
    assert [k for k, _ in events] == [
        "organization.tenant_created",
        "organization.unit_created", "organization.unit_created", "organization.unit_created",
        "organization.unit_created", "organization.unit_created",
        "organization.unit_moved", "organization.resources_changed",  # the station's villages
        "organization.member_created", "organization.member_created",
        "organization.post_assigned", "organization.post_ended",
        "organization.member_transferred",
        "organization.unit_merged", "organization.resources_changed",  # the ended post moved to v2
        "organization.unit_created", "organization.unit_archived",
        "organization.member_transferred",
    ]
    by_type = {}
    for kind, payload in events:
        by_type.setdefault(kind, []).append(payload)
    assert by_type["organization.unit_moved"][0]["new_parent"] == other_town.name
    assert by_type["organization.unit_moved"][0]["old_parent"] == town.name
    merged = by_type["organization.unit_merged"][0]
    assert merged["target"] == v2.name and merged["sources"] == [v1.name]
    assert by_type["organization.post_assigned"][0]["post"] == post.name
    assert by_type["organization.unit_archived"][0]["unit"] == empty.name
    cross = by_type["organization.member_transferred"][1]
    assert cross["member"] == leaver.name and cross["to_unit"] == there.name
    # The destination county hears of the arrival as a member of its own.
    arrivals = [p for k, p in outbox(platform, dest.code) if k == "organization.member_created"]
    assert len(arrivals) == 1 and arrivals[0]["member"].startswith(dest.parent)
    assert arrivals[0]["transferred_from"] == leaver.name


def test_a_refused_call_writes_no_event(platform):
    county = County(platform)
    town = county.unit(pb.TOWNSHIP, "彭镇")
    before = types(platform, county.code)
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.VILLAGE, "村", town.name + "x")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, town.name, id_card_number="1")
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.MoveUnit, pb.MoveUnitRequest(name=town.name),
           metadata=county.admin)
    assert types(platform, county.code) == before


def test_term_sweep_announces_each_expiring_post_once(platform):
    county = County(platform)
    _, station, (village,) = county.tree(villages=1)
    today = dt.date(2026, 3, 1)
    soon = county.post(pb.SECRETARY, village.name, county.member(village.name, "甲").name,
                       start_date="2021-03-01", term_end_date="2026-03-20")
    edge = county.post(pb.FIRST_SECRETARY, village.name, county.member(village.name, "乙").name,
                       start_date="2024-03-01", term_end_date="2026-03-31", dispatching_organ="县财政局")
    county.post(pb.STATION_CHIEF, station.name, county.member(village.name, "丙").name,
                start_date="2021-03-01", term_end_date="2026-06-01")
    ended = county.post(pb.DEPUTY_SECRETARY, village.name, county.member(village.name, "丁").name,
                        start_date="2021-03-01", term_end_date="2026-03-10")
    county.post(pb.COMMITTEE_MEMBER, village.name, county.member(village.name, "戊").name, start_date="2021-03-01")
    platform.stub.EndPost(pb.EndPostRequest(name=ended.name, end_date="2025-01-01"), metadata=county.admin)

    jobs = Principal.operator("jobs")
    due = sweep_expiring_terms(SweepExpiringTerms(county.code, today), platform.org_uow, jobs)
    assert {p.id for p in due} == {soon.name.rsplit("/", 1)[-1], edge.name.rsplit("/", 1)[-1]}
    expiring = [p for k, p in outbox(platform, county.code) if k == "organization.post_term_expiring"]
    assert {(p["post"], p["days_left"]) for p in expiring} == {(soon.name, 19), (edge.name, 30)}
    # The next day's sweep announces nothing again.
    assert sweep_expiring_terms(SweepExpiringTerms(county.code, today + dt.timedelta(days=1)), platform.org_uow, jobs) == []
    again = [p for k, p in outbox(platform, county.code) if k == "organization.post_term_expiring"]
    assert len(again) == 2
