"""Posts (职务): who may hold what where, 一肩挑, first secretaries, ending posts and the record (履历)."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb

from tests.helpers import County, expect, id_card


@pytest.fixture
def county(platform):
    return County(platform)


def _posts(county, **req):
    return list(county.s.ListPosts(pb.ListPostsRequest(parent=county.parent, **req), metadata=county.admin).posts)


def test_secretary_and_director_held_by_one_person_is_yijiantiao(platform, county):
    _, _, (village,) = county.tree(villages=1)
    m = county.member(village.name, "王书记")
    sec = county.post(pb.SECRETARY, village.name, m.name, start_date="2024-01-01", term_end_date="2029-01-01")
    assert not sec.concurrent_secretary_director and sec.current and sec.member_display_name == "王书记"
    director = county.post(pb.VILLAGE_DIRECTOR, village.name, m.name)
    assert director.concurrent_secretary_director
    listed = _posts(county, unit=village.name)
    assert {p.name: p.concurrent_secretary_director for p in listed} == {sec.name: True, director.name: True}
    # Another person as deputy does not make anyone 一肩挑; ending the directorship ends the flag.
    deputy = county.post(pb.DEPUTY_SECRETARY, village.name, county.member(village.name, "副书记").name)
    assert not deputy.concurrent_secretary_director
    county.s.EndPost(pb.EndPostRequest(name=director.name, reason="换届"), metadata=county.admin)
    flags = {p.name: p.concurrent_secretary_director for p in _posts(county, unit=village.name)}
    assert flags == {sec.name: False, deputy.name: False}


def test_one_current_secretary_per_unit(platform, county):
    _, _, (village,) = county.tree(villages=1)
    first = county.post(pb.SECRETARY, village.name, county.member(village.name, "甲").name)
    second = county.member(village.name, "乙")
    d = expect(grpc.StatusCode.FAILED_PRECONDITION, county.post, pb.SECRETARY, village.name, second.name,
               reason="POST_FULL")
    assert d.zh
    county.s.EndPost(pb.EndPostRequest(name=first.name), metadata=county.admin)
    assert county.post(pb.SECRETARY, village.name, second.name).current


def test_first_secretary_needs_organ_and_term(platform, county):
    _, _, (village,) = county.tree(villages=1)
    m = county.member(village.name, "第一书记")
    d = expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.FIRST_SECRETARY, village.name, m.name)
    assert {"post.dispatching_organ", "post.term_end_date"} <= set(d.fields)
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.FIRST_SECRETARY, village.name, m.name,
           dispatching_organ="县财政局", field="post.term_end_date")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.FIRST_SECRETARY, village.name, m.name,
           dispatching_organ="县财政局", start_date="2025-01-01", term_end_date="2024-01-01", field="post.term_end_date")
    post = county.post(pb.FIRST_SECRETARY, village.name, m.name, dispatching_organ="县财政局",
                       start_date="2025-01-01", term_end_date="2027-01-01")
    assert post.dispatching_organ == "县财政局" and post.term_end_date == "2027-01-01"
    assert [p.name for p in _posts(county, unit=village.name)] == [post.name]


def test_posts_only_where_they_belong(platform, county):
    town, station, (village,) = county.tree(villages=1)
    m = county.member(village.name)
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.STATION_CHIEF, village.name, m.name,
           field="post.unit", reason="POST_NOT_ALLOWED_IN_UNIT")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.STATION_CHIEF, town.name, m.name, field="post.unit")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.VILLAGE_DIRECTOR, station.name, m.name, field="post.unit")
    chief = county.post(pb.STATION_CHIEF, station.name, m.name)
    assert chief.unit == station.name
    expect(grpc.StatusCode.FAILED_PRECONDITION, county.post, pb.STATION_CHIEF, station.name,
           county.member(village.name, "另一站长").name)
    for _ in range(2):
        county.post(pb.STATION_DEPUTY, station.name, county.member(village.name, "副站长").name)
    expect(grpc.StatusCode.FAILED_PRECONDITION, county.post, pb.STATION_DEPUTY, station.name,
           county.member(village.name, "第三个副站长").name)
    expect(grpc.StatusCode.FAILED_PRECONDITION, county.post, pb.STATION_CHIEF, station.name, m.name)
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.POST_TYPE_UNSPECIFIED, village.name, m.name,
           field="post.type")
    expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.SECRETARY, village.name,
           f"{county.parent}/members/m-none", field="post.member")


def test_revitalization_specialist_under_35_with_degree(platform, county):
    _, _, (village,) = county.tree(villages=1)
    young = dt.date.today().year - 25
    old = dt.date.today().year - 40
    eligible = county.member(village.name, "青年", id_card_number=id_card(born=f"{young}0101"), education="大专")
    no_degree = county.member(village.name, "高中", id_card_number=id_card(born=f"{young}0101"), education="高中")
    too_old = county.member(village.name, "年长", id_card_number=id_card(born=f"{old}0101"), education="本科")
    assert county.post(pb.REVITALIZATION_SPECIALIST, village.name, eligible.name).current
    for m in (no_degree, too_old):
        expect(grpc.StatusCode.FAILED_PRECONDITION, county.post, pb.REVITALIZATION_SPECIALIST, village.name, m.name,
               reason="SPECIALIST_NOT_ELIGIBLE")


def test_end_post_and_history(platform, county):
    _, _, (village,) = county.tree(villages=1)
    m = county.member(village.name)
    s = platform.stub
    committee = county.post(pb.COMMITTEE_MEMBER, village.name, m.name, start_date="2021-01-01")
    reserve = county.post(pb.RESERVE_CADRE, village.name, m.name, start_date="2022-01-01")
    ended = s.EndPost(pb.EndPostRequest(name=committee.name, end_date="2024-01-01", reason="换届"), metadata=county.admin)
    assert not ended.current and ended.end_date == "2024-01-01" and ended.end_reason == "换届"
    assert [p.name for p in _posts(county, member=m.name)] == [reserve.name]
    history = _posts(county, member=m.name, include_history=True)
    assert {p.name: p.current for p in history} == {committee.name: False, reserve.name: True}
    assert s.GetMember(pb.GetMemberRequest(name=m.name), metadata=county.admin).post_holder
    expect(grpc.StatusCode.FAILED_PRECONDITION, s.EndPost, pb.EndPostRequest(name=committee.name), metadata=county.admin,
           reason="POST_ALREADY_ENDED")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.EndPost, pb.EndPostRequest(name=reserve.name, end_date="2021-12-31"),
           metadata=county.admin, field="end_date")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.EndPost, pb.EndPostRequest(name=reserve.name, end_date="昨天"),
           metadata=county.admin, field="end_date")
    s.EndPost(pb.EndPostRequest(name=reserve.name), metadata=county.admin)
    assert not s.GetMember(pb.GetMemberRequest(name=m.name), metadata=county.admin).post_holder
    expect(grpc.StatusCode.NOT_FOUND, s.EndPost, pb.EndPostRequest(name=f"{county.parent}/posts/p-none"),
           metadata=county.admin)
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.ListPosts, pb.ListPostsRequest(parent=county.parent),
           metadata=county.admin)


def test_assign_post_is_idempotent(platform, county):
    _, _, (village,) = county.tree(villages=1)
    m = county.member(village.name)
    req = pb.AssignPostRequest(parent=county.parent, request_id="post-1",
                               post=pb.Post(type=pb.SECRETARY, unit=village.name, member=m.name))
    first = platform.stub.AssignPost(req, metadata=county.admin)
    assert platform.stub.AssignPost(req, metadata=county.admin).name == first.name
    assert len(_posts(county, unit=village.name)) == 1
