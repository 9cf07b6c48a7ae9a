"""Results through gRPC: provisional at the public notice, final with the result rules' events,
explained, ranked, filtered, confined to a clerk's subtree and to the caller's county."""

from __future__ import annotations

import json

import grpc
import pytest
from partybuilding.assessment.v1 import assessment_results_pb2 as spb
from sqlalchemy import select

from services.assessment.adapters import tables
from tests.helpers import expect
from tests.integration.results_county import ResultsCounty
from tests.integration.round_county import outbox_types


@pytest.fixture
def county(platform):
    return ResultsCounty(platform)


def _payloads(platform, tenant: str, type_: str) -> list[dict]:
    with platform.runtime("assessment").uow_factory(tenant, write=False) as uow:
        rows = uow.conn.execute(select(tables.outbox.c.payload).where(
            tables.outbox.c.tenant == tenant, tables.outbox.c.type == type_).order_by(tables.outbox.c.seq))
        return [json.loads(p) for p in rows.scalars()]


def test_results_appear_with_the_public_notice_explained_and_ranked(platform, county):
    round_ = county.create()
    assert "尚未进入公示" in expect(grpc.StatusCode.FAILED_PRECONDITION, lambda: county.results(round_)).zh
    county.score_all(round_)
    county.advance(round_)  # into the public notice
    results = county.results(round_, view=spb.ListResultsRequest.FULL)
    assert [(r.display_name, r.total, r.grade_display_name, r.rank_in_scope, r.rank_in_township) for r in results] == [
        ("村0", 100.0, "五星", 1, 1), ("村1", 72.3, "三星", 2, 2), ("东村", 16.0, "二星", 3, 1)]
    assert {r.stage for r in results} == {spb.Result.PROVISIONAL}
    middle = results[1]
    org, dev = middle.dimensions
    assert (org.display_name, org.weight, org.points, org.max_points, org.contribution) == ("组织建设", 60, 53.5, 60, 53.5)
    meetings = org.indicators[0]
    assert (meetings.display_name, meetings.score) == ("三会一课", 23.5)  # (70 x 25 + 30 x 20) / 100
    assert [(s.source, s.submitted, s.value) for s in meetings.sources] == [("ORGANIZATION", 25, 25), ("MASS", 20, 20)]
    income = dev.indicators[0]
    assert [(s.submitted, s.value) for s in income.sources] == [(60, 12), (50, 10)]  # LINEAR 0..100 onto 20 points
    assert middle.weak is False and results[2].weak is True  # 二星: flagged, not acted on until final
    assert "assessment.results_published" in outbox_types(platform, county.code)
    # A page in the BASIC view (the default) carries the dimensions' contributions, not the indicators.
    basic = county.results(round_)[1]
    assert [(d.code, d.contribution, len(d.indicators)) for d in basic.dimensions] == [("ORG", 53.5, 0),
                                                                                     ("DEV", 18.8, 0)]


def test_a_cap_and_a_deduction_are_explained_and_reorder_the_ranking(platform, county):
    round_ = county.publish([(county.strong, "CORRUPTION"), (county.middle, "LATE")])
    strong = county.result(round_, county.strong)
    assert (strong.total, strong.grade_before_display_name, strong.grade_display_name) == (100.0, "五星", "三星")
    [item] = strong.negative_items
    assert (item.display_name, item.effect, item.changed_grade) == ("违纪违法", spb.AppliedNegativeItem.CAP, True)
    assert item.effect_description == "封顶三星：由五星降为三星"
    middle = county.result(round_, county.middle)
    assert (middle.base_total, middle.deductions, middle.total) == (72.3, 5.0, 67.3)
    assert middle.grade_display_name == "二星" and middle.negative_items[0].effect_description == "扣 5 分"
    # The capped 100 still leads the 三星; 67.30 falls to 二星 beside 东村 and ranks by total there.
    assert [(r.display_name, r.rank_in_scope) for r in county.results(round_)] == [("村0", 1), ("村1", 2), ("东村", 3)]


def test_a_veto_sends_the_top_village_to_the_lowest_grade_and_last_place(platform, county):
    round_ = county.publish([(county.strong, "UNREST")])
    strong = county.result(round_, county.strong)
    assert (strong.grade, strong.rank_in_scope) == ("TWO_STAR", 2)  # 100 points, 二星, ahead of 东村's 16
    assert strong.negative_items[0].effect_description == "一票否决：由五星降为二星"


def test_finalizing_applies_the_rules_and_each_reaches_the_outbox(platform, county):
    round_ = county.finalize()
    assert {r.stage for r in county.results(round_)} == {spb.Result.FINAL}
    types = outbox_types(platform, county.code)
    for expected in ("assessment.target_commended", "assessment.reminder_letter_due", "assessment.title_granted",
                     "assessment.results_finalized"):
        assert expected in types, expected
    assert "assessment.admonishing_talk_due" not in types  # the first time last: a letter only
    [commended] = _payloads(platform, county.code, "assessment.target_commended")
    assert (commended["display_name"], commended["grade_display_name"]) == ("村0", "五星")
    [letter] = _payloads(platform, county.code, "assessment.reminder_letter_due")
    assert (letter["display_name"], letter["rank"], letter["target_count"]) == ("东村", 3, 3)
    [batch] = _payloads(platform, county.code, "assessment.results_finalized")
    assert (batch["batch"], batch["batches"], batch["sets_star_level"], batch["decides_weak_and_lax"]) == (
        1, 1, True, True)
    by_unit = {r["unit"]: r for r in batch["results"]}
    assert by_unit[county.weak.name]["weak"] is True and by_unit[county.strong.name]["stars"] == 5


def test_the_next_round_shows_the_change_revokes_titles_and_talks_to_the_twice_last(platform, county):
    first = county.finalize(period="2025")
    marks = county.marks()
    marks[county.strong.name], marks[county.middle.name] = marks[county.middle.name], marks[county.strong.name]
    second = county.finalize(marks=marks, period="2026")
    middle = county.result(second, county.middle)
    assert middle.change.previous_round == first.name
    assert (middle.change.previous_grade, middle.change.previous_total, middle.change.total_change) == (
        "THREE_STAR", 72.3, pytest.approx(27.7))
    assert middle.change.rank_change == 1
    [talk] = _payloads(platform, county.code, "assessment.admonishing_talk_due")
    assert (talk["display_name"], talk["consecutive_last_places"], talk["previous_round"]) == ("东村", 2, first.name)
    [revoked] = _payloads(platform, county.code, "assessment.title_revoked")
    assert (revoked["display_name"], revoked["title_display_name"]) == ("村0", "星级村党组织")


def test_filters_and_pages_keep_rank_order(platform, county):
    round_ = county.publish()
    assert [r.display_name for r in county.results(round_, township=county.town.name)] == ["村0", "村1"]
    assert [r.display_name for r in county.results(round_, under=county.town_b.name)] == ["东村"]
    assert [r.display_name for r in county.results(round_, grade="TWO_STAR")] == ["东村"]
    first = county.s.ListResults(spb.ListResultsRequest(parent=round_.name, page_size=2), metadata=county.admin)
    rest = county.s.ListResults(spb.ListResultsRequest(parent=round_.name, page_size=2,
                                                       page_token=first.next_page_token), metadata=county.admin)
    assert [r.rank_in_scope for r in [*first.results, *rest.results]] == [1, 2, 3] and not rest.next_page_token
    expect(grpc.StatusCode.INVALID_ARGUMENT, lambda: county.results(round_, grade="GOLD"), field="grade")


def test_a_clerk_reads_the_results_of_its_subtree_only(platform, county):
    round_ = county.publish()
    clerk = county.clerk(county.town)
    assert [r.display_name for r in county.results(round_, clerk)] == ["村0", "村1"]
    assert county.result(round_, county.middle, clerk).total == 72.3
    refused = expect(grpc.StatusCode.PERMISSION_DENIED, lambda: county.result(round_, county.weak, clerk))
    assert "不在您负责的组织范围内" in refused.zh
    expect(grpc.StatusCode.PERMISSION_DENIED, lambda: county.results(round_, clerk, under=county.town_b.name))
    preview = spb.PreviewResultsRequest(round=round_.name)
    preview.weight_overrides.source_weights.update({"ORGANIZATION": 50, "MASS": 50})
    expect(grpc.StatusCode.PERMISSION_DENIED, lambda: county.s.PreviewResults(preview, metadata=clerk))


def test_another_countys_caller_is_refused_every_results_rpc(platform, county):
    round_ = county.publish()
    other = platform.as_("county_admin", ["610223"])
    result = f"{round_.name}/results/{county.strong.name.rsplit('/', 1)[-1]}"
    calls = [
        lambda: county.s.GetResult(spb.GetResultRequest(name=result), metadata=other),
        lambda: county.s.ListResults(spb.ListResultsRequest(parent=round_.name), metadata=other),
        lambda: county.s.ExportResults(spb.ExportResultsRequest(parent=round_.name), metadata=other),
        lambda: county.s.PreviewResults(spb.PreviewResultsRequest(round=round_.name), metadata=other),
    ]
    for call in calls:
        expect(grpc.StatusCode.PERMISSION_DENIED, call)
    # A filter naming another county's unit is refused before anything is read.
    foreign = "tenants/610223/units/u-1"
    expect(grpc.StatusCode.PERMISSION_DENIED, lambda: county.s.ListResults(
        spb.ListResultsRequest(parent=round_.name, township=foreign), metadata=county.admin))
