"""Merges and archives keep the invariants the single operations keep (issue 6, items 11-13)."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.organization.domain.sheet import rows_from_dicts
from services.organization.service_layer.bulk_import import export_rows, import_rows
from tests.helpers import County, as_if_moved_away, expect


@pytest.fixture
def county(platform):
    return County(platform)


def _current(county, unit: str) -> list[tuple[int, str]]:
    posts = county.s.ListPosts(pb.ListPostsRequest(parent=county.parent, unit=unit), metadata=county.admin).posts
    return sorted((p.type, p.member) for p in posts)


def _export_imports(platform, county) -> None:
    """The county's export passes every check of an import into a fresh county (checked, not
    written; as if from another platform, since one person is active in one county of one)."""
    fresh = platform.new_county()
    rows = rows_from_dicts(export_rows(platform.org_uow(county.code, write=False)))
    as_if_moved_away(platform, county.code)
    report = import_rows(rows, platform.org_uow(fresh), dry_run=True)
    assert report.ok and report.members, report.problems


def test_merging_two_staffed_villages_leaves_one_secretary_and_one_director(platform, county):
    _, _, (target, source) = county.tree(villages=2)
    staff = {}
    for village in (target, source):
        sec, director = county.member(village.name, "书记"), county.member(village.name, "主任")
        county.post(pb.SECRETARY, village.name, sec.name)
        county.post(pb.VILLAGE_DIRECTOR, village.name, director.name)
        staff[village.name] = sorted([(pb.SECRETARY, sec.name), (pb.VILLAGE_DIRECTOR, director.name)])
    county.s.MergeUnits(pb.MergeUnitsRequest(target=target.name, sources=[source.name]), metadata=county.admin)
    assert _current(county, target.name) == staff[target.name]
    # The target's limits still hold for what comes next, as after any AssignPost.
    newcomer = county.member(target.name, "新书记")
    expect(grpc.StatusCode.FAILED_PRECONDITION, county.post, pb.SECRETARY, target.name, newcomer.name,
           reason="POST_FULL")
    _export_imports(platform, county)


def test_archiving_a_unit_with_a_current_post_is_refused_until_it_ends(platform, county):
    _, station, villages = county.tree(villages=1)
    chief = county.member(villages[0].name, "站长")
    post = county.post(pb.STATION_CHIEF, station.name, chief.name)
    county.s.MoveUnit(pb.MoveUnitRequest(name=villages[0].name, new_parent=station.parent), metadata=county.admin)
    expect(grpc.StatusCode.FAILED_PRECONDITION, county.s.ArchiveUnit, pb.ArchiveUnitRequest(name=station.name),
           metadata=county.admin, reason="UNIT_HAS_CURRENT_POSTS")
    county.s.EndPost(pb.EndPostRequest(name=post.name, reason="调整"), metadata=county.admin)
    archived = county.s.ArchiveUnit(pb.ArchiveUnitRequest(name=station.name), metadata=county.admin)
    assert archived.state == pb.ARCHIVED
    _export_imports(platform, county)


def _alliance(county, lead, *members) -> pb.Alliance:
    return county.s.CreateAlliance(pb.CreateAllianceRequest(parent=county.parent, alliance=pb.Alliance(
        display_name=f"联盟{lead.display_name}", lead_unit=lead.name, member_units=[m.name for m in members])),
        metadata=county.admin)


def test_alliances_follow_a_merge(platform, county):
    _, _, (target, source, other, third) = county.tree(villages=4)
    both = _alliance(county, other, source, target)      # source and target both members
    led = _alliance(county, target, source, third)       # the target leads, the source is a member
    follows = _alliance(county, source, target, third)   # the source leads, the target is a member
    single = _alliance(county, third, source)            # the source is the only member
    county.s.MergeUnits(pb.MergeUnitsRequest(target=target.name, sources=[source.name]), metadata=county.admin)
    after = {a.name: (a.lead_unit, list(a.member_units)) for a in county.s.ListAlliances(
        pb.ListAlliancesRequest(parent=county.parent), metadata=county.admin).alliances}
    assert after[both.name] == (other.name, [target.name])
    assert after[led.name] == (target.name, [third.name])
    assert after[follows.name] == (target.name, [third.name])
    assert after[single.name] == (third.name, [target.name])
    for lead, members in after.values():
        assert lead not in members and source.name not in members
