"""Units: build the tree, page through it, change it, move, merge and archive parts of it."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb

from tests.helpers import County, expect

# (child type, parent type or None for the county root, legal?)
PLACEMENTS = [
    (pb.TOWNSHIP, None, True),
    (pb.TOWNSHIP, pb.TOWNSHIP, False),
    (pb.WORK_STATION, pb.TOWNSHIP, True),
    (pb.WORK_STATION, None, False),
    (pb.WORK_STATION, pb.VILLAGE, False),
    (pb.VILLAGE, pb.WORK_STATION, True),
    (pb.VILLAGE, pb.TOWNSHIP, True),
    (pb.VILLAGE, None, False),
    (pb.VILLAGE, pb.VILLAGE, False),
    (pb.COMMUNITY, pb.TOWNSHIP, True),
    (pb.COMMUNITY, pb.WORK_STATION, True),
    (pb.COMMUNITY, pb.BRANCH, False),
    (pb.BRANCH, pb.VILLAGE, True),
    (pb.BRANCH, pb.COMMUNITY, True),
    (pb.BRANCH, pb.TOWNSHIP, True),
    (pb.BRANCH, pb.WORK_STATION, False),
    (pb.PARTY_GROUP, pb.VILLAGE, True),
    (pb.PARTY_GROUP, pb.BRANCH, True),
    (pb.PARTY_GROUP, pb.TOWNSHIP, False),
    (pb.PARTY_GROUP, pb.PARTY_GROUP, False),
]


@pytest.fixture
def county(platform):
    return County(platform)


def test_every_unit_type_under_legal_and_illegal_parents(platform, county):
    town, station, (village,) = county.tree(villages=1)
    community = county.unit(pb.COMMUNITY, "城关社区", town.name)
    branch = county.unit(pb.BRANCH, "第一网格党支部", community.name)
    group = county.unit(pb.PARTY_GROUP, "第一党小组", village.name)
    by_type = {pb.TOWNSHIP: town, pb.WORK_STATION: station, pb.VILLAGE: village, pb.COMMUNITY: community,
               pb.BRANCH: branch, pb.PARTY_GROUP: group}
    for child, parent_type, legal in PLACEMENTS:
        parent = by_type[parent_type].name if parent_type else ""
        label = f"{pb.UnitType.Name(child)} under {pb.UnitType.Name(parent_type) if parent_type else 'county'}"
        if legal:
            made = county.unit(child, "新组织", parent)
            assert made.type == child and made.parent == parent, label
            assert made.depth == (by_type[parent_type].depth + 1 if parent_type else 1)
        else:
            d = expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, child, "非法组织", parent, field="unit.parent")
            assert d.reason == "ILLEGAL_PARENT_TYPE", label
    assert not [u for u in county.units(show_inactive=True) if u.display_name == "非法组织"]


def test_create_unit_validation(platform, county):
    town = county.unit(pb.TOWNSHIP, "彭镇")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.TOWNSHIP, "", field="unit.display_name")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.TOWNSHIP, "   ", field="unit.display_name")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.TOWNSHIP, "镇" * 61, field="unit.display_name")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.UNIT_TYPE_UNSPECIFIED, "无类型", field="unit.type")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.WORK_STATION, "站",
           f"{county.parent}/units/u-nosuchunit", field="unit.parent", reason="UNKNOWN_PARENT")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.WORK_STATION, "站", "units/bad", field="unit.parent")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.TOWNSHIP, "镇", star_level=6, field="unit.star_level")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.TOWNSHIP, "镇", division_code="12ab",
           field="unit.division_code")
    assert [u.name for u in county.units()] == [town.name]


def test_create_unit_is_idempotent_by_request_id(platform, county):
    s = platform.stub
    req = pb.CreateUnitRequest(parent=county.parent, unit=pb.Unit(type=pb.TOWNSHIP, display_name="尧生镇"),
                               request_id="req-town-1")
    first = s.CreateUnit(req, metadata=county.admin)
    again = s.CreateUnit(req, metadata=county.admin)
    assert again.name == first.name
    assert [u.name for u in county.units()] == [first.name]
    other = pb.CreateUnitRequest(parent=county.parent, unit=pb.Unit(type=pb.TOWNSHIP, display_name="别的镇"),
                                 request_id="req-town-1")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.CreateUnit, other, metadata=county.admin,
           field="request_id", reason="REQUEST_ID_REUSED")
    assert [u.name for u in county.units()] == [first.name]


def test_get_unit_and_member_count(platform, county):
    _, _, (village,) = county.tree(villages=1)
    county.member(village.name)
    county.member(village.name, "李四")
    got = platform.stub.GetUnit(pb.GetUnitRequest(name=village.name), metadata=county.admin)
    assert got.display_name == "村0" and got.type == pb.VILLAGE and got.state == pb.ACTIVE
    assert got.member_count == 2
    expect(grpc.StatusCode.NOT_FOUND, platform.stub.GetUnit, pb.GetUnitRequest(name=f"{county.parent}/units/u-none"),
           metadata=county.admin)


def test_list_units_filters_by_type_and_subtree(platform, county):
    town, station, villages = county.tree(villages=3)
    other_town = county.unit(pb.TOWNSHIP, "尧生镇")
    far_village = county.unit(pb.VILLAGE, "远村", other_town.name)
    group = county.unit(pb.PARTY_GROUP, "党小组", villages[0].name)
    assert {u.name for u in county.units(types=[pb.VILLAGE])} == {v.name for v in villages} | {far_village.name}
    assert {u.name for u in county.units(types=[pb.TOWNSHIP, pb.WORK_STATION])} == {town.name, station.name, other_town.name}
    assert {u.name for u in county.units(under=town.name)} == {station.name, group.name} | {v.name for v in villages}
    assert {u.name for u in county.units(under=station.name, types=[pb.VILLAGE])} == {v.name for v in villages}
    assert {u.name for u in county.units(under=other_town.name)} == {far_village.name}
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.ListUnits, pb.ListUnitsRequest(
        parent=county.parent, under=f"{county.parent}/units/u-none"), metadata=county.admin, field="under")


def test_list_units_pages_yield_every_unit_once(platform, county):
    town, station, villages = county.tree(villages=5)
    second = county.unit(pb.WORK_STATION, "第二工作站", town.name)
    more = [county.unit(pb.VILLAGE, f"二站村{i}", second.name) for i in range(4)]
    expected = {town.name, station.name, second.name} | {u.name for u in villages + more}
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = platform.stub.ListUnits(pb.ListUnitsRequest(parent=county.parent, page_size=3, page_token=token),
                                       metadata=county.admin)
        assert len(page.units) <= 3
        seen += [u.name for u in page.units]
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert pages >= 4
    assert sorted(seen) == sorted(expected)


def test_tampered_or_foreign_page_token_is_invalid(platform, county):
    county.tree(villages=3)
    s = platform.stub
    page = s.ListUnits(pb.ListUnitsRequest(parent=county.parent, page_size=2), metadata=county.admin)
    token = page.next_page_token
    assert token
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for bad in (flipped, "garbage!!", token[:10]):
        expect(grpc.StatusCode.INVALID_ARGUMENT, s.ListUnits, pb.ListUnitsRequest(
            parent=county.parent, page_size=2, page_token=bad), metadata=county.admin,
            field="page_token", reason="INVALID_PAGE_TOKEN")
    # A token for one query cannot resume another.
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.ListUnits, pb.ListUnitsRequest(
        parent=county.parent, page_size=2, page_token=token, types=[pb.VILLAGE]), metadata=county.admin,
        field="page_token")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.ListUnits, pb.ListUnitsRequest(
        parent=county.parent, page_size=-1), metadata=county.admin, field="page_size")


def test_update_unit_with_mask_and_etag(platform, county):
    s = platform.stub
    town = county.unit(pb.TOWNSHIP, "彭镇", division_code=f"{county.code}100")
    updated = s.UpdateUnit(pb.UpdateUnitRequest(
        unit=pb.Unit(name=town.name, display_name="彭镇（新）", weak_and_lax=True, star_level=3, etag=town.etag,
                     division_code="999999999"),
        update_mask=field_mask_pb2.FieldMask(paths=["display_name", "weak_and_lax", "star_level"])), metadata=county.admin)
    assert (updated.display_name, updated.weak_and_lax, updated.star_level) == ("彭镇（新）", True, 3)
    assert updated.division_code == f"{county.code}100", "a field outside the mask must not change"
    assert updated.etag != town.etag
    expect(grpc.StatusCode.ABORTED, s.UpdateUnit, pb.UpdateUnitRequest(
        unit=pb.Unit(name=town.name, display_name="过期", etag=town.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["display_name"])), metadata=county.admin, reason="ETAG_MISMATCH")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.UpdateUnit, pb.UpdateUnitRequest(
        unit=pb.Unit(name=town.name, parent=town.name), update_mask=field_mask_pb2.FieldMask(paths=["parent"])),
        metadata=county.admin, field="update_mask")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.UpdateUnit, pb.UpdateUnitRequest(
        unit=pb.Unit(name=town.name, display_name=""), update_mask=field_mask_pb2.FieldMask(paths=["display_name"])),
        metadata=county.admin, field="unit.display_name")
    got = s.GetUnit(pb.GetUnitRequest(name=town.name), metadata=county.admin)
    assert got.display_name == "彭镇（新）" and got.etag == updated.etag
    kinds = [e.kind for e in s.ListUnitHistory(pb.ListUnitHistoryRequest(name=town.name), metadata=county.admin).entries]
    assert kinds == ["CREATED", "RENAMED", "UPDATED"]


def test_move_subtree_keeps_descendants_and_history(platform, county):
    s = platform.stub
    town_a, station_a, (village,) = county.tree(villages=1)
    group = county.unit(pb.PARTY_GROUP, "党小组", village.name)
    town_b = county.unit(pb.TOWNSHIP, "尧生镇")
    moved = s.MoveUnit(pb.MoveUnitRequest(name=station_a.name, new_parent=town_b.name, etag=station_a.etag,
                                          reason="片区调整"), metadata=county.admin)
    assert moved.parent == town_b.name
    path = s.GetUnitPath(pb.GetUnitPathRequest(name=group.name), metadata=county.admin)
    assert [u.display_name for u in path.units] == ["尧生镇", "第一工作站", "村0", "党小组"]
    assert [u.depth for u in path.units] == [1, 2, 3, 4]
    assert {u.name for u in county.units(under=town_b.name)} == {station_a.name, village.name, group.name}
    assert county.units(under=town_a.name) == []
    history = s.ListUnitHistory(pb.ListUnitHistoryRequest(name=station_a.name), metadata=county.admin).entries
    assert [e.kind for e in history] == ["CREATED", "MOVED"]
    assert history[1].related_unit == town_b.name and "彭镇" in history[1].detail and "尧生镇" in history[1].detail
    # Stale etag (the move bumped it).
    expect(grpc.StatusCode.ABORTED, s.MoveUnit, pb.MoveUnitRequest(
        name=station_a.name, new_parent=town_a.name, etag=station_a.etag), metadata=county.admin)


def test_move_refuses_cycles_wrong_types_and_full_stations(platform):
    county = County(platform, work_station_max_villages=3)
    s = platform.stub
    town, full, villages = county.tree(villages=3)
    village = villages[0]
    branch = county.unit(pb.BRANCH, "支部", village.name)
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MoveUnit, pb.MoveUnitRequest(name=village.name, new_parent=branch.name),
           metadata=county.admin, field="new_parent")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MoveUnit, pb.MoveUnitRequest(name=village.name, new_parent=village.name),
           metadata=county.admin, field="new_parent", reason="MOVE_CYCLE")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MoveUnit, pb.MoveUnitRequest(name=full.name, new_parent=village.name),
           metadata=county.admin, field="new_parent")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MoveUnit, pb.MoveUnitRequest(name=branch.name, new_parent=full.name),
           metadata=county.admin, field="new_parent", reason="ILLEGAL_PARENT_TYPE")
    other = county.unit(pb.WORK_STATION, "第二工作站", town.name)
    stray = county.unit(pb.VILLAGE, "外村", other.name)
    d = expect(grpc.StatusCode.INVALID_ARGUMENT, s.MoveUnit, pb.MoveUnitRequest(name=stray.name, new_parent=full.name),
               metadata=county.admin, field="new_parent", reason="WORK_STATION_FULL")
    assert "3" in d.zh
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.VILLAGE, "第四村", full.name, field="unit.parent",
           reason="WORK_STATION_FULL")
    # Nothing moved.
    assert s.GetUnit(pb.GetUnitRequest(name=stray.name), metadata=county.admin).parent == other.name
    assert {u.name for u in county.units(under=full.name, types=[pb.VILLAGE])} == {v.name for v in villages}
    # A township may move to the county root only when it is not already there.
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MoveUnit, pb.MoveUnitRequest(name=town.name), metadata=county.admin,
           field="new_parent")


def test_merge_villages_moves_members_and_posts(platform, county):
    s = platform.stub
    _, station, (keep, gone) = county.tree(villages=2)
    staying = county.member(keep.name, "王五")
    leaving = [county.member(gone.name, f"党员{i}") for i in range(2)]
    secretary = county.post(pb.SECRETARY, gone.name, leaving[0].name, start_date="2024-01-01")
    alliance = s.CreateAlliance(pb.CreateAllianceRequest(parent=county.parent, alliance=pb.Alliance(
        display_name="联盟", lead_unit=gone.name, member_units=[keep.name])), metadata=county.admin)
    merged = s.MergeUnits(pb.MergeUnitsRequest(target=keep.name, sources=[gone.name], reason="撤并村", request_id="m1"),
                          metadata=county.admin)
    assert merged.name == keep.name and merged.member_count == 3
    source = s.GetUnit(pb.GetUnitRequest(name=gone.name), metadata=county.admin)
    assert source.state == pb.MERGED and source.merged_into == keep.name
    assert {m.name for m in county.members(under=keep.name)} == {staying.name} | {m.name for m in leaving}
    for m in leaving:
        assert s.GetMember(pb.GetMemberRequest(name=m.name), metadata=county.admin).unit == keep.name
    # The source's office holders step down (撤并); their record moves with them.
    assert not s.ListPosts(pb.ListPostsRequest(parent=county.parent, unit=keep.name), metadata=county.admin).posts
    posts = s.ListPosts(pb.ListPostsRequest(parent=county.parent, unit=keep.name, include_history=True),
                        metadata=county.admin).posts
    assert [(p.name, p.current, p.end_reason) for p in posts] == [(secretary.name, False, "撤并 / merged")]
    # The merged village leaves the active tree but stays readable with show_inactive.
    assert gone.name not in {u.name for u in county.units()}
    assert gone.name in {u.name for u in county.units(show_inactive=True)}
    kinds_target = [e.kind for e in s.ListUnitHistory(pb.ListUnitHistoryRequest(name=keep.name), metadata=county.admin).entries]
    kinds_source = [e.kind for e in s.ListUnitHistory(pb.ListUnitHistoryRequest(name=gone.name), metadata=county.admin).entries]
    assert "MERGED_FROM" in kinds_target and kinds_source[-1] == "MERGED_INTO"
    # Lead and only member became one village: an alliance of one is dissolved, and the record says so.
    assert "ALLIANCE_DISSOLVED" in kinds_target
    listed = s.ListAlliances(pb.ListAlliancesRequest(parent=county.parent), metadata=county.admin).alliances
    assert alliance.name not in {a.name for a in listed}
    # Retrying the same merge returns the same answer; a merged unit cannot be merged again.
    again = s.MergeUnits(pb.MergeUnitsRequest(target=keep.name, sources=[gone.name], reason="撤并村", request_id="m1"),
                         metadata=county.admin)
    assert again.name == keep.name and again.member_count == 3
    expect(grpc.StatusCode.FAILED_PRECONDITION, s.MergeUnits, pb.MergeUnitsRequest(
        target=keep.name, sources=[gone.name]), metadata=county.admin)


def test_merge_refuses_bad_sources(platform, county):
    s = platform.stub
    town, station, (a, b) = county.tree(villages=2)
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MergeUnits, pb.MergeUnitsRequest(target=a.name), metadata=county.admin,
           field="sources")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MergeUnits, pb.MergeUnitsRequest(target=a.name, sources=[a.name]),
           metadata=county.admin, field="sources")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MergeUnits, pb.MergeUnitsRequest(target=a.name, sources=[station.name]),
           metadata=county.admin, field="sources[0]", reason="MERGE_TYPE_MISMATCH")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MergeUnits, pb.MergeUnitsRequest(
        target=a.name, sources=[b.name, f"{county.parent}/units/u-none"]), metadata=county.admin, field="sources[1]")
    assert s.GetUnit(pb.GetUnitRequest(name=b.name), metadata=county.admin).state == pb.ACTIVE


def test_archive_refused_while_members_remain(platform, county):
    s = platform.stub
    _, station, (village, other) = county.tree(villages=2)
    member = county.member(village.name)
    d = expect(grpc.StatusCode.FAILED_PRECONDITION, s.ArchiveUnit, pb.ArchiveUnitRequest(name=village.name),
               metadata=county.admin, reason="UNIT_HAS_MEMBERS")
    assert d.zh
    expect(grpc.StatusCode.FAILED_PRECONDITION, s.ArchiveUnit, pb.ArchiveUnitRequest(name=station.name),
           metadata=county.admin)
    s.TransferMember(pb.TransferMemberRequest(name=member.name, to_unit=other.name), metadata=county.admin)
    current = s.GetUnit(pb.GetUnitRequest(name=village.name), metadata=county.admin)
    expect(grpc.StatusCode.ABORTED, s.ArchiveUnit, pb.ArchiveUnitRequest(name=village.name, etag='"999"'),
           metadata=county.admin)
    archived = s.ArchiveUnit(pb.ArchiveUnitRequest(name=village.name, etag=current.etag, reason="撤销"),
                             metadata=county.admin)
    assert archived.state == pb.ARCHIVED
    assert village.name not in {u.name for u in county.units()}
    expect(grpc.StatusCode.FAILED_PRECONDITION, county.unit, pb.PARTY_GROUP, "组", village.name)
    kinds = [e.kind for e in s.ListUnitHistory(pb.ListUnitHistoryRequest(name=village.name), metadata=county.admin).entries]
    assert kinds[-1] == "ARCHIVED"


def test_unit_history_pages(platform, county):
    s = platform.stub
    town = county.unit(pb.TOWNSHIP, "镇")
    for i in range(4):
        town = s.UpdateUnit(pb.UpdateUnitRequest(unit=pb.Unit(name=town.name, display_name=f"镇{i}"),
                                                 update_mask=field_mask_pb2.FieldMask(paths=["display_name"])),
                            metadata=county.admin)
    kinds, token = [], ""
    while True:
        page = s.ListUnitHistory(pb.ListUnitHistoryRequest(name=town.name, page_size=2, page_token=token),
                                 metadata=county.admin)
        kinds += [e.detail for e in page.entries]
        token = page.next_page_token
        if not token:
            break
    assert len(kinds) == 5 and kinds[-1] == "镇2 → 镇3"


def test_a_division_code_belongs_to_the_county_and_fits_the_unit_type(platform, county):
    town = county.unit(pb.TOWNSHIP, "彭镇", division_code=f"{county.code}100")
    village = county.unit(pb.VILLAGE, "彭村", town.name, division_code=f"{county.code}100001")
    other = "610203" if county.code != "610203" else "610222"
    for code in ("110101001001", "000000000001", f"{other}100001", f"{county.code}100", county.code):
        d = expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.VILLAGE, "外村", town.name, division_code=code,
                   field="unit.division_code")
        assert d.zh
    for code in ("000000000", f"{other}100", f"{county.code}100001"):
        expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.TOWNSHIP, "外镇", division_code=code,
               field="unit.division_code")
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.UpdateUnit, pb.UpdateUnitRequest(
        unit=pb.Unit(name=village.name, division_code="110101001001"),
        update_mask=field_mask_pb2.FieldMask(paths=["division_code"])), metadata=county.admin,
        field="unit.division_code")
    assert [u.division_code for u in county.units()] == [f"{county.code}100", f"{county.code}100001"]


def test_a_division_code_names_one_unit_of_the_county(platform, county):
    town = county.unit(pb.TOWNSHIP, "彭镇", division_code=f"{county.code}100")
    d = expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.TOWNSHIP, "又一镇", division_code=f"{county.code}100",
               field="unit.division_code", reason="DUPLICATE_DIVISION_CODE")
    assert "彭镇" in d.zh
    village = county.unit(pb.VILLAGE, "彭村", town.name, division_code=f"{county.code}100001")
    other = county.unit(pb.VILLAGE, "尧村", town.name, division_code=f"{county.code}100002")
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.UpdateUnit, pb.UpdateUnitRequest(
        unit=pb.Unit(name=other.name, division_code=village.division_code),
        update_mask=field_mask_pb2.FieldMask(paths=["division_code"])), metadata=county.admin,
        reason="DUPLICATE_DIVISION_CODE")
    # Its own code again is no conflict; a branch names the village it serves.
    platform.stub.UpdateUnit(pb.UpdateUnitRequest(
        unit=pb.Unit(name=village.name, display_name="彭家村", division_code=village.division_code),
        update_mask=field_mask_pb2.FieldMask(paths=["display_name", "division_code"])), metadata=county.admin)
    county.unit(pb.BRANCH, "彭村第一支部", village.name, division_code=village.division_code)
    assert len(county.units()) == 4
