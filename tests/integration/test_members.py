"""Members (党员): recording with checked personal data, masking, lists, corrections, transfers."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.tenancy import city_of
from services.organization.domain.personal_data import id_card_check_digit
from tests.helpers import County, expect, id_card


@pytest.fixture
def county(platform):
    return County(platform)


def test_create_member_derives_birth_date_and_gender(platform, county):
    _, _, (village,) = county.tree(villages=1)
    number = "61022219850312" + "002"
    number += id_card_check_digit(number)
    m = county.member(village.name, "李梅", id_card_number=number.lower(), phone="13812345678",
                      joined_on="2010-07-01", education="本科", status=pb.PROBATIONARY, category=pb.WELL_OFF)
    assert m.name.startswith(f"{county.parent}/members/")
    assert m.birth_date == "1985-03-12" and m.gender == pb.FEMALE
    assert m.id_card_number == number and m.phone == "13812345678" and not m.personal_data_masked
    assert (m.status, m.category, m.state, m.unit) == (pb.PROBATIONARY, pb.WELL_OFF, pb.MEMBER_ACTIVE, village.name)
    got = platform.stub.GetMember(pb.GetMemberRequest(name=m.name), metadata=county.admin)
    assert got.display_name == "李梅" and got.etag == m.etag


@pytest.mark.parametrize("field,value", [
    ("id_card_number", "61022219800101123"),      # 17 digits
    ("id_card_number", "6102221980010112345"),    # 19 digits
    ("id_card_number", "61022219800101123A"),     # not a digit or X at the end
    ("id_card_number", "610222198002301234"),     # 30 February
    ("phone", "12812345678"),                     # not 1[3-9]
    ("phone", "1381234567"),                      # 10 digits
    ("phone", "+8613812345678"),
    ("display_name", ""),
    ("display_name", "名" * 51),
    ("joined_on", "2010/07/01"),
])
def test_create_member_refuses_bad_personal_data(platform, county, field, value):
    _, _, (village,) = county.tree(villages=1)
    fields = {"id_card_number": id_card(), "display_name": "张三", field: value}
    name = fields.pop("display_name")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, village.name, name, field=f"member.{field}", **fields)
    assert county.members() == []


def test_wrong_check_digit_and_duplicates(platform, county):
    _, _, (village,) = county.tree(villages=1)
    good = id_card()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    d = expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, village.name, id_card_number=bad,
               field="member.id_card_number")
    assert "校验位" in d.zh
    county.member(village.name, id_card_number=good)
    expect(grpc.StatusCode.ALREADY_EXISTS, county.member, village.name, "另一人", id_card_number=good,
           reason="MEMBER_EXISTS")
    # Nor may another county record the same person while they are active here; it is not told where.
    other = County(platform)
    _, _, (v2,) = other.tree(villages=1)
    d = expect(grpc.StatusCode.ALREADY_EXISTS, other.member, v2.name, id_card_number=good,
               reason="MEMBER_ACTIVE_ELSEWHERE")
    assert county.code not in d.zh and not other.members()
    assert len(county.members()) == 1
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, f"{county.parent}/units/u-none",
           field="member.unit", reason="UNKNOWN_UNIT")


def test_member_is_idempotent_by_request_id(platform, county):
    _, _, (village,) = county.tree(villages=1)
    req = pb.CreateMemberRequest(parent=county.parent, request_id="mem-1", member=pb.Member(
        display_name="赵六", unit=village.name, id_card_number=id_card()))
    first = platform.stub.CreateMember(req, metadata=county.admin)
    assert platform.stub.CreateMember(req, metadata=county.admin).name == first.name
    req.member.display_name = "赵七"
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.CreateMember, req, metadata=county.admin,
           field="request_id")
    assert [m.name for m in county.members()] == [first.name]


def test_personal_data_masked_for_operator_and_city(platform, county):
    _, _, (village,) = county.tree(villages=1)
    number = id_card()
    m = county.member(village.name, id_card_number=number, phone="13812345678")
    assert m.id_card_number == number and m.phone == "13812345678"
    for md in (platform.operator(), platform.as_("city", [city_of(county.code)])):
        got = platform.stub.GetMember(pb.GetMemberRequest(name=m.name), metadata=md)
        assert got.personal_data_masked
        assert got.id_card_number == "*" * 18
        assert got.phone == "138****5678"
        assert not got.birth_date and not got.joined_on and got.age_band
        listed = county.members(md=md)
        assert [x.id_card_number for x in listed] == [got.id_card_number]
    clear = platform.stub.GetMember(pb.GetMemberRequest(name=m.name), metadata=county.admin)
    assert clear.id_card_number == number and not clear.personal_data_masked
    system = platform.as_("system", [county.code], scopes=["org.read"])
    assert platform.stub.GetMember(pb.GetMemberRequest(name=m.name), metadata=system).personal_data_masked
    pii = platform.as_("system", [county.code], scopes=["org.read", "org.pii"])
    assert platform.stub.GetMember(pb.GetMemberRequest(name=m.name), metadata=pii).id_card_number == number


def test_list_members_filters(platform, county):
    town, station, (v1, v2) = county.tree(villages=2)
    far = county.unit(pb.VILLAGE, "远村", county.unit(pb.TOWNSHIP, "尧生镇").name)
    full = county.member(v1.name, "正式", status=pb.FULL, category=pb.ORDINARY_FARMER)
    prob = county.member(v1.name, "预备", status=pb.PROBATIONARY, category=pb.MIGRANT)
    elder = county.member(v2.name, "老党员", status=pb.FULL, category=pb.ELDERLY)
    outside = county.member(far.name, "外镇")
    county.post(pb.SECRETARY, v1.name, full.name)

    def names(**req):
        return {m.name for m in county.members(**req)}

    assert names() == {full.name, prob.name, elder.name, outside.name}
    assert names(under=station.name) == {full.name, prob.name, elder.name}
    assert names(under=v1.name) == {full.name, prob.name}
    assert names(status=pb.PROBATIONARY) == {prob.name}
    assert names(status=pb.FULL, under=town.name) == {full.name, elder.name}
    assert names(category=pb.ELDERLY) == {elder.name}
    assert names(post_holder=pb.ListMembersRequest.HOLDERS) == {full.name}
    assert names(post_holder=pb.ListMembersRequest.NON_HOLDERS) == {prob.name, elder.name, outside.name}
    holder = platform.stub.GetMember(pb.GetMemberRequest(name=full.name), metadata=county.admin)
    assert holder.post_holder
    # Paging over members yields each exactly once.
    seen, token = [], ""
    while True:
        page = platform.stub.ListMembers(pb.ListMembersRequest(parent=county.parent, page_size=1, page_token=token),
                                         metadata=county.admin)
        seen += [m.name for m in page.members]
        token = page.next_page_token
        if not token:
            break
    assert sorted(seen) == sorted(names())


def test_update_member(platform, county):
    _, _, (village,) = county.tree(villages=1)
    m = county.member(village.name, phone="13812345678")
    s = platform.stub
    updated = s.UpdateMember(pb.UpdateMemberRequest(
        member=pb.Member(name=m.name, phone="13900001111", status=pb.PROBATIONARY, display_name="不改", etag=m.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["phone", "status"])), metadata=county.admin)
    assert updated.phone == "13900001111" and updated.status == pb.PROBATIONARY and updated.display_name == "张三"
    expect(grpc.StatusCode.ABORTED, s.UpdateMember, pb.UpdateMemberRequest(
        member=pb.Member(name=m.name, education="大专", etag=m.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["education"])), metadata=county.admin)
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.UpdateMember, pb.UpdateMemberRequest(
        member=pb.Member(name=m.name, phone="123"), update_mask=field_mask_pb2.FieldMask(paths=["phone"])),
        metadata=county.admin, field="member.phone")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.UpdateMember, pb.UpdateMemberRequest(
        member=pb.Member(name=m.name, unit=village.name), update_mask=field_mask_pb2.FieldMask(paths=["unit"])),
        metadata=county.admin, field="update_mask")
    # Status and category named in the mask but left unspecified are refused, both fields at once.
    d = expect(grpc.StatusCode.INVALID_ARGUMENT, s.UpdateMember, pb.UpdateMemberRequest(
        member=pb.Member(name=m.name), update_mask=field_mask_pb2.FieldMask(paths=["status", "category"])),
        metadata=county.admin, field="member.status")
    assert "member.category" in d.fields
    other = county.member(village.name, "李四")
    expect(grpc.StatusCode.ALREADY_EXISTS, s.UpdateMember, pb.UpdateMemberRequest(
        member=pb.Member(name=other.name, id_card_number=m.id_card_number),
        update_mask=field_mask_pb2.FieldMask(paths=["id_card_number"])), metadata=county.admin)
    new_number = id_card(born="19900505")
    fixed = s.UpdateMember(pb.UpdateMemberRequest(
        member=pb.Member(name=other.name, id_card_number=new_number),
        update_mask=field_mask_pb2.FieldMask(paths=["id_card_number"])), metadata=county.admin)
    assert fixed.id_card_number == new_number and fixed.birth_date == "1990-05-05"
    got = s.GetMember(pb.GetMemberRequest(name=m.name), metadata=county.admin)
    assert got.phone == "13900001111" and got.education == ""


def test_transfer_within_the_county(platform, county):
    _, _, (v1, v2) = county.tree(villages=2)
    m = county.member(v1.name)
    s = platform.stub
    moved = s.TransferMember(pb.TransferMemberRequest(name=m.name, to_unit=v2.name, reason="迁居", etag=m.etag),
                             metadata=county.admin)
    assert moved.unit == v2.name and moved.name == m.name
    assert {x.name for x in county.members(under=v2.name)} == {m.name}
    record = s.ListMemberHistory(pb.ListMemberHistoryRequest(name=m.name), metadata=county.admin).entries
    assert [(e.kind, e.from_unit, e.to_unit) for e in record][-1] == ("TRANSFERRED", v1.name, v2.name)
    assert county.members(under=v1.name) == []
    expect(grpc.StatusCode.ABORTED, s.TransferMember, pb.TransferMemberRequest(name=m.name, to_unit=v1.name, etag=m.etag),
           metadata=county.admin)
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.TransferMember, pb.TransferMemberRequest(name=m.name, to_unit=v2.name),
           metadata=county.admin, field="to_unit")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.TransferMember, pb.TransferMemberRequest(
        name=m.name, to_unit=f"{county.parent}/units/u-none"), metadata=county.admin, field="to_unit")


def test_transfer_to_another_county_by_operator(platform, county):
    _, _, (v1,) = county.tree(villages=1)
    dest = County(platform)
    _, _, (v2,) = dest.tree(villages=1)
    m = county.member(v1.name, phone="13812345678")
    post = county.post(pb.SECRETARY, v1.name, m.name)
    s = platform.stub
    expect(grpc.StatusCode.PERMISSION_DENIED, s.TransferMember, pb.TransferMemberRequest(name=m.name, to_unit=v2.name),
           metadata=county.admin)
    both = platform.as_("county_admin", [county.code, dest.code])
    expect(grpc.StatusCode.PERMISSION_DENIED, s.TransferMember, pb.TransferMemberRequest(name=m.name, to_unit=v2.name),
           metadata=both, reason="CROSS_TENANT_TRANSFER")
    assert s.GetMember(pb.GetMemberRequest(name=m.name), metadata=county.admin).state == pb.MEMBER_ACTIVE
    arrived = s.TransferMember(pb.TransferMemberRequest(name=m.name, to_unit=v2.name, reason="跨县迁居",
                                                        request_id="x-1"), metadata=platform.operator())
    assert arrived.name.startswith(f"{dest.parent}/members/") and arrived.unit == v2.name
    assert arrived.display_name == "张三"
    # The destination county now has the member, in clear for its own admin.
    there = dest.members()
    assert [x.name for x in there] == [arrived.name] and there[0].id_card_number == m.id_card_number
    # The source county keeps the record, marked transferred out; its post ended.
    assert county.members() == []
    kept = county.members(show_transferred=True)
    assert [(x.name, x.state) for x in kept] == [(m.name, pb.TRANSFERRED_OUT)]
    record = s.ListMemberHistory(pb.ListMemberHistoryRequest(name=m.name), metadata=county.admin).entries
    assert [e.kind for e in record] == ["CREATED", "TRANSFERRED_OUT"]
    assert (record[-1].from_unit, record[-1].to_unit) == (v1.name, v2.name) and arrived.name in record[-1].detail
    record = s.ListMemberHistory(pb.ListMemberHistoryRequest(name=arrived.name), metadata=dest.admin).entries
    assert [e.kind for e in record] == ["TRANSFERRED_IN"] and m.name in record[0].detail
    ended = s.ListPosts(pb.ListPostsRequest(parent=county.parent, member=m.name, include_history=True),
                        metadata=county.admin).posts
    assert [(p.name, p.current) for p in ended] == [(post.name, False)]
    # A retry returns the same new record; the member cannot be transferred again.
    again = s.TransferMember(pb.TransferMemberRequest(name=m.name, to_unit=v2.name, reason="跨县迁居",
                                                      request_id="x-1"), metadata=platform.operator())
    assert again.name == arrived.name
    assert len(dest.members()) == 1
    expect(grpc.StatusCode.FAILED_PRECONDITION, s.TransferMember, pb.TransferMemberRequest(
        name=m.name, to_unit=v2.name), metadata=platform.operator())
