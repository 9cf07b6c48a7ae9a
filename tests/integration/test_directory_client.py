"""The directory against the real organization service (the `platform` fixture, SQLite and PostgreSQL):
read-through on a miss, the retry on UNAVAILABLE, and a county's resync."""

from __future__ import annotations

import dataclasses
import socket

import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import select

from services.common.auth import mint_token
from services.common.config import DEV_JWT_SECRET
from services.common.directory import directory_handlers
from services.common.directory.client import OrganizationClient, service_token
from services.common.directory.model import id_of, version_of
from services.common.directory.resync import resync_directory
from services.common.errors import FailedPrecondition, NotFound, Unavailable
from services.common.events.consumer import EventConsumer
from services.common.events.envelope import envelope_from_outbox, to_wire
from services.organization.adapters import tables as org_tables
from tests import directory_snapshots as snap
from tests.helpers import County
from tests.integration.directory_service import DIRECTORY, consuming_service


@pytest.fixture
def client(platform):
    client = OrganizationClient(f"127.0.0.1:{platform.port}", service_token(platform.settings, "dirtest"),
                                page_size=2)  # small pages: the lists page through
    yield client
    client.close()


@pytest.fixture
def service(platform, tmp_path, client):
    with consuming_service(platform.backend, tmp_path, platform.settings.database_url) as svc:
        svc.uows.client = client
        yield svc


def stored(service, code, what, *args):
    """What the directory itself holds, asking nobody."""
    client, service.uows.client = service.uows.client, None
    try:
        with service.uows(code, write=False) as uow:
            return getattr(uow.directory, what)(*args)
    finally:
        service.uows.client = client


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_miss_reads_through_to_the_organization_and_stores_the_answer(platform, service):
    county = County(platform)
    town, station, (village,) = county.tree(villages=1)
    member = county.member(village.name, "李四", phone="13800000000")
    vid, mid = id_of(village.name), id_of(member.name)
    with service.uows(county.code) as uow:
        unit, found, tenant = uow.directory.unit(vid), uow.directory.member(mid), uow.directory.tenant()
        uow.commit()
    assert (unit.path, unit.parent_id, unit.depth, unit.type) == (
        f"/{id_of(town.name)}/{id_of(station.name)}/{vid}/", id_of(station.name), 3, "VILLAGE")
    assert unit.version == version_of(village.etag) > 0
    assert (found.display_name, found.unit_id, found.state, found.status) == ("李四", vid, "MEMBER_ACTIVE", "FULL")
    assert (tenant.tenant, tenant.display_name) == (county.code, f"测试县{county.code}")
    assert stored(service, county.code, "unit", vid) == unit
    assert stored(service, county.code, "member", mid) == found
    assert stored(service, county.code, "tenant") == tenant


def test_what_the_organization_does_not_know_is_none_and_nothing_is_stored(platform, service):
    county, other = County(platform), County(platform)
    _, _, (elsewhere,) = other.tree(villages=1)
    with service.uows(county.code) as uow:
        assert uow.directory.unit("u-nowhere") is None
        assert uow.directory.member("m-nowhere") is None
        assert uow.directory.unit(id_of(elsewhere.name)) is None  # another county's unit
        assert uow.directory.unit("bad/../name") is None
        uow.commit()
    assert stored(service, county.code, "unit", id_of(elsewhere.name)) is None


def test_a_read_only_unit_of_work_answers_without_storing(platform, service):
    county = County(platform)
    town = county.unit(pb.TOWNSHIP, "彭镇")
    with service.uows(county.code, write=False) as uow:
        assert uow.directory.unit(id_of(town.name)).display_name == "彭镇"
    assert stored(service, county.code, "unit", id_of(town.name)) is None


def test_an_unreachable_organization_is_unavailable_after_the_attempts_not_a_hang(service):
    down = OrganizationClient(f"127.0.0.1:{closed_port()}", "token", deadline=1.0, attempts=3, backoff=0.01)
    with pytest.raises(Unavailable) as info:
        down.get_unit("610222", "u-1")
    assert info.value.reason == "ORGANIZATION_UNAVAILABLE" and "after 3 attempt(s)" in info.value.en
    assert "组织服务暂不可用" in info.value.zh
    service.uows.client = down
    with pytest.raises(Unavailable), service.uows("610222") as uow:  # a service's RPC answers UNAVAILABLE
        uow.directory.unit("u-1")
    down.close()


def test_a_service_account_without_org_read_is_refused_clearly(platform):
    token = mint_token(DEV_JWT_SECRET, role="system", tenants=["*"], subject="service:dirtest", scopes=["other"])
    refused = OrganizationClient(f"127.0.0.1:{platform.port}", token)
    with pytest.raises(FailedPrecondition) as info:
        refused.get_tenant("610222")
    assert info.value.reason == "ORGANIZATION_REFUSED" and "PERMISSION_DENIED" in info.value.en
    refused.close()


def county_with_posts(county: County):
    town, station, villages = county.tree(villages=3)
    members = [county.member(v.name, f"党员{i}{j}") for i, v in enumerate(villages) for j in range(2)]
    posts = [county.post(pb.SECRETARY, v.name, members[2 * i].name) for i, v in enumerate(villages)]
    return [town, station, *villages], members, posts


def test_a_resync_rebuilds_the_county_and_removes_what_the_organization_no_longer_holds(platform, service, client):
    county = County(platform)
    units, members, posts = county_with_posts(county)
    gone = county.member(units[2].name, "转出")
    county.s.TransferMember(pb.TransferMemberRequest(name=gone.name, to_unit=units[3].name), metadata=county.admin)
    empty = county.unit(pb.VILLAGE, "空村", units[1].name)
    archived = county.s.ArchiveUnit(pb.ArchiveUnitRequest(name=empty.name, reason="撤销"), metadata=county.admin)
    code, vid = county.code, id_of(units[2].name)
    with service.uows(code) as uow:  # what a lost queue left: stale rows, and rows the organization never had
        uow.directory.apply_units([snap.unit(code, vid, f"/{vid}/", 1, display_name="旧名"),
                                   snap.unit(code, "u-phantom", "/u-phantom/", 9)])
        uow.directory.apply_members([snap.member(code, "m-phantom", vid, 1)])
        uow.commit()

    counts = resync_directory(code, service.uows, client)
    assert (counts.units, counts.members, counts.posts, counts.removed) == (6, 7, 3, 2)
    town_id = id_of(units[0].name)
    assert [u.id for u in stored(service, code, "units_in_subtree", town_id)] == [id_of(u.name) for u in [*units, empty]]
    assert stored(service, code, "unit", vid).display_name == "村0"
    assert stored(service, code, "unit", id_of(archived.name)).state == "ARCHIVED"
    assert stored(service, code, "unit", "u-phantom") is None and stored(service, code, "member", "m-phantom") is None
    assert stored(service, code, "member", id_of(gone.name)).unit_id == id_of(units[3].name)
    assert len(stored(service, code, "members_in_subtree", town_id)) == 7
    assert sorted(p.id for p in stored(service, code, "current_posts")) == sorted(id_of(p.name) for p in posts)

    county.s.EndPost(pb.EndPostRequest(name=posts[0].name, reason="换届"), metadata=county.admin)
    assert resync_directory(code, service.uows, client).removed == 1  # an ended post is no current post
    assert id_of(posts[0].name) not in {p.id for p in stored(service, code, "current_posts")}


def test_a_row_an_event_applied_during_the_resync_is_kept(platform, service, client):
    county = County(platform)
    town = county.unit(pb.TOWNSHIP, "彭镇")
    code = county.code

    class EventDuringTheListing:
        def __getattr__(self, name):
            return getattr(client, name)

        def list_members(self, tenant):
            with service.uows(code) as uow:  # a unit_created the organization's list did not include yet
                uow.directory.apply_units([snap.unit(code, "u-new", f"/{id_of(town.name)}/u-new/", 1)])
                uow.commit()
            return client.list_members(tenant)

    counts = resync_directory(code, service.uows, EventDuringTheListing())
    assert (counts.units, counts.removed) == (1, 0)
    assert stored(service, code, "unit", "u-new") is not None


def test_a_resync_of_an_unknown_county_is_not_found(service, client):
    with pytest.raises(NotFound):
        resync_directory("610299", service.uows, client)


def test_the_platform_tells_a_runtime_the_port_it_bound(platform):
    from services.platform import build_server

    target = OrganizationClient.for_service(platform.settings, "dirtest").target
    runtime = dataclasses.replace(platform.runtime("organization"), on_server_bound=target.bind)
    server, port, _ = build_server(platform.settings, [runtime], "127.0.0.1:0")
    server.stop(None)
    assert target() == f"127.0.0.1:{port}"


def rows(service, code) -> dict:
    """Everything the directory holds for a county, as plain tuples (posts as current_posts reads them)."""
    with service.uows(code, write=False) as uow:
        held = {t.name: sorted(tuple(r) for r in uow.conn.execute(
            select(*(c for c in t.columns if c.name != "applied_at")).where(t.c.tenant == code)))
            for t in (DIRECTORY.tenants, DIRECTORY.units, DIRECTORY.members)}
        held["posts"] = uow.directory.current_posts()
    return held


def test_the_organization_events_build_the_directory_a_resync_builds(platform, tmp_path, client):
    county = County(platform)
    town, station, villages = county.tree(villages=3)
    second_town = county.unit(pb.TOWNSHIP, "二镇")
    members = [county.member(v.name, f"党员{i}{j}") for i, v in enumerate(villages) for j in range(3)]
    ended = county.post(pb.SECRETARY, villages[0].name, members[0].name)
    county.post(pb.VILLAGE_DIRECTOR, villages[1].name, members[3].name)
    s, md = county.s, county.admin
    s.MoveUnit(pb.MoveUnitRequest(name=station.name, new_parent=second_town.name), metadata=md)
    s.MergeUnits(pb.MergeUnitsRequest(target=villages[1].name, sources=[villages[2].name], reason="撤并"), metadata=md)
    s.EndPost(pb.EndPostRequest(name=ended.name), metadata=md)
    s.UpdateUnit(pb.UpdateUnitRequest(unit=pb.Unit(name=villages[0].name, display_name="新村", weak_and_lax=True),
                                      update_mask={"paths": ["display_name", "weak_and_lax"]}), metadata=md)
    s.UpdateMember(pb.UpdateMemberRequest(member=pb.Member(name=members[3].name, display_name="改名"),
                                          update_mask={"paths": ["display_name"]}), metadata=md)
    s.TransferMember(pb.TransferMemberRequest(name=members[1].name, to_unit=villages[1].name), metadata=md)
    outbox = org_tables.outbox
    with platform.org_uow(county.code) as uow:
        events = uow.conn.execute(select(outbox).where(outbox.c.tenant == county.code).order_by(outbox.c.seq)).all()
    url = platform.settings.database_url
    with consuming_service(platform.backend, tmp_path, url) as by_events, \
            consuming_service(platform.backend, tmp_path, url) as by_resync:
        consumer = EventConsumer("dirtest", by_events.engine, by_events.uows, directory_handlers())
        assert {consumer.deliver(to_wire(envelope_from_outbox(e))) for e in events} == {"applied"}
        resync_directory(county.code, by_resync.uows, client)
        assert rows(by_events, county.code) == rows(by_resync, county.code)
        # Over the event-fed directory a resync only drops the ended post (a resync keeps current ones).
        assert resync_directory(county.code, by_events.uows, client).removed == 1
