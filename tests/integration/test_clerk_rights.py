"""The clerk's rights table (entrypoints/policy.CLERK), cell by cell (issue 6, item 14).

Each RPC is called by a clerk of one township on something inside it and on the same kind of
thing in another township: COUNTY_READ answers both, SUBTREE_* the inside one only, NEVER none.
"""

from __future__ import annotations

from types import SimpleNamespace

import grpc
import pytest
from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.policy import Clerk
from services.organization.entrypoints.policy import CLERK
from tests.conftest import fresh_county_code
from tests.helpers import County, expect, id_card


def _mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


@pytest.fixture(scope="module")
def world(platform):
    """The clerk's township (inside) and another (outside), each with a station, two villages,
    a member and a post."""
    county = County(platform)
    sides = {}
    for side, name in (("inside", "彭镇"), ("outside", "尧生镇")):
        town = county.unit(pb.TOWNSHIP, name)
        station = county.unit(pb.WORK_STATION, f"{name}工作站", town.name)
        village, village2 = (county.unit(pb.VILLAGE, f"{name}村{i}", station.name) for i in range(2))
        member = county.member(village.name, f"{name}党员")
        post = county.post(pb.COMMITTEE_MEMBER, village.name, member.name)
        sides[side] = SimpleNamespace(town=town, station=station, village=village, village2=village2,
                                      member=member, post=post)
    clerk = platform.as_("clerk", [county.code], unit=sides["inside"].town.name)
    return SimpleNamespace(county=county, s=platform.stub, clerk=clerk, **sides)


def _call(w, rpc: str, at: SimpleNamespace):
    """One request of `rpc` about things in `at`; fresh objects come from the admin."""
    c, s, parent = w.county, w.s, w.county.parent
    md = {"metadata": w.clerk}
    fresh = lambda: c.member(at.village.name, "新党员")  # noqa: E731
    calls = {
        "CreateTenant": lambda: s.CreateTenant(pb.CreateTenantRequest(tenant=pb.Tenant(
            code=fresh_county_code(), display_name="越权县")), **md),
        "GetTenant": lambda: s.GetTenant(pb.GetTenantRequest(name=parent), **md),
        "ListTenants": lambda: s.ListTenants(pb.ListTenantsRequest(), **md),
        "UpdateTenant": lambda: s.UpdateTenant(pb.UpdateTenantRequest(
            tenant=pb.Tenant(name=parent, display_name="改名县"), update_mask=_mask("display_name")), **md),
        "ValidateTenant": lambda: s.ValidateTenant(pb.ValidateTenantRequest(name=parent), **md),
        "CreateUnit": lambda: c.unit(pb.PARTY_GROUP, "新党小组", at.village.name, md=w.clerk),
        "GetUnit": lambda: s.GetUnit(pb.GetUnitRequest(name=at.village.name), **md),
        "ListUnits": lambda: s.ListUnits(pb.ListUnitsRequest(parent=parent, under=at.town.name), **md),
        "UpdateUnit": lambda: s.UpdateUnit(pb.UpdateUnitRequest(
            unit=pb.Unit(name=at.village2.name, display_name=f"{at.village2.display_name}新"),
            update_mask=_mask("display_name")), **md),
        "MoveUnit": lambda: s.MoveUnit(pb.MoveUnitRequest(name=at.village2.name, new_parent=at.town.name), **md),
        "MergeUnits": lambda: s.MergeUnits(pb.MergeUnitsRequest(target=at.village.name, sources=[at.village2.name]), **md),
        "ArchiveUnit": lambda: s.ArchiveUnit(pb.ArchiveUnitRequest(name=at.village2.name), **md),
        "GetUnitPath": lambda: s.GetUnitPath(pb.GetUnitPathRequest(name=at.village.name), **md),
        "ListUnitHistory": lambda: s.ListUnitHistory(pb.ListUnitHistoryRequest(name=at.village.name), **md),
        "CreateMember": lambda: c.member(at.village.name, "新党员", md=w.clerk),
        "GetMember": lambda: s.GetMember(pb.GetMemberRequest(name=at.member.name), **md),
        "ListMembers": lambda: s.ListMembers(pb.ListMembersRequest(parent=parent, under=at.town.name), **md),
        "UpdateMember": lambda: s.UpdateMember(pb.UpdateMemberRequest(
            member=pb.Member(name=at.member.name, education="本科"), update_mask=_mask("education")), **md),
        "TransferMember": lambda: s.TransferMember(pb.TransferMemberRequest(
            name=fresh().name, to_unit=at.village2.name), **md),
        "ListMemberHistory": lambda: s.ListMemberHistory(pb.ListMemberHistoryRequest(name=at.member.name), **md),
        "AssignPost": lambda: c.post(pb.COMMITTEE_MEMBER, at.village.name, fresh().name, md=w.clerk),
        "EndPost": lambda: s.EndPost(pb.EndPostRequest(name=c.post(
            pb.COMMITTEE_MEMBER, at.village.name, fresh().name).name), **md),
        "ListPosts": lambda: s.ListPosts(pb.ListPostsRequest(parent=parent, unit=at.village.name), **md),
        "CreateAlliance": lambda: s.CreateAlliance(pb.CreateAllianceRequest(parent=parent, alliance=pb.Alliance(
            display_name="联盟", lead_unit=at.village.name, member_units=[at.village2.name])), **md),
        "ListAlliances": lambda: s.ListAlliances(pb.ListAlliancesRequest(parent=parent, unit=at.village.name), **md),
        "CreatePairing": lambda: s.CreatePairing(pb.CreatePairingRequest(parent=parent, pairing=pb.Pairing(
            organ_display_name="县财政局", unit=at.village.name)), **md),
        "ListPairings": lambda: s.ListPairings(pb.ListPairingsRequest(parent=parent, unit=at.village.name), **md),
        "ImportOrganization": lambda: s.ImportOrganization(iter([pb.ImportOrganizationRequest(
            parent=parent, format=pb.CSV, validate_only=True, chunk=b"record,ref\n")]), **md),
        "ExportOrganization": lambda: list(s.ExportOrganization(pb.ExportOrganizationRequest(
            parent=parent, format=pb.CSV), **md)),
        "GetOperation": lambda: s.GetOperation(pb.GetOperationRequest(name=f"{parent}/operations/op-x"), **md),
    }
    return calls[rpc]()


@pytest.mark.parametrize("rpc", sorted(CLERK))
def test_each_cell_of_the_clerk_table(world, rpc):
    right = CLERK[rpc]
    for side in ("inside", "outside"):
        at = getattr(world, side)
        allowed = right is Clerk.COUNTY_READ or (right is not Clerk.NEVER and side == "inside")
        if allowed:
            _call(world, rpc, at)
        else:
            reason = "METHOD_NOT_ALLOWED" if right is Clerk.NEVER else "OUTSIDE_CLERK_SUBTREE"
            expect(grpc.StatusCode.PERMISSION_DENIED, _call, world, rpc, at, reason=reason)


def test_the_table_names_every_rpc_of_the_service():
    assert set(CLERK) == set(pb.DESCRIPTOR.services_by_name["OrganizationService"].methods_by_name)


def test_reading_posts_of_a_member_outside_the_subtree_is_denied(world):
    expect(grpc.StatusCode.PERMISSION_DENIED, world.s.ListPosts, pb.ListPostsRequest(
        parent=world.county.parent, member=world.outside.member.name, include_history=True), metadata=world.clerk,
        reason="OUTSIDE_CLERK_SUBTREE")
    assert world.s.ListPosts(pb.ListPostsRequest(parent=world.county.parent, member=world.inside.member.name),
                             metadata=world.clerk).posts


def test_a_clerk_appoints_only_members_of_their_own_subtree(world):
    expect(grpc.StatusCode.PERMISSION_DENIED, world.county.post, pb.DEPUTY_SECRETARY, world.inside.village.name,
           world.outside.member.name, md=world.clerk, reason="OUTSIDE_CLERK_SUBTREE")


@pytest.mark.parametrize("field,value", [("weak_and_lax", True), ("demonstration_site", True), ("star_level", 4)])
def test_the_countys_judgement_of_a_unit_is_not_the_clerks(world, field, value):
    village = world.inside.village
    expect(grpc.StatusCode.PERMISSION_DENIED, world.s.UpdateUnit, pb.UpdateUnitRequest(
        unit=pb.Unit(name=village.name, **{field: value}), update_mask=_mask(field)), metadata=world.clerk,
        reason="COUNTY_JUDGEMENT")
    expect(grpc.StatusCode.PERMISSION_DENIED, world.county.unit, pb.VILLAGE, "新村", world.inside.station.name,
           md=world.clerk, reason="COUNTY_JUDGEMENT", **{field: value})
    updated = world.s.UpdateUnit(pb.UpdateUnitRequest(unit=pb.Unit(name=village.name, **{field: value}),
                                                      update_mask=_mask(field)), metadata=world.county.admin)
    assert getattr(updated, field) == value


def test_replaying_an_admins_request_answers_for_the_replaying_caller(platform, world):
    c = world.county
    request = pb.CreateMemberRequest(parent=c.parent, request_id="admin-create-1", member=pb.Member(
        display_name="王五", unit=world.outside.village.name, id_card_number=id_card(), phone="13800138000"))
    first = platform.stub.CreateMember(request, metadata=c.admin)
    assert first.phone == "13800138000"
    expect(grpc.StatusCode.PERMISSION_DENIED, platform.stub.CreateMember, request, metadata=world.clerk,
           reason="OUTSIDE_CLERK_SUBTREE")
    system = platform.as_("system", [c.code], scopes=["org.read", "org.write"])
    replayed = platform.stub.CreateMember(request, metadata=system)
    assert replayed.name == first.name and replayed.personal_data_masked and "13800138000" not in str(replayed)
