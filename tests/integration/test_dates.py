"""Dates are stored as dates, with NULL for none, and read back through the API as before:
YYYY-MM-DD, "" for none (issue 14, item 10)."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import text

from services.common.clock import utcnow
from services.common.config import DEV_DATA_KEY
from services.common.sealing import DataKey
from tests.helpers import County, as_if_moved_away, expect, id_card
from tests.integration.migrating import at_revision, database, upgraded
from tests.integration.test_import_rpc import _export, _import


def _dates(post: pb.Post) -> tuple:
    return post.type, post.start_date, post.term_end_date, post.end_date, post.current


def _posts(county: County, unit: str) -> list[tuple]:
    listed = county.s.ListPosts(pb.ListPostsRequest(parent=county.parent, unit=unit, include_history=True),
                                metadata=county.admin).posts
    return sorted(_dates(p) for p in listed)


def test_no_term_end_and_no_end_date_round_trip_through_the_api_and_a_sheet(platform):
    a = County(platform)
    town, _, (village, *_) = a.tree(1)
    holder = a.member(village.name, joined_on="2010-07-01")
    unrecorded = a.member(village.name, "李四")
    assert unrecorded.joined_on == "" and holder.joined_on == "2010-07-01"
    committee = a.post(pb.COMMITTEE_MEMBER, village.name, holder.name, start_date="2021-03-01")
    first = a.post(pb.FIRST_SECRETARY, village.name, unrecorded.name, start_date="2024-07-01",
                   term_end_date="2026-06-30", dispatching_organ="市委组织部")
    assert _dates(committee) == (pb.COMMITTEE_MEMBER, "2021-03-01", "", "", True)
    assert _dates(first) == (pb.FIRST_SECRETARY, "2024-07-01", "2026-06-30", "", True)
    assert _posts(a, village.name) == sorted([_dates(committee), _dates(first)])

    exported = _export(platform, a.code, a.admin, pb.CSV)
    as_if_moved_away(platform, a.code)
    b = County(platform)
    assert _import(platform, b.code, exported, b.admin, sheet_format=pb.CSV).written
    (village_b,) = [u for u in b.units() if u.type == pb.VILLAGE]
    assert _posts(b, village_b.name) == _posts(a, village.name)
    assert sorted(m.joined_on for m in b.members()) == ["", "2010-07-01"]

    ended = a.s.EndPost(pb.EndPostRequest(name=committee.name, end_date="2025-01-01"), metadata=a.admin)
    assert _dates(ended) == (pb.COMMITTEE_MEMBER, "2021-03-01", "", "2025-01-01", False)
    current = a.s.ListPosts(pb.ListPostsRequest(parent=a.parent, unit=village.name), metadata=a.admin).posts
    assert [p.name for p in current] == [first.name], "an ended post is no longer current"


def test_full_width_dates_are_the_same_dates(platform):
    a = County(platform)
    _, _, (village, *_) = a.tree(1)
    holder = a.member(village.name, joined_on="２０１０-０７-０１")
    assert holder.joined_on == "2010-07-01"
    post = a.post(pb.COMMITTEE_MEMBER, village.name, holder.name, start_date="２０２４－０１－０１")
    assert post.start_date == "2024-01-01"
    expect(grpc.StatusCode.INVALID_ARGUMENT, a.member, village.name, "李四", joined_on="２０１０-０７-０１\n",
           field="member.joined_on")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migration_0005_turns_empty_dates_into_none(backend, tmp_path):
    key, number, now = DataKey(DEV_DATA_KEY), id_card(born="19790101"), utcnow()
    with database(backend, tmp_path) as url:
        with at_revision(backend, url, "0004") as conn:
            conn.execute(text(
                "INSERT INTO tenants (code, display_name, city_code, settings, created_at, updated_at) VALUES"
                " ('610201', '旧县', '610200', '{}', :now, :now)"), {"now": now})
            for member_id, joined, digest in (("m-dated", "2001-07-01", key.digest("id_card_number", number)),
                                              ("m-undated", "", key.digest("id_card_number", id_card()))):
                conn.execute(text(
                    "INSERT INTO members (id, tenant, unit_id, display_name, gender, id_card_sealed, id_card_digest,"
                    " phone_sealed, status, category, joined_on, education, birth_date_sealed, state, version,"
                    " created_at, updated_at) VALUES (:id, '610201', 'u1', '老党员', 'MALE', :sealed, :digest, '',"
                    " 'FULL', 'ORDINARY_FARMER', :joined, '', :born, 'MEMBER_ACTIVE', 1, :now, :now)"),
                    {"id": member_id, "sealed": key.seal("id_card_number", number), "digest": digest,
                     "joined": joined, "born": key.seal("birth_date", "1979-01-01"), "now": now})
            for post_id, term_end, end in (("p-open", "", ""), ("p-term", "2026-06-30", ""),
                                           ("p-ended", "", "2024-01-01")):
                conn.execute(text(
                    "INSERT INTO posts (id, tenant, type, unit_id, member_id, start_date, term_end_date, end_date,"
                    " end_reason, dispatching_organ, expiry_announced, created_at) VALUES (:id, '610201',"
                    " 'COMMITTEE_MEMBER', 'u1', 'm-dated', '2021-03-01', :term_end, :end, '', '', false, :now)"),
                    {"id": post_id, "term_end": term_end, "end": end, "now": now})
            conn.execute(text("INSERT INTO pairings (id, tenant, organ_display_name, unit_id, start_date, created_at)"
                              " VALUES ('pr-old', '610201', '县委办', 'u1', '2024-03-01', :now)"), {"now": now})
        with upgraded(backend, url) as factory, factory("610201", write=False) as uow:
            assert uow.members.get("m-dated").joined_on == dt.date(2001, 7, 1)
            assert uow.members.get("m-undated").joined_on is None
            posts = {p: uow.posts.get(p) for p in ("p-open", "p-term", "p-ended")}
            assert {p: (x.start_date, x.term_end_date, x.end_date) for p, x in posts.items()} == {
                "p-open": (dt.date(2021, 3, 1), None, None),
                "p-term": (dt.date(2021, 3, 1), dt.date(2026, 6, 30), None),
                "p-ended": (dt.date(2021, 3, 1), None, dt.date(2024, 1, 1))}
            assert sorted(p.id for p in uow.posts.current_for_member("m-dated")) == ["p-open", "p-term"]
            assert [p.id for p in uow.posts.expiring(dt.date(2026, 7, 1))] == ["p-term"]
            view = uow.queries.post("p-open")
            assert view.current and view.member_display_name == "老党员"
            assert uow.groupings.get_pairing("pr-old").start_date == dt.date(2024, 3, 1)
