"""Tenant isolation: county A's admin cannot touch county B through any RPC, and RLS is a second wall."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from services.common.db import bind_tenant
from services.organization.adapters import tables
from tests.helpers import County, expect

SERVICE = pb.DESCRIPTOR.services_by_name["OrganizationService"]

# RPCs that name no resource of a tenant: checked separately below.
NO_RESOURCE_NAME = {"CreateTenant", "ListTenants"}


def _cases(b: dict) -> dict[str, list]:
    """Per RPC: requests naming tenant B's resources; the first well-formed, the second malformed."""
    unit, member, post, parent = b["unit"], b["member"], b["post"], b["parent"]
    return {
        "GetTenant": [pb.GetTenantRequest(name=parent)],
        "UpdateTenant": [
            pb.UpdateTenantRequest(tenant=pb.Tenant(name=parent, display_name="夺取"),
                                   update_mask={"paths": ["display_name"]}),
            pb.UpdateTenantRequest(tenant=pb.Tenant(name=parent), update_mask={"paths": ["no_such_field"]}),
        ],
        "ValidateTenant": [pb.ValidateTenantRequest(name=parent)],
        "CreateUnit": [
            pb.CreateUnitRequest(parent=parent, unit=pb.Unit(type=pb.VILLAGE, display_name="渗透村", parent=unit)),
            pb.CreateUnitRequest(parent=parent, unit=pb.Unit(display_name="", star_level=99, parent="bad")),
        ],
        "GetUnit": [pb.GetUnitRequest(name=unit), pb.GetUnitRequest(name=f"{parent}/units/u-none")],
        "ListUnits": [pb.ListUnitsRequest(parent=parent), pb.ListUnitsRequest(parent=parent, page_token="forged",
                                                                              page_size=-5)],
        "UpdateUnit": [
            pb.UpdateUnitRequest(unit=pb.Unit(name=unit, display_name="夺取"), update_mask={"paths": ["display_name"]}),
            pb.UpdateUnitRequest(unit=pb.Unit(name=unit), update_mask={"paths": ["parent", "bogus"]}),
        ],
        "MoveUnit": [pb.MoveUnitRequest(name=unit), pb.MoveUnitRequest(name=unit, new_parent="garbage")],
        "MergeUnits": [pb.MergeUnitsRequest(target=unit, sources=[b["unit2"]]),
                       pb.MergeUnitsRequest(target=unit, sources=[unit, "garbage"])],
        "ArchiveUnit": [pb.ArchiveUnitRequest(name=unit), pb.ArchiveUnitRequest(name=unit, etag="stale")],
        "GetUnitPath": [pb.GetUnitPathRequest(name=unit)],
        "ListUnitHistory": [pb.ListUnitHistoryRequest(name=unit),
                            pb.ListUnitHistoryRequest(name=unit, page_token="forged")],
        "CreateMember": [
            pb.CreateMemberRequest(parent=parent, member=pb.Member(display_name="渗透", unit=unit,
                                                                   id_card_number=b["id_card"])),
            pb.CreateMemberRequest(parent=parent, member=pb.Member(id_card_number="123", phone="x")),
        ],
        "GetMember": [pb.GetMemberRequest(name=member)],
        "ListMemberHistory": [pb.ListMemberHistoryRequest(name=member),
                              pb.ListMemberHistoryRequest(name=member, page_token="forged", page_size=-1)],
        "ListMembers": [pb.ListMembersRequest(parent=parent), pb.ListMembersRequest(parent=parent, under="garbage")],
        "UpdateMember": [
            pb.UpdateMemberRequest(member=pb.Member(name=member, phone="13800000000"), update_mask={"paths": ["phone"]}),
            pb.UpdateMemberRequest(member=pb.Member(name=member, phone="1"), update_mask={"paths": ["phone", "unit"]}),
        ],
        "TransferMember": [pb.TransferMemberRequest(name=member, to_unit=b["unit2"]),
                           pb.TransferMemberRequest(name=member, to_unit="garbage")],
        "AssignPost": [
            pb.AssignPostRequest(parent=parent, post=pb.Post(type=pb.COMMITTEE_MEMBER, unit=unit, member=member)),
            pb.AssignPostRequest(parent=parent, post=pb.Post(type=pb.FIRST_SECRETARY, unit="bad")),
        ],
        "EndPost": [pb.EndPostRequest(name=post), pb.EndPostRequest(name=post, end_date="not a date")],
        "ListPosts": [pb.ListPostsRequest(parent=parent, unit=unit), pb.ListPostsRequest(parent=parent)],
        "CreateAlliance": [
            pb.CreateAllianceRequest(parent=parent, alliance=pb.Alliance(display_name="联盟", lead_unit=unit,
                                                                         member_units=[b["unit2"]])),
            pb.CreateAllianceRequest(parent=parent, alliance=pb.Alliance()),
        ],
        "ListAlliances": [pb.ListAlliancesRequest(parent=parent), pb.ListAlliancesRequest(parent=parent, unit="bad")],
        "CreatePairing": [
            pb.CreatePairingRequest(parent=parent, pairing=pb.Pairing(organ_display_name="县局", unit=unit)),
            pb.CreatePairingRequest(parent=parent, pairing=pb.Pairing(start_date="yesterday")),
        ],
        "ListPairings": [pb.ListPairingsRequest(parent=parent), pb.ListPairingsRequest(parent=parent, page_size=-1)],
        "ImportOrganization": [pb.ImportOrganizationRequest(parent=parent, format=pb.CSV, chunk=b"record\n"),
                               pb.ImportOrganizationRequest(parent=parent, chunk=b"\xff" * 10)],
        "ExportOrganization": [pb.ExportOrganizationRequest(parent=parent, format=pb.XLSX),
                               pb.ExportOrganizationRequest(parent=parent)],
        "GetOperation": [pb.GetOperationRequest(name=f"{parent}/operations/op-none")],
    }


def _calling(stub, method: str):
    """The stub method as a plain call: a client stream sends one message, a server stream is read out."""
    call, descriptor = getattr(stub, method), SERVICE.methods_by_name[method]
    if descriptor.client_streaming:
        return lambda request, **kw: call(iter([request]), **kw)
    if descriptor.server_streaming:
        return lambda request, **kw: list(call(request, **kw))
    return call


@pytest.fixture
def two_counties(platform):
    a, b = County(platform), County(platform)
    _, station, (v1, v2) = b.tree(villages=2)
    member = b.member(v1.name)
    post = b.post(pb.SECRETARY, v1.name, member.name)
    names = {"parent": b.parent, "unit": v1.name, "unit2": v2.name, "member": member.name, "post": post.name,
             "id_card": member.id_card_number}
    return a, b, names


def test_every_rpc_refuses_another_countys_resources(platform, two_counties):
    a, b, names = two_counties
    cases = _cases(names)
    methods = {m.name for m in SERVICE.methods}
    missing = methods - NO_RESOURCE_NAME - set(cases)
    assert not missing, f"add isolation cases for {sorted(missing)}"
    before_units = b.units(show_inactive=True)
    before_members = b.members(show_transferred=True)
    for method in sorted(methods - NO_RESOURCE_NAME):
        call = _calling(platform.stub, method)
        for request in cases[method]:
            d = expect(grpc.StatusCode.PERMISSION_DENIED, call, request, metadata=a.admin)
            assert d.reason == "TENANT_ACCESS_DENIED", f"{method}: {d.reason}"
            assert b.code not in d.zh or "或" in d.zh  # "(or it might not exist)"
    # B is untouched.
    assert b.units(show_inactive=True) == before_units
    assert b.members(show_transferred=True) == before_members


def test_tenant_level_rpcs_respect_the_token(platform, two_counties):
    a, b, _ = two_counties
    listed = {t.code for t in platform.stub.ListTenants(pb.ListTenantsRequest(page_size=1000), metadata=a.admin).tenants}
    assert listed == {a.code}
    only_b = platform.stub.ListTenants(pb.ListTenantsRequest(page_size=1000, city_code=b.code[:4] + "00"),
                                       metadata=a.admin).tenants
    assert {t.code for t in only_b} <= {a.code}
    expect(grpc.StatusCode.PERMISSION_DENIED, platform.stub.CreateTenant,
           pb.CreateTenantRequest(tenant=pb.Tenant(code="659601", display_name="县")), metadata=a.admin)


def test_cross_tenant_references_inside_own_county_are_refused(platform, two_counties):
    a, b, names = two_counties
    town = a.unit(pb.TOWNSHIP, "本县镇")
    expect(grpc.StatusCode.INVALID_ARGUMENT, a.unit, pb.VILLAGE, "借壳村", names["unit"], field="unit.parent",
           reason="CROSS_TENANT_REFERENCE")
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.MoveUnit, pb.MoveUnitRequest(
        name=town.name, new_parent=names["unit"]), metadata=a.admin, field="new_parent")
    assert a.units() == [platform.stub.GetUnit(pb.GetUnitRequest(name=town.name), metadata=a.admin)]


def test_row_level_security_is_a_second_wall(platform, two_counties):
    a, b, names = two_counties
    if platform.backend != "postgres":
        pytest.skip("row-level security exists on PostgreSQL only")
    engine = platform.runtime("organization").engine
    with engine.connect() as conn, conn.begin():
        bind_tenant(conn, a.code)
        # A raw SELECT with no tenant filter at all still sees only A's rows.
        seen = conn.execute(text("SELECT DISTINCT tenant FROM units")).scalars().all()
        assert set(seen) <= {a.code}
        assert conn.execute(select(func.count()).select_from(tables.members).where(tables.members.c.tenant == b.code)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(tables.posts)).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM outbox WHERE tenant = :b"), {"b": b.code}).scalar() == 0
        # Writing a row for another tenant is refused outright.
        renamed = conn.execute(text("UPDATE units SET display_name = 'x' WHERE tenant = :b"), {"b": b.code})
        assert renamed.rowcount == 0
        with pytest.raises(DBAPIError, match="row-level security"), conn.begin_nested():
            conn.execute(tables.unit_history.insert().values(
                tenant=b.code, unit_id="u-x", kind="CREATED", at=func.now(), actor="evil"))
    with engine.connect() as conn, conn.begin():
        bind_tenant(conn, b.code)
        assert conn.execute(select(func.count()).select_from(tables.members)).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM units")).scalar() == 4
    with engine.connect() as conn, conn.begin():
        bind_tenant(conn, "*")
        tenants = set(conn.execute(text("SELECT DISTINCT tenant FROM units")).scalars())
        assert {a.code, b.code} - tenants == {a.code}  # A has no units; B's are visible to '*'


def test_read_pool_connections_follow_the_tenant_of_each_read(platform, two_counties):
    """The read pool keeps a tenant bound across checkouts; each read must still see only its own."""
    a, b, _ = two_counties
    if platform.backend != "postgres":
        pytest.skip("the read pool exists on PostgreSQL only")
    uow = platform.runtime("organization").uow_factory
    seen = []
    for code in (b.code, a.code, b.code, b.code, a.code):
        with uow(code, write=False) as reader:
            seen.append(set(reader.conn.execute(text("SELECT DISTINCT tenant FROM units")).scalars()))
    assert seen == [{b.code}, set(), {b.code}, {b.code}, set()]
    with uow(b.code, write=False) as reader, pytest.raises(DBAPIError, match="read-only"):
        reader.conn.execute(text("UPDATE units SET display_name = 'x'"))
