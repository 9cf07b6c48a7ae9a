"""Every write RPC answers what a read made right after answers: the same view, etag included.

Once MoveUnit of a village with 7 members answered `member_count: 0` while GetUnit said 7: the
answer came from an entity that only some queries filled. This test calls each write RPC that
returns a resource and compares the answer with a Get (or the List entry where there is no Get).
"""

from __future__ import annotations

from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb

from tests.conftest import fresh_county_code
from tests.helpers import County, id_card

RESOURCES = {"Tenant", "Unit", "Member", "Post", "Alliance", "Pairing"}


def _write_rpcs() -> set[str]:
    service = pb.DESCRIPTOR.services_by_name["OrganizationService"]
    return {m.name for m in service.methods
            if m.output_type.name in RESOURCES and not m.name.startswith(("Get", "List"))}


def test_every_write_answers_what_a_read_right_after_answers(platform):
    s, op = platform.stub, platform.operator()
    called: set[str] = set()

    def same(rpc: str, answer, read):
        called.add(rpc)
        assert answer == read, f"{rpc} answered\n{answer}\nbut a read right after answers\n{read}"
        return answer

    def get_tenant(x):
        return s.GetTenant(pb.GetTenantRequest(name=x.name), metadata=op)

    made = s.CreateTenant(pb.CreateTenantRequest(tenant=pb.Tenant(code=fresh_county_code(), display_name="新县")),
                          metadata=op)
    same("CreateTenant", made, get_tenant(made))
    county = County(platform)
    md = county.admin
    tenant = s.GetTenant(pb.GetTenantRequest(name=county.parent), metadata=op)
    changed = s.UpdateTenant(pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=tenant.name, display_name="改名县", etag=tenant.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["display_name"])), metadata=op)
    same("UpdateTenant", changed, get_tenant(changed))

    def get_unit(x):
        return s.GetUnit(pb.GetUnitRequest(name=x.name), metadata=md)

    def get_member(x):
        return s.GetMember(pb.GetMemberRequest(name=x.name), metadata=md)

    def listed_post(x):
        found = s.ListPosts(pb.ListPostsRequest(parent=county.parent, unit=x.unit, include_history=True,
                                                page_size=100), metadata=md).posts
        return next(p for p in found if p.name == x.name)

    town = county.unit(pb.TOWNSHIP, "彭镇")
    same("CreateUnit", town, get_unit(town))
    stations = [county.unit(pb.WORK_STATION, f"第{i}工作站", town.name) for i in range(2)]
    villages = [county.unit(pb.VILLAGE, f"村{i}", stations[0].name) for i in range(4)]
    village = villages[0]
    for _ in range(7):
        member = county.member(village.name, id_card_number=id_card())
        same("CreateMember", member, get_member(member))
    secretary = county.post(pb.SECRETARY, village.name, member.name)
    director = county.post(pb.VILLAGE_DIRECTOR, village.name, member.name)
    same("AssignPost", director, listed_post(director))
    assert director.concurrent_secretary_director and director.member_display_name == member.display_name

    village = same("UpdateUnit", s.UpdateUnit(pb.UpdateUnitRequest(
        unit=pb.Unit(name=village.name, display_name="杨庄村", etag=get_unit(village).etag),
        update_mask=field_mask_pb2.FieldMask(paths=["display_name"])), metadata=md), get_unit(village))
    moved = s.MoveUnit(pb.MoveUnitRequest(name=village.name, new_parent=stations[1].name, etag=village.etag),
                       metadata=md)
    assert moved.member_count == 7
    same("MoveUnit", moved, get_unit(moved))

    holder = get_member(member)
    updated = s.UpdateMember(pb.UpdateMemberRequest(
        member=pb.Member(name=member.name, education="大专", etag=holder.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["education"])), metadata=md)
    assert updated.post_holder
    same("UpdateMember", updated, get_member(updated))
    other = county.member(village.name, id_card_number=id_card())
    transferred = s.TransferMember(pb.TransferMemberRequest(name=other.name, to_unit=villages[1].name,
                                                            etag=other.etag), metadata=md)
    same("TransferMember", transferred, get_member(transferred))
    elsewhere = County(platform)
    far = elsewhere.unit(pb.TOWNSHIP, "远镇")
    arrived = s.TransferMember(pb.TransferMemberRequest(name=transferred.name, to_unit=far.name, request_id="w-1"),
                               metadata=op)
    same("TransferMember", arrived, s.GetMember(pb.GetMemberRequest(name=arrived.name), metadata=op))

    ended = s.EndPost(pb.EndPostRequest(name=secretary.name, reason="换届"), metadata=md)
    same("EndPost", ended, listed_post(ended))

    alliance = s.CreateAlliance(pb.CreateAllianceRequest(parent=county.parent, alliance=pb.Alliance(
        display_name="产业联盟", lead_unit=village.name, member_units=[villages[2].name])), metadata=md)
    listed = s.ListAlliances(pb.ListAlliancesRequest(parent=county.parent, page_size=100), metadata=md).alliances
    same("CreateAlliance", alliance, next(a for a in listed if a.name == alliance.name))
    pairing = s.CreatePairing(pb.CreatePairingRequest(parent=county.parent, pairing=pb.Pairing(
        organ_display_name="县财政局", unit=village.name)), metadata=md)
    listed = s.ListPairings(pb.ListPairingsRequest(parent=county.parent, page_size=100), metadata=md).pairings
    same("CreatePairing", pairing, next(p for p in listed if p.name == pairing.name))

    county.member(villages[2].name, id_card_number=id_card())
    merged = s.MergeUnits(pb.MergeUnitsRequest(target=village.name, sources=[villages[2].name], request_id="w-2"),
                          metadata=md)
    assert merged.member_count == 8  # 7, and the merged village's one
    same("MergeUnits", merged, get_unit(merged))
    archived = s.ArchiveUnit(pb.ArchiveUnitRequest(name=villages[3].name, etag=villages[3].etag), metadata=md)
    same("ArchiveUnit", archived, get_unit(archived))

    assert called == _write_rpcs(), f"write RPCs this test does not cover: {_write_rpcs() - called}"
