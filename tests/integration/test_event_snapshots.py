"""Organization events carry the state the change left (docs/directory.md), on SQLite and
PostgreSQL through real gRPC: what a directory in another service would read off the outbox."""

from __future__ import annotations

import re

from google.protobuf import field_mask_pb2, json_format
from partybuilding.organization.v1 import organization_events_pb2 as ev
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.tenancy import city_of, etag_of
from services.organization.adapters.spreadsheet import sheet_bytes
from services.organization.demo import CountyShape, county_rows
from services.organization.domain.events import SNAPSHOTS_PER_EVENT
from services.organization.domain.model import TenantSettings
from services.organization.domain.sheet import SETTING, setting_rows
from tests.helpers import County, id_card
from tests.integration.test_import_rpc import _import
from tests.integration.test_outbox import outbox

PHONE = "13912345678"


def events(platform, tenant: str, kind: str) -> list:
    """The tenant's events of one type, decoded as the consumer would (unknown fields refused)."""
    message = getattr(ev, "".join(w.title() for w in kind.split("_")) + "Event")
    return [json_format.ParseDict(payload, message()) for k, payload in outbox(platform, tenant)
            if k == f"organization.{kind}"]


def last(platform, tenant: str, kind: str):
    found = events(platform, tenant, kind)
    assert found, f"no organization.{kind}"
    return found[-1]


def unit_id(unit: pb.Unit) -> str:
    return unit.name.rsplit("/", 1)[-1]


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


def test_unit_events_carry_the_unit_with_its_path_and_version(platform):
    county = County(platform)
    s = platform.stub
    town, station, (village, empty) = county.tree(villages=2)
    created = last(platform, county.code, "unit_created").snapshot
    assert (created.unit.name, created.unit.path, created.version) == (empty.name, empty.path, 1)
    assert village.path == f"/{unit_id(town)}/{unit_id(station)}/{unit_id(village)}/"
    assert created.unit.member_count == 0 and created.unit.etag == etag_of(1)

    renamed = s.UpdateUnit(pb.UpdateUnitRequest(unit=pb.Unit(name=village.name, display_name="新村", star_level=3),
                                                update_mask=mask("display_name", "star_level")), metadata=county.admin)
    updated = last(platform, county.code, "unit_updated")
    assert updated.unit == village.name and list(updated.changed_fields) == ["display_name", "star_level"]
    assert (updated.snapshot.unit.display_name, updated.snapshot.unit.star_level) == ("新村", 3)
    assert updated.snapshot.version == 2 and renamed.etag == etag_of(2) and renamed.path == village.path
    assert updated.snapshot.unit == renamed, "the unit as GetUnit shows it (member_count is not carried)"

    s.ArchiveUnit(pb.ArchiveUnitRequest(name=empty.name), metadata=county.admin)
    archived = last(platform, county.code, "unit_archived").snapshot
    assert (archived.unit.state, archived.version) == (pb.ARCHIVED, 2)


def test_a_move_sends_the_subtree_with_its_new_paths(platform):
    county = County(platform)
    s = platform.stub
    _, station, villages = county.tree(villages=3)
    other = county.unit(pb.TOWNSHIP, "尧生镇")
    moved = s.MoveUnit(pb.MoveUnitRequest(name=station.name, new_parent=other.name), metadata=county.admin)
    new_path = f"/{unit_id(other)}/{unit_id(station)}/"
    assert moved.path == new_path
    event = last(platform, county.code, "unit_moved")
    assert (event.snapshot.unit.path, event.snapshot.unit.parent, event.snapshot.version) == (new_path, other.name, 2)
    (below,) = events(platform, county.code, "resources_changed")
    assert (below.cause, below.source, below.tenant) == ("move", station.name, county.code)
    assert {u.unit.name: (u.unit.path, u.version) for u in below.units} == {
        v.name: (new_path + unit_id(v) + "/", 2) for v in villages}
    again = s.GetUnit(pb.GetUnitRequest(name=villages[0].name), metadata=county.admin)
    assert (again.path, again.etag) == (new_path + unit_id(villages[0]) + "/", etag_of(2))


def test_member_events_are_masked_and_versioned(platform):
    county = County(platform)
    s = platform.stub
    _, _, (v1, v2) = county.tree(villages=2)
    number = id_card("19800101")
    member = county.member(v1.name, "王五", id_card_number=number, phone=PHONE)
    created = last(platform, county.code, "member_created").snapshot
    assert (created.member.name, created.member.unit, created.version) == (member.name, v1.name, 1)
    assert created.member.personal_data_masked and created.member.age_band
    assert not re.search(r"[0-9]", created.member.id_card_number + created.member.phone)
    assert not created.member.birth_date and not created.member.joined_on
    # What a caller without org.pii is answered, but for the phone, of which an event holds no digit.
    seen = s.GetMember(pb.GetMemberRequest(name=member.name), metadata=platform.as_("city", [city_of(county.code)]))
    assert seen.personal_data_masked and seen.phone != created.member.phone == "*" * len(PHONE)
    seen.phone = created.member.phone
    assert created.member == seen

    s.UpdateMember(pb.UpdateMemberRequest(member=pb.Member(name=member.name, education="大专"),
                                          update_mask=mask("education")), metadata=county.admin)
    updated = last(platform, county.code, "member_updated")
    assert list(updated.changed_fields) == ["education"]
    assert (updated.snapshot.member.education, updated.snapshot.version) == ("大专", 2)
    s.TransferMember(pb.TransferMemberRequest(name=member.name, to_unit=v2.name), metadata=county.admin)
    transferred = last(platform, county.code, "member_transferred").snapshot
    assert (transferred.member.unit, transferred.version) == (v2.name, 3)
    # No event of the county holds the number or the phone, or any run of their digits.
    for _, payload in outbox(platform, county.code):
        text = str(payload)
        assert number[6:12] not in text and PHONE[-4:] not in text and PHONE[:3] + "*" not in text


def test_post_events_carry_the_post_and_its_etag(platform):
    county = County(platform)
    _, _, (village,) = county.tree(villages=1)
    post = county.post(pb.SECRETARY, village.name, county.member(village.name).name)
    assert post.etag == etag_of(1)
    assigned = last(platform, county.code, "post_assigned").snapshot
    assert (assigned.post.name, assigned.post.current, assigned.post.member_display_name) == (post.name, True, "张三")
    ended = platform.stub.EndPost(pb.EndPostRequest(name=post.name, reason="调任"), metadata=county.admin)
    snapshot = last(platform, county.code, "post_ended").snapshot
    assert (snapshot.post.current, snapshot.post.end_reason, snapshot.version) == (False, "调任", 2)
    assert ended.etag == etag_of(2) and snapshot.post == ended


def test_a_merge_sends_what_it_moved_into_the_target(platform):
    county = County(platform)
    _, _, (target, source) = county.tree(villages=2)
    group = county.unit(pb.PARTY_GROUP, "第一小组", source.name)
    members = [county.member(source.name, f"党员{i}") for i in range(3)]
    post = county.post(pb.SECRETARY, source.name, members[0].name)
    platform.stub.MergeUnits(pb.MergeUnitsRequest(target=target.name, sources=[source.name]), metadata=county.admin)
    merged = last(platform, county.code, "unit_merged")
    assert merged.target_snapshot.unit.name == target.name and merged.members_moved == 3
    assert [(x.unit.name, x.unit.state, x.version) for x in merged.source_snapshots] == [(source.name, pb.MERGED, 2)]
    ended = last(platform, county.code, "post_ended").snapshot
    assert (ended.post.unit, ended.version) == (source.name, 2)
    (changed,) = events(platform, county.code, "resources_changed")
    assert (changed.cause, changed.source) == ("merge", target.name)
    assert {m.member.name: (m.member.unit, m.version) for m in changed.members} == {
        m.name: (target.name, 2) for m in members}
    assert [(p.post.name, p.post.unit, p.version) for p in changed.posts] == [(post.name, target.name, 3)]
    assert [(u.unit.name, u.unit.parent, u.unit.path, u.version) for u in changed.units] == [
        (group.name, target.name, target.path + unit_id(group) + "/", 2)]


def test_tenant_events_carry_the_settings(platform):
    county = County(platform)
    created = last(platform, county.code, "tenant_created").snapshot
    assert created.tenant.code == county.code and created.version == 1
    platform.stub.UpdateTenant(pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=county.parent, settings=pb.TenantSettings(work_station_max_villages=9)),
        update_mask=mask("settings.work_station_max_villages")), metadata=platform.operator())
    updated = last(platform, county.code, "tenant_updated")
    assert list(updated.changed_fields) == ["settings.work_station_max_villages"]
    assert (updated.snapshot.tenant.settings.work_station_max_villages, updated.snapshot.version) == (9, 2)


def test_an_import_sends_its_rows_in_chunks(platform):
    county = County(platform)
    shape = CountyShape(("彭镇",), stations=2, villages=12, members_per_village=(50, 50))
    rows = [r for r in county_rows(county.code, shape) if r["record"] != SETTING]
    rows = setting_rows(TenantSettings(work_station_max_villages=8)) + rows
    report = _import(platform, county.code, sheet_bytes(rows, ".xlsx"), county.admin)
    assert report.members > SNAPSHOTS_PER_EVENT and report.settings_changed
    chunks = events(platform, county.code, "resources_changed")
    sizes = [len(c.units) + len(c.members) + len(c.posts) for c in chunks]
    assert len(chunks) > 1 and max(sizes) <= SNAPSHOTS_PER_EVENT
    assert sum(sizes) == report.units + report.members + report.posts
    (committed,) = events(platform, county.code, "import_committed")
    assert {(c.cause, c.source) for c in chunks} == {("import", committed.operation)}
    members = [m for c in chunks for m in c.members]
    assert all(m.version == 1 and m.member.personal_data_masked for m in members)
    assert not any(re.search(r"[0-9]", m.member.id_card_number + m.member.phone) for m in members)
    listed = {m.name: m.unit for m in county.members()}
    assert {m.member.name: m.member.unit for m in members} == listed
    assert sum(m.member.post_holder for m in members) == len({p.post.member for c in chunks for p in c.posts})
    settings = last(platform, county.code, "tenant_updated").snapshot
    assert (settings.tenant.settings.work_station_max_villages, settings.version) == (8, 2)
    assert not events(platform, county.code, "member_created"), "one row, one event no more"


def test_a_member_moving_county_is_a_new_member_there(platform):
    here, there = County(platform), County(platform)
    _, _, (village,) = here.tree(villages=1)
    _, _, (dest,) = there.tree(villages=1)
    member = here.member(village.name, "赵六")
    arrived = platform.stub.TransferMember(pb.TransferMemberRequest(name=member.name, to_unit=dest.name),
                                           metadata=platform.operator())
    left = last(platform, here.code, "member_transferred")
    assert (left.member, left.new_member) == (member.name, arrived.name)
    assert (left.snapshot.member.state, left.snapshot.member.name, left.snapshot.version) == (
        pb.TRANSFERRED_OUT, member.name, 2)
    # The outbox row is the new county's own: its envelope's tenant is the new county.
    created = last(platform, there.code, "member_created")
    assert (created.member, created.transferred_from, created.unit) == (arrived.name, member.name, dest.name)
    assert (created.snapshot.member.name, created.snapshot.member.unit, created.snapshot.version) == (
        arrived.name, dest.name, 1)
    assert not events(platform, there.code, "member_transferred")
    assert not [p for k, p in outbox(platform, here.code) if k == "organization.member_created"
                and p["member"] == arrived.name]
