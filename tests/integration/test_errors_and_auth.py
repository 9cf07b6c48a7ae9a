"""Bad input and bad credentials: the right code, google.rpc.Status details, nothing half-written."""

from __future__ import annotations

import re
import time

import grpc
import jwt
import pytest
from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.auth import mint_token
from services.common.config import DEV_JWT_SECRET
from services.common.grpc.status import DOMAIN
from tests.helpers import County, details, expect, id_card, rpc_error


@pytest.fixture
def county(platform):
    return County(platform)


def _bearer(tok: str):
    return [("authorization", f"Bearer {tok}")]


def test_credentials_are_checked(platform, county):
    s = platform.stub
    req = pb.GetTenantRequest(name=county.parent)
    expired = mint_token(DEV_JWT_SECRET, role="county_admin", tenants=[county.code], ttl_seconds=60,
                         issued_at=time.time() - 3600)
    forged = mint_token("not-the-server-secret-but-long-enough-0123", role="county_admin", tenants=[county.code])
    no_role = jwt.encode({"sub": "x", "exp": int(time.time()) + 60}, DEV_JWT_SECRET, algorithm="HS256")
    odd_role = mint_token(DEV_JWT_SECRET, role="mayor", tenants=[county.code])
    star_admin = mint_token(DEV_JWT_SECRET, role="county_admin", tenants=["*"])
    cases = [
        (None, "MISSING_CREDENTIALS"),
        ([("authorization", "")], "MISSING_CREDENTIALS"),
        ([("authorization", "Basic dXNlcjpwdw==")], "MALFORMED_CREDENTIALS"),
        ([("authorization", "Bearer")], "MALFORMED_CREDENTIALS"),
        (_bearer("not.a.jwt"), "INVALID_TOKEN"),
        (_bearer(forged), "INVALID_TOKEN"),
        (_bearer(no_role), "INVALID_TOKEN"),
        (_bearer(expired), "TOKEN_EXPIRED"),
        (_bearer(odd_role), "UNKNOWN_ROLE"),
        (_bearer(star_admin), "INVALID_TOKEN"),
    ]
    for md, reason in cases:
        d = expect(grpc.StatusCode.UNAUTHENTICATED, s.GetTenant, req, metadata=md, reason=reason)
        assert d.domain == DOMAIN and d.zh
    # The same request with good credentials works: the failures were the credentials.
    assert s.GetTenant(req, metadata=county.admin).code == county.code


def test_health_needs_no_token(platform):
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    health = health_pb2_grpc.HealthStub(platform.channel)
    assert health.Check(health_pb2.HealthCheckRequest()).status == health_pb2.HealthCheckResponse.SERVING


def test_roles_and_scopes(platform, county):
    s = platform.stub
    town = county.unit(pb.TOWNSHIP, "彭镇")
    reader = platform.as_("system", [county.code], scopes=["org.read"])
    assert s.GetUnit(pb.GetUnitRequest(name=town.name), metadata=reader).name == town.name
    expect(grpc.StatusCode.PERMISSION_DENIED, s.GetUnit, pb.GetUnitRequest(name=town.name),
           metadata=platform.as_("system", [county.code]), reason="SCOPE_MISSING")
    expect(grpc.StatusCode.PERMISSION_DENIED, county.unit, pb.TOWNSHIP, "系统建镇", md=reader, reason="METHOD_NOT_ALLOWED")
    expect(grpc.StatusCode.PERMISSION_DENIED, county.member, town.name, md=reader, reason="SCOPE_MISSING")
    writer = platform.as_("system", [county.code], scopes=["org.write"])
    village = county.unit(pb.VILLAGE, "村", town.name)
    assert county.member(village.name, md=writer).personal_data_masked


def test_error_details_follow_google_rpc(platform, county):
    """Every error carries ErrorInfo (UPPER_SNAKE_CASE reason, our domain) and a zh-CN message."""
    s = platform.stub
    town = county.unit(pb.TOWNSHIP, "彭镇")
    errors = [
        rpc_error(county.unit, pb.WORK_STATION, "", town.name),
        rpc_error(s.GetUnit, pb.GetUnitRequest(name=f"{county.parent}/units/u-none"), metadata=county.admin),
        rpc_error(s.UpdateUnit, pb.UpdateUnitRequest(unit=pb.Unit(name=town.name, display_name="x", etag='"0"'),
                                                     update_mask=field_mask_pb2.FieldMask(paths=["display_name"])),
                  metadata=county.admin),
        rpc_error(s.GetUnit, pb.GetUnitRequest(name="tenants/659999/units/u-1"), metadata=county.admin),
        rpc_error(s.GetUnit, pb.GetUnitRequest(name=town.name)),
        rpc_error(s.CreateTenant, pb.CreateTenantRequest(tenant=pb.Tenant(code=county.code, display_name="重复")),
                  metadata=platform.operator()),
    ]
    codes = [e.code() for e in errors]
    assert codes == [grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ABORTED,
                     grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.ALREADY_EXISTS]
    for err in errors:
        d = details(err)
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*", d.reason), d.reason
        assert d.domain == "partybuilding.gov"
        assert re.search(r"[\u4e00-\u9fff]", d.zh), f"no Chinese in {d.zh!r}"
    bad = details(errors[0])
    assert bad.fields == ["unit.display_name"]


def test_all_wrong_fields_named_at_once(platform, county):
    _, _, (village,) = county.tree(villages=1)
    d = expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, village.name, "",
               id_card_number="123", phone="999")
    assert {"member.display_name", "member.id_card_number", "member.phone"} <= set(d.fields)


@pytest.mark.parametrize("name", [
    "", "tenants", "tenants/", "tenants/abc/units/u-1", "tenants/6102/units/u-1", "units/u-1",
    "tenants/{code}/members/m-1", "tenants/{code}/units/u-1/extra",
])
def test_malformed_resource_names(platform, county, name):
    name = name.replace("{code}", county.code)
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.GetUnit, pb.GetUnitRequest(name=name),
           metadata=platform.operator(), field="name")


def test_a_malformed_name_is_invalid_for_a_county_caller_and_another_county_stays_denied(platform, county):
    town = county.unit(pb.TOWNSHIP, "彭镇")
    unit_id = town.name.rsplit("/", 1)[-1]
    for name in (f"tenants/{county.code}%2Funits%2F{unit_id}", f"tenants/{county.code}\n/units/{unit_id}",
                 f"tenants/abc/units/{unit_id}", f"tenants/{county.code}/units%2F{unit_id}"):
        expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.GetUnit, pb.GetUnitRequest(name=name),
               metadata=county.admin, field="name")
    other = County(platform).code
    for name in (f"tenants/{other}/units/{unit_id}", f"tenants/{other}/units%2F{unit_id}"):
        expect(grpc.StatusCode.PERMISSION_DENIED, platform.stub.GetUnit, pb.GetUnitRequest(name=name),
               metadata=county.admin, reason="TENANT_ACCESS_DENIED")


def test_an_update_mask_hint_goes_only_with_the_field_it_is_about(platform, county):
    town = county.unit(pb.TOWNSHIP, "彭镇")
    member = county.member(town.name)
    s, md = platform.stub, county.admin

    def refusal(call, request) -> str:
        err = rpc_error(call, request, metadata=md)
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and details(err).fields == ["update_mask"]
        return err.details()

    def unit(path):
        return refusal(s.UpdateUnit, pb.UpdateUnitRequest(unit=pb.Unit(name=town.name), update_mask={"paths": [path]}))

    def member_(path):
        return refusal(s.UpdateMember, pb.UpdateMemberRequest(member=pb.Member(name=member.name),
                                                              update_mask={"paths": [path]}))

    assert "MoveUnit" in unit("parent") and "TransferMember" in member_("unit")
    for answer in (unit("type"), unit("nope"), unit("display_name.x"), member_("state"), member_("nope")):
        assert "MoveUnit" not in answer and "TransferMember" not in answer, answer
    assert "'nope' is not a field of Unit" in unit("nope") and "'nope' is not a field of Member" in member_("nope")
    assert "'type' cannot be updated" in unit("type")
    tenant = refusal(s.UpdateTenant, pb.UpdateTenantRequest(tenant=pb.Tenant(name=county.parent),
                                                           update_mask={"paths": ["settings.nope"]}))
    assert "'settings.nope' is not a field of Tenant" in tenant


def test_failed_merge_leaves_nothing_half_written(platform):
    county = County(platform, work_station_max_villages=3)
    s = platform.stub
    town, keep, keep_villages = county.tree(villages=2)
    gone = county.unit(pb.WORK_STATION, "第二工作站", town.name)
    gone_villages = [county.unit(pb.VILLAGE, f"二站村{i}", gone.name) for i in range(2)]
    member = county.member(gone_villages[0].name)
    county.post(pb.STATION_CHIEF, gone.name, member.name)
    before = {u.name: (u.parent, u.state, u.etag) for u in county.units(show_inactive=True)}
    # 2 + 2 villages would exceed the station maximum of 3: refused after the work was done in the transaction.
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MergeUnits, pb.MergeUnitsRequest(
        target=keep.name, sources=[gone.name], request_id="merge-full"), metadata=county.admin, reason="WORK_STATION_FULL")
    after = {u.name: (u.parent, u.state, u.etag) for u in county.units(show_inactive=True)}
    assert after == before
    assert s.ListPosts(pb.ListPostsRequest(parent=county.parent, unit=gone.name), metadata=county.admin).posts
    kinds = [e.kind for e in s.ListUnitHistory(pb.ListUnitHistoryRequest(name=gone.name), metadata=county.admin).entries]
    assert kinds == ["CREATED"]
    # The request id was not consumed by the failed attempt: after making room, the same id succeeds.
    s.ArchiveUnit(pb.ArchiveUnitRequest(name=keep_villages[1].name), metadata=county.admin)
    merged = s.MergeUnits(pb.MergeUnitsRequest(target=keep.name, sources=[gone.name], request_id="merge-full"),
                          metadata=county.admin)
    assert merged.name == keep.name
    assert {u.name for u in county.units(under=keep.name, types=[pb.VILLAGE])} == \
        {keep_villages[0].name} | {v.name for v in gone_villages}


def test_failed_cross_county_transfer_leaves_nothing_half_written(platform, county):
    _, _, (v1,) = county.tree(villages=1)
    dest = County(platform)
    _, _, (v2,) = dest.tree(villages=1)
    m = county.member(v1.name, id_card_number=id_card())
    moved = platform.stub.TransferMember(pb.TransferMemberRequest(name=m.name, to_unit=v2.name),
                                         metadata=platform.operator())
    post = dest.post(pb.SECRETARY, v2.name, moved.name)
    # The first county still records the member (transferred out): the way back is refused.
    expect(grpc.StatusCode.ALREADY_EXISTS, platform.stub.TransferMember, pb.TransferMemberRequest(
        name=moved.name, to_unit=v1.name), metadata=platform.operator())
    got = platform.stub.GetMember(pb.GetMemberRequest(name=moved.name), metadata=dest.admin)
    assert got.state == pb.MEMBER_ACTIVE and got.unit == v2.name and got.post_holder
    current = platform.stub.ListPosts(pb.ListPostsRequest(parent=dest.parent, unit=v2.name), metadata=dest.admin)
    assert [p.name for p in current.posts] == [post.name]
    assert len(county.members()) == 0 and len(dest.members()) == 1
