"""Tenants (counties): onboarding by the operator, reading by cities, settings and validation."""

from __future__ import annotations

import grpc
from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.tenancy import city_of
from tests.helpers import County, details, expect, rpc_error


def _create(platform, code: str, md, **fields):
    return platform.stub.CreateTenant(pb.CreateTenantRequest(
        tenant=pb.Tenant(code=code, display_name=f"县{code}", **fields)), metadata=md)


def test_only_the_operator_onboards_a_county(platform):
    code = County(platform).code
    fresh = "659701"
    for role, tenants in [("county_admin", [code]), ("city", [city_of(code)]), ("clerk", [code])]:
        expect(grpc.StatusCode.PERMISSION_DENIED, _create, platform, fresh, platform.as_(role, tenants))
    tenant = platform.stub.GetTenant(pb.GetTenantRequest(name=f"tenants/{code}"), metadata=platform.operator())
    assert tenant.code == code and tenant.city_code == city_of(code)
    assert tenant.settings.work_station_min_villages == 3 and tenant.settings.work_station_max_villages == 7
    assert tenant.settings.time_zone == "Asia/Shanghai"


def test_create_tenant_refuses_bad_codes_and_duplicates(platform):
    code = County(platform).code
    op = platform.operator()
    expect(grpc.StatusCode.ALREADY_EXISTS, _create, platform, code, op, reason="TENANT_EXISTS")
    expect(grpc.StatusCode.INVALID_ARGUMENT, _create, platform, "610200", op, field="tenant.code")
    expect(grpc.StatusCode.INVALID_ARGUMENT, _create, platform, "61022", op, field="tenant.code")
    d = expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.CreateTenant,
               pb.CreateTenantRequest(tenant=pb.Tenant(code="659901", display_name="")), metadata=op)
    assert "tenant.display_name" in d.fields
    expect(grpc.StatusCode.INVALID_ARGUMENT, _create, platform, "659902", op,
           settings=pb.TenantSettings(work_station_min_villages=8, work_station_max_villages=4),
           field="tenant.settings.work_station_min_villages")
    expect(grpc.StatusCode.INVALID_ARGUMENT, _create, platform, "659903", op,
           settings=pb.TenantSettings(time_zone="Mars/Olympus"), field="tenant.settings.time_zone")
    # None of the refused counties was half-created.
    expect(grpc.StatusCode.NOT_FOUND, platform.stub.GetTenant, pb.GetTenantRequest(name="tenants/659902"), metadata=op)


def test_create_tenant_is_idempotent_by_request_id(platform):
    op = platform.operator()
    fresh = "659801"  # outside the range the fixture's fresh codes come from
    req = pb.CreateTenantRequest(tenant=pb.Tenant(code=fresh, display_name="重试县"), request_id="ct-1-" + fresh)
    first = platform.stub.CreateTenant(req, metadata=op)
    again = platform.stub.CreateTenant(req, metadata=op)
    assert again.name == first.name and again.etag == first.etag


def test_city_lists_and_reads_only_its_counties_and_cannot_write(platform):
    a, b = County(platform), County(platform)
    city = city_of(a.code)
    city_md = platform.as_("city", [city])
    listed = platform.stub.ListTenants(pb.ListTenantsRequest(page_size=1000), metadata=city_md).tenants
    codes = {t.code for t in listed}
    assert a.code in codes
    assert all(city_of(c) == city for c in codes)
    if city_of(b.code) != city:
        assert b.code not in codes
        expect(grpc.StatusCode.PERMISSION_DENIED, platform.stub.GetTenant,
               pb.GetTenantRequest(name=b.parent), metadata=city_md)
    assert platform.stub.GetTenant(pb.GetTenantRequest(name=a.parent), metadata=city_md).code == a.code
    # Read-only: even its own county cannot be changed by a city token.
    expect(grpc.StatusCode.PERMISSION_DENIED, platform.stub.UpdateTenant, pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=a.parent, display_name="改名"), update_mask=field_mask_pb2.FieldMask(paths=["display_name"])),
        metadata=city_md)
    expect(grpc.StatusCode.PERMISSION_DENIED, platform.stub.CreateUnit, pb.CreateUnitRequest(
        parent=a.parent, unit=pb.Unit(type=pb.TOWNSHIP, display_name="城关镇")), metadata=city_md)
    assert a.units() == []


def test_city_token_610200_sees_only_tongchuan(platform):
    """The issue's example: role=city, tenants=['610200']."""
    op = platform.operator()
    for code in ("610222", "610203"):
        try:
            _create(platform, code, op)
        except grpc.RpcError as err:
            assert err.code() == grpc.StatusCode.ALREADY_EXISTS
    city_md = platform.as_("city", ["610200"])
    listed = {t.code for t in platform.stub.ListTenants(pb.ListTenantsRequest(page_size=1000), metadata=city_md).tenants}
    assert {"610222", "610203"} <= listed
    assert all(c.startswith("6102") for c in listed)
    everything = {t.code for t in platform.stub.ListTenants(pb.ListTenantsRequest(page_size=1000), metadata=op).tenants}
    assert listed < everything
    expect(grpc.StatusCode.PERMISSION_DENIED, platform.stub.GetTenant, pb.GetTenantRequest(
        name=f"tenants/{next(c for c in everything if not c.startswith('6102'))}"), metadata=city_md)


def test_operator_lists_every_county_page_by_page(platform):
    made = {County(platform).code for _ in range(3)}
    seen: list[str] = []
    token = ""
    while True:
        page = platform.stub.ListTenants(pb.ListTenantsRequest(page_size=2, page_token=token), metadata=platform.operator())
        assert len(page.tenants) <= 2
        seen += [t.code for t in page.tenants]
        token = page.next_page_token
        if not token:
            break
    assert made <= set(seen)
    assert len(seen) == len(set(seen))


def test_update_tenant_with_mask_and_etag(platform):
    county = County(platform)
    s = platform.stub
    before = s.GetTenant(pb.GetTenantRequest(name=county.parent), metadata=county.admin)
    updated = s.UpdateTenant(pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=county.parent, display_name="宜君县", etag=before.etag,
                         settings=pb.TenantSettings(work_station_min_villages=2, work_station_max_villages=5,
                                                    time_zone="Asia/Urumqi", locale="en-US")),
        update_mask=field_mask_pb2.FieldMask(paths=[
            "display_name", "settings.work_station_min_villages", "settings.work_station_max_villages",
            "settings.time_zone"])), metadata=county.admin)
    assert updated.display_name == "宜君县"
    assert (updated.settings.work_station_min_villages, updated.settings.work_station_max_villages) == (2, 5)
    assert updated.settings.time_zone == "Asia/Urumqi"
    assert updated.settings.locale == "zh-CN", "a field outside the mask must not change"
    assert updated.etag != before.etag
    reread = s.GetTenant(pb.GetTenantRequest(name=county.parent), metadata=county.admin)
    assert reread.display_name == "宜君县" and reread.settings.time_zone == "Asia/Urumqi"
    # A stale etag is refused and changes nothing.
    expect(grpc.StatusCode.ABORTED, s.UpdateTenant, pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=county.parent, display_name="别名", etag=before.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["display_name"])), metadata=county.admin, reason="ETAG_MISMATCH")
    # Bounds that contradict each other, or an unknown path, are INVALID_ARGUMENT.
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.UpdateTenant, pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=county.parent, settings=pb.TenantSettings(work_station_min_villages=9)),
        update_mask=field_mask_pb2.FieldMask(paths=["settings.work_station_min_villages"])), metadata=county.admin,
        field="tenant.settings.work_station_min_villages")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.UpdateTenant, pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=county.parent, code="123456"),
        update_mask=field_mask_pb2.FieldMask(paths=["code"])), metadata=county.admin, field="update_mask")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.UpdateTenant, pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=county.parent, display_name="x")), metadata=county.admin, field="update_mask")
    final = s.GetTenant(pb.GetTenantRequest(name=county.parent), metadata=county.admin)
    assert final.display_name == "宜君县" and final.settings.work_station_min_villages == 2


def test_validate_tenant_reports_stations_outside_bounds(platform):
    county = County(platform, work_station_min_villages=2, work_station_max_villages=3)
    town, small, _ = county.tree(villages=1)
    good = county.unit(pb.WORK_STATION, "第二工作站", town.name)
    for i in range(2):
        county.unit(pb.VILLAGE, f"好村{i}", good.name)
    big = county.unit(pb.WORK_STATION, "第三工作站", town.name)
    for i in range(3):
        county.unit(pb.VILLAGE, f"大村{i}", big.name)
    s = platform.stub
    report = s.ValidateTenant(pb.ValidateTenantRequest(name=county.parent), metadata=county.admin)
    assert report.ok
    assert [(f.unit, f.severity, f.code) for f in report.findings] == [
        (small.name, pb.Finding.WARNING, "WORK_STATION_TOO_FEW_VILLAGES")]
    assert report.findings[0].message_zh
    # A maximum below what the big station covers is refused, naming it: otherwise the county's
    # own export could not be imported back (WORK_STATION_FULL).
    err = rpc_error(s.UpdateTenant, pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=county.parent, settings=pb.TenantSettings(work_station_max_villages=2)),
        update_mask=field_mask_pb2.FieldMask(paths=["settings.work_station_max_villages"])), metadata=county.admin)
    d = details(err)
    assert (d.code, d.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "WORK_STATION_OVER_MAXIMUM")
    assert "第三工作站" in d.zh and "3" in d.zh and "第三工作站" in err.details()
    assert s.GetTenant(pb.GetTenantRequest(name=county.parent),
                       metadata=county.admin).settings.work_station_max_villages == 3
    # A minimum above a station's coverage is allowed: ValidateTenant warns while the county reorganises.
    s.UpdateTenant(pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=county.parent, settings=pb.TenantSettings(work_station_min_villages=3)),
        update_mask=field_mask_pb2.FieldMask(paths=["settings.work_station_min_villages"])), metadata=county.admin)
    report = s.ValidateTenant(pb.ValidateTenantRequest(name=county.parent), metadata=county.admin)
    assert report.ok
    by_unit = {f.unit: (f.severity, f.code) for f in report.findings}
    assert by_unit == {small.name: (pb.Finding.WARNING, "WORK_STATION_TOO_FEW_VILLAGES"),
                       good.name: (pb.Finding.WARNING, "WORK_STATION_TOO_FEW_VILLAGES")}
    # Exactly the largest coverage is still a legal maximum.
    s.UpdateTenant(pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=county.parent, settings=pb.TenantSettings(work_station_min_villages=1,
                                                                        work_station_max_villages=3)),
        update_mask=field_mask_pb2.FieldMask(paths=["settings"])), metadata=county.admin)


def test_unknown_tenant_is_not_found(platform):
    op = platform.operator()
    d = expect(grpc.StatusCode.NOT_FOUND, platform.stub.GetTenant, pb.GetTenantRequest(name="tenants/659999"), metadata=op)
    assert d.reason == "TENANT_NOT_FOUND" and d.zh
    expect(grpc.StatusCode.NOT_FOUND, platform.stub.ListUnits, pb.ListUnitsRequest(parent="tenants/659999"), metadata=op)
    expect(grpc.StatusCode.NOT_FOUND, platform.stub.CreateUnit, pb.CreateUnitRequest(
        parent="tenants/659999", unit=pb.Unit(type=pb.TOWNSHIP, display_name="无主镇")), metadata=op)


def test_only_a_named_place_is_a_time_zone(platform):
    """"localtime" would be whatever zone the server runs in, "Factory" no zone at all."""
    county = County(platform)
    for zone in ("localtime", "Factory", "posixrules"):
        expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.UpdateTenant, pb.UpdateTenantRequest(
            tenant=pb.Tenant(name=county.parent, settings=pb.TenantSettings(time_zone=zone)),
            update_mask=field_mask_pb2.FieldMask(paths=["settings.time_zone"])), metadata=county.admin,
            field="tenant.settings.time_zone")
        expect(grpc.StatusCode.INVALID_ARGUMENT, _create, platform, "659904", platform.operator(),
               settings=pb.TenantSettings(time_zone=zone), field="tenant.settings.time_zone")
    tenant = platform.stub.GetTenant(pb.GetTenantRequest(name=county.parent), metadata=county.admin)
    assert tenant.settings.time_zone == "Asia/Shanghai"
