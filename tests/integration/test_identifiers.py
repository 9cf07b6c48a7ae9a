"""One person, one unit, one county however its identifiers are typed (issue 6, item 3)."""

from __future__ import annotations

import grpc
from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.organization.domain.sheet import rows_from_dicts
from services.organization.service_layer.bulk_import import import_rows
from tests.conftest import fresh_county_code
from tests.helpers import County, expect, id_card

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_a_full_width_id_number_is_the_same_person(platform):
    county = County(platform)
    town = county.unit(pb.TOWNSHIP, "彭镇")
    number = id_card()
    first = county.member(town.name, id_card_number=number.translate(FULL_WIDTH),
                          phone="１３８ ００１３ ８０００")
    assert first.id_card_number == number and first.phone == "13800138000"
    for spelling in (number, number.translate(ARABIC_INDIC), f"{number[:6]}\u3000{number[6:]}"):
        expect(grpc.StatusCode.ALREADY_EXISTS, county.member, town.name, id_card_number=spelling,
               reason="MEMBER_EXISTS")
    other = county.member(town.name, "李四")
    update = pb.UpdateMemberRequest(member=pb.Member(name=other.name, id_card_number=number.translate(ARABIC_INDIC)),
                                    update_mask=field_mask_pb2.FieldMask(paths=["id_card_number"]))
    expect(grpc.StatusCode.ALREADY_EXISTS, platform.stub.UpdateMember, update, metadata=county.admin)
    rows = [{"record": "member", "parent_ref": town.name.rsplit("/", 1)[-1], "display_name": "张三",
             "id_card_number": number.translate(FULL_WIDTH)}]
    report = import_rows(rows_from_dicts(rows), platform.org_uow(county.code))
    assert [p.reason for p in report.problems] == ["MEMBER_EXISTS"]


def test_a_full_width_id_number_is_never_told_its_check_digit_is_wrong(platform):
    county = County(platform)
    town = county.unit(pb.TOWNSHIP, "彭镇")
    assert county.member(town.name, id_card_number=id_card().translate(FULL_WIDTH)).id_card_number.isascii()
    number = id_card()
    wrong = number[:17] + next(d for d in "0123456789" if d != number[17])
    d = expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, town.name, id_card_number=wrong.translate(FULL_WIDTH),
               field="member.id_card_number")
    assert "校验位" in d.zh  # a genuinely wrong check digit still says so


def test_division_codes_and_tenant_codes_are_normalised(platform):
    county = County(platform)
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    arabic_indic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    town = county.unit(pb.TOWNSHIP, "彭镇", division_code=f"{county.code}101".translate(full_width))
    assert town.division_code == f"{county.code}101"
    update = pb.UpdateUnitRequest(unit=pb.Unit(name=town.name, division_code=f"{county.code}102".translate(arabic_indic)),
                                  update_mask=field_mask_pb2.FieldMask(paths=["division_code"]))
    assert platform.stub.UpdateUnit(update, metadata=county.admin).division_code == f"{county.code}102"
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.TOWNSHIP, "尧生镇", division_code=f"{county.code}\n",
           field="unit.division_code")

    code = fresh_county_code()
    created = platform.stub.CreateTenant(pb.CreateTenantRequest(tenant=pb.Tenant(
        code=code.translate(FULL_WIDTH), display_name="全角县")), metadata=platform.operator())
    assert created.name == f"tenants/{code}"
    expect(grpc.StatusCode.ALREADY_EXISTS, platform.stub.CreateTenant, pb.CreateTenantRequest(
        tenant=pb.Tenant(code=code, display_name="半角县")), metadata=platform.operator())
    got = platform.stub.GetTenant(pb.GetTenantRequest(name=f"tenants/{code.translate(FULL_WIDTH)}"),
                                  metadata=platform.operator())
    assert got.code == code
    city = code[:4] + "00"
    listed = platform.stub.ListTenants(pb.ListTenantsRequest(city_code=city.translate(FULL_WIDTH), page_size=1000),
                                       metadata=platform.operator()).tenants
    assert f"tenants/{code}" in {t.name for t in listed}
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.ListTenants, pb.ListTenantsRequest(city_code=city + "\n"),
           metadata=platform.operator(), field="city_code")
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.CreateTenant, pb.CreateTenantRequest(
        tenant=pb.Tenant(code=fresh_county_code() + "\n", display_name="换行县")), metadata=platform.operator(),
        field="tenant.code", reason="CONTROL_CHARACTER")
