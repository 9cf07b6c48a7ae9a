"""Free text through gRPC: hidden characters are refused at the door on both backends, limits hold."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.organization.adapters.spreadsheet import read_sheet, write_sheet
from services.organization.service_layer.bulk_import import export_rows
from tests.conftest import fresh_county_code
from tests.helpers import County, expect

BAD_NAMES = ["村\x00名", "村\x07名", "一村\n二村", "txt.\u202eexe", "张\u200b三", "\u3164", "   "]


@pytest.fixture
def county(platform):
    return County(platform)


def test_bad_names_are_invalid_argument_and_the_county_still_exports(platform, county, tmp_path):
    town, station, villages = county.tree(1)
    member = county.member(villages[0].name)
    for name in BAD_NAMES:
        expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.VILLAGE, name, station.name, field="unit.display_name")
        expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, villages[0].name, name, field="member.display_name")
        expect(grpc.StatusCode.INVALID_ARGUMENT, county.s.CreateAlliance, pb.CreateAllianceRequest(
            parent=county.parent, alliance=pb.Alliance(display_name=name, lead_unit=villages[0].name,
                                                       member_units=[villages[0].name])),
            metadata=county.admin, field="alliance.display_name")
        expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.FIRST_SECRETARY, villages[0].name, member.name,
               dispatching_organ=name, field="post.dispatching_organ")
    assert [u.display_name for u in county.units(types=[pb.VILLAGE])] == ["村0"]
    write_sheet(tmp_path / "out.xlsx", export_rows(platform.org_uow(county.code, write=False)))
    _, rows = read_sheet(tmp_path / "out.xlsx")
    assert len([r for r in rows if r.get("record") != "setting"]) == 4  # three units and the member


def test_invisible_stand_ins_are_refused_and_a_rare_character_variant_is_kept(platform, county):
    town = county.unit(pb.TOWNSHIP, "彭镇")
    s, md = county.s, county.admin
    for name in ("村\ufe0f", "\U000e0100村", "村\ue000名", "\ufffc"):
        expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.VILLAGE, name, town.name, field="unit.display_name")
        expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, town.name, name, field="member.display_name")
        expect(grpc.StatusCode.INVALID_ARGUMENT, s.UpdateTenant, pb.UpdateTenantRequest(
            tenant=pb.Tenant(name=county.parent, display_name=name), update_mask={"paths": ["display_name"]}),
            metadata=md, field="tenant.display_name")
    assert county.member(town.name, "邉\U000e0101").display_name == "邉\U000e0101"
    assert [u.display_name for u in county.units()] == ["彭镇"]


def test_names_are_stored_nfc(county):
    town = county.unit(pb.TOWNSHIP, "Cafe\u0301镇")
    assert town.display_name == "Café镇"


def test_reasons_have_a_limit_and_may_span_lines(platform, county):
    town, station, villages = county.tree(2)
    other = county.unit(pb.TOWNSHIP, "尧生镇")
    long = "因" * 201
    s, md = county.s, county.admin
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MoveUnit, pb.MoveUnitRequest(
        name=station.name, new_parent=other.name, reason=long), metadata=md, field="reason")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.ArchiveUnit, pb.ArchiveUnitRequest(
        name=villages[1].name, reason="撤销\x00"), metadata=md, field="reason")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MergeUnits, pb.MergeUnitsRequest(
        target=villages[0].name, sources=[villages[1].name], reason=long), metadata=md, field="reason")
    assert s.GetUnit(pb.GetUnitRequest(name=villages[1].name), metadata=md).state == pb.ACTIVE
    moved = s.MoveUnit(pb.MoveUnitRequest(name=station.name, new_parent=other.name, reason="区划调整\n县委决定"),
                       metadata=md)
    assert moved.parent == other.name


def test_tenant_code_with_a_trailing_newline_is_refused(platform):
    code = fresh_county_code()
    for bad in (code + "\n", code + "\x00", "\u200b" + code):
        expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.CreateTenant, pb.CreateTenantRequest(
            tenant=pb.Tenant(code=bad, display_name="测试县")), metadata=platform.operator(), field="tenant.code")
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.CreateTenant, pb.CreateTenantRequest(
        tenant=pb.Tenant(code=code, display_name="测试县\x07")), metadata=platform.operator(), field="tenant.display_name")
