"""Alliances (区域党建联盟), pairings (结对共建), and clerks confined to their township."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb

from tests.helpers import County, expect


@pytest.fixture
def county(platform):
    return County(platform)


def test_alliances(platform, county):
    s = platform.stub
    town, station, villages = county.tree(villages=4)
    lead, *rest = villages
    made = s.CreateAlliance(pb.CreateAllianceRequest(parent=county.parent, alliance=pb.Alliance(
        display_name="乡村振兴党建联合体", lead_unit=lead.name, member_units=[v.name for v in rest[:2]])),
        metadata=county.admin)
    assert made.lead_unit == lead.name and sorted(made.member_units) == sorted(v.name for v in rest[:2])
    second = s.CreateAlliance(pb.CreateAllianceRequest(parent=county.parent, alliance=pb.Alliance(
        display_name="第二联盟", lead_unit=rest[2].name, member_units=[rest[0].name])), metadata=county.admin)

    def names(**req):
        return {a.name for a in s.ListAlliances(pb.ListAlliancesRequest(parent=county.parent, **req),
                                                metadata=county.admin).alliances}

    assert names() == {made.name, second.name}
    assert names(unit=lead.name) == {made.name}
    assert names(unit=rest[0].name) == {made.name, second.name}
    assert names(unit=rest[2].name) == {second.name}
    page = s.ListAlliances(pb.ListAlliancesRequest(parent=county.parent, page_size=1), metadata=county.admin)
    assert len(page.alliances) == 1 and page.next_page_token
    rest_page = s.ListAlliances(pb.ListAlliancesRequest(parent=county.parent, page_size=1,
                                                        page_token=page.next_page_token), metadata=county.admin)
    assert {page.alliances[0].name, rest_page.alliances[0].name} == {made.name, second.name}
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.CreateAlliance, pb.CreateAllianceRequest(
        parent=county.parent, alliance=pb.Alliance(display_name="空", lead_unit=lead.name)), metadata=county.admin,
        field="alliance.member_units")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.CreateAlliance, pb.CreateAllianceRequest(
        parent=county.parent, alliance=pb.Alliance(display_name="站", lead_unit=station.name,
                                                   member_units=[lead.name])), metadata=county.admin,
        field="alliance.lead_unit")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.CreateAlliance, pb.CreateAllianceRequest(
        parent=county.parent, alliance=pb.Alliance(display_name="", lead_unit=lead.name,
                                                   member_units=[rest[0].name])), metadata=county.admin,
        field="alliance.display_name")
    assert names() == {made.name, second.name}


def test_pairings(platform, county):
    s = platform.stub
    _, station, (v1, v2) = county.tree(villages=2)
    p1 = s.CreatePairing(pb.CreatePairingRequest(parent=county.parent, pairing=pb.Pairing(
        organ_display_name="县财政局", unit=v1.name, start_date="2024-03-01")), metadata=county.admin)
    p2 = s.CreatePairing(pb.CreatePairingRequest(parent=county.parent, pairing=pb.Pairing(
        organ_display_name="县农业农村局", unit=v2.name)), metadata=county.admin)
    assert p1.start_date == "2024-03-01" and p2.start_date  # defaults to today in the county's zone
    listed = s.ListPairings(pb.ListPairingsRequest(parent=county.parent), metadata=county.admin).pairings
    assert {p.name for p in listed} == {p1.name, p2.name}
    only = s.ListPairings(pb.ListPairingsRequest(parent=county.parent, unit=v1.name), metadata=county.admin).pairings
    assert [(p.name, p.organ_display_name) for p in only] == [(p1.name, "县财政局")]
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.CreatePairing, pb.CreatePairingRequest(
        parent=county.parent, pairing=pb.Pairing(organ_display_name="县委办", unit=station.name)), metadata=county.admin,
        field="pairing.unit")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.CreatePairing, pb.CreatePairingRequest(
        parent=county.parent, pairing=pb.Pairing(organ_display_name="", unit=v1.name)), metadata=county.admin,
        field="pairing.organ_display_name")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.CreatePairing, pb.CreatePairingRequest(
        parent=county.parent, pairing=pb.Pairing(organ_display_name="县委办", unit=v1.name, start_date="2024-13-01")),
        metadata=county.admin, field="pairing.start_date")
    # Pairings follow a merged village to its target.
    s.MergeUnits(pb.MergeUnitsRequest(target=v1.name, sources=[v2.name]), metadata=county.admin)
    moved = s.ListPairings(pb.ListPairingsRequest(parent=county.parent, unit=v1.name), metadata=county.admin).pairings
    assert {p.name for p in moved} == {p1.name, p2.name}


def test_clerk_works_inside_their_township_only(platform, county):
    s = platform.stub
    town, station, (village,) = county.tree(villages=1)
    other_town = county.unit(pb.TOWNSHIP, "尧生镇")
    far = county.unit(pb.VILLAGE, "远村", other_town.name)
    far_member = county.member(far.name, "外镇党员")
    clerk = platform.as_("clerk", [county.code], unit=town.name)
    # Inside: units and members.
    new_village = county.unit(pb.VILLAGE, "新村", station.name, md=clerk)
    assert new_village.parent == station.name
    m = county.member(new_village.name, "新党员", md=clerk)
    assert m.unit == new_village.name and not m.personal_data_masked
    assert county.post(pb.SECRETARY, new_village.name, m.name, md=clerk).current
    assert {x.name for x in county.members(md=clerk)} == {m.name}
    # Outside: refused, and nothing is written.
    for call in (
        lambda: county.unit(pb.PARTY_GROUP, "越权", far.name, md=clerk),
        lambda: county.unit(pb.TOWNSHIP, "越权镇", md=clerk),
        lambda: county.member(far.name, "越权党员", md=clerk),
        lambda: s.GetMember(pb.GetMemberRequest(name=far_member.name), metadata=clerk),
        lambda: s.TransferMember(pb.TransferMemberRequest(name=m.name, to_unit=far.name), metadata=clerk),
        lambda: s.ListMembers(pb.ListMembersRequest(parent=county.parent, under=other_town.name), metadata=clerk),
    ):
        expect(grpc.StatusCode.PERMISSION_DENIED, call)
    assert {u.name for u in county.units(under=other_town.name)} == {far.name}
    assert {x.name for x in county.members(under=other_town.name)} == {far_member.name}
    # Structural changes are for the county admin.
    expect(grpc.StatusCode.PERMISSION_DENIED, s.MoveUnit, pb.MoveUnitRequest(name=new_village.name, new_parent=town.name),
           metadata=clerk, reason="METHOD_NOT_ALLOWED")
    # A clerk token naming no unit may do nothing that needs a subtree.
    loose = platform.as_("clerk", [county.code])
    expect(grpc.StatusCode.PERMISSION_DENIED, county.member, village.name, md=loose)
