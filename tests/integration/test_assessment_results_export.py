"""The printed results table (ExportResults), what-if previews (PreviewResults), and the pbctl
commands over both, against the running server."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal as D

import grpc
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from partybuilding.assessment.v1 import assessment_results_pb2 as spb

from services.assessment.service_layer import commands, schemes
from services.common.auth import Principal
from services.common.tenancy import etag_of
from services.pbctl.main import cli
from tests.conftest import token
from tests.helpers import expect
from tests.integration.results_county import GRADES, ResultsCounty
from tests.integration.round_county import outbox_types


@pytest.fixture
def county(platform):
    return ResultsCounty(platform)


def _preview(county, round_, md=None, revision=0, dimensions=None, sources=None, movers_only=False):
    request = spb.PreviewResultsRequest(round=round_.name, revision=revision, movers_only=movers_only)
    request.weight_overrides.dimension_weights.update(dimensions or {})
    request.weight_overrides.source_weights.update(sources or {})
    return county.s.PreviewResults(request, metadata=md or county.admin)


def test_the_export_is_the_table_a_county_office_prints(platform, county):
    round_ = county.publish([(county.strong, "CORRUPTION")], display_name="2026年度评星定级")
    answer = county.s.ExportResults(spb.ExportResultsRequest(parent=round_.name), metadata=county.admin)
    assert answer.filename == "2026年度评星定级-结果.xlsx"
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [[value for value in row if value is not None] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["2026年度评星定级 考核结果（2026）（公示稿）"]
    assert rows[1] == ["排名", "乡镇", "单位/姓名", "组织建设", "发展业绩", "扣分", "总分", "调整前等级", "等级",
                       "负面清单"]
    assert rows[2] == ["1", "彭镇", "村0", "60.00", "40.00", "0.00", "100.00", "五星", "三星", "违纪违法"]
    assert rows[4][:3] == ["3", "太安镇", "东村"]
    # Every cell is text: a score never becomes a number Excel reformats, a name never a formula.
    assert {cell.data_type for row in sheet.iter_rows() for cell in row if cell.value is not None} == {"s"}
    only = county.s.ExportResults(spb.ExportResultsRequest(parent=round_.name, township=county.town_b.name),
                                  metadata=county.admin)
    assert [r[2] for r in load_workbook(io.BytesIO(only.content)).active.iter_rows(values_only=True)][2:] == ["东村"]


def test_a_preview_of_other_weights_shows_who_moves_and_writes_nothing(platform, county):
    round_ = county.publish()
    before_results, before_events = county.results(round_), outbox_types(platform, county.code)
    # 组织建设 20 %, 发展业绩 80 %: 村1 drops from 72.30 (三星) to 55.43 (二星); the order holds.
    answer = _preview(county, round_, dimensions={"ORG": 20, "DEV": 80})
    assert (answer.target_count, answer.mover_count) == (3, 1)
    mover = answer.rows[0]
    assert (mover.display_name, mover.moved, mover.current.grade_display_name, mover.draft.grade_display_name) == (
        "村1", True, "三星", "二星")
    assert (mover.current.total, mover.draft.total, mover.rank_change) == (72.3, 55.43, 0)
    assert answer.current_revision == answer.draft_revision == county.revision
    assert [r.display_name for r in _preview(county, round_, dimensions={"ORG": 20, "DEV": 80},
                                             movers_only=True).rows] == ["村1"]
    assert county.results(round_) == before_results
    assert outbox_types(platform, county.code) == before_events


def test_a_preview_of_a_draft_revision_scores_the_round_under_it(platform, county):
    round_ = county.publish()
    # Revision 2 (a draft): 四星 from 70 points instead of 80.
    uows, who = platform.runtime("assessment").uow_factory, Principal.operator("test")
    grades = tuple(replace(g, min_score=D(70)) if g.code == "FOUR_STAR" else
                   replace(g, min_score=D(60)) if g.code == "THREE_STAR" else g for g in GRADES)
    latest = schemes.get_scheme(commands.GetScheme(county.code, "stars"), uows, who)
    schemes.update_scheme(commands.UpdateScheme(county.code, "stars", {"grades": grades},
                                                etag_of(latest.record.version)), uows, who)
    answer = _preview(county, round_, revision=2)
    assert answer.draft_revision == f"tenants/{county.code}/schemes/stars/revisions/2"
    assert [(r.display_name, r.current.grade_display_name, r.draft.grade_display_name, r.moved)
            for r in answer.rows] == [("村1", "三星", "四星", True), ("村0", "五星", "五星", False),
                                      ("东村", "二星", "二星", False)]


def test_preview_refusals_name_the_field(platform, county):
    round_ = county.publish()
    expect(grpc.StatusCode.INVALID_ARGUMENT, lambda: _preview(county, round_, dimensions={"ORG": 50}),
           field="weight_overrides.dimension_weights")
    expect(grpc.StatusCode.INVALID_ARGUMENT, lambda: _preview(county, round_, sources={"PRESS": 10}),
           field="weight_overrides.source_weights[PRESS]")
    expect(grpc.StatusCode.INVALID_ARGUMENT, lambda: _preview(county, round_), field="revision")
    expect(grpc.StatusCode.INVALID_ARGUMENT, lambda: _preview(county, round_, revision=9), field="revision")
    expect(grpc.StatusCode.INVALID_ARGUMENT, lambda: _preview(county, round_, sources={"MASS": float("nan")}),
           field="weight_overrides.source_weights[MASS]")


def test_results_export_and_preview_from_the_shell(platform, county, monkeypatch, tmp_path):
    round_ = county.publish()
    round_id = round_.name.rsplit("/", 1)[-1]
    target = ["--tenant", county.code, "--target", f"127.0.0.1:{platform.port}"]
    run = CliRunner().invoke
    monkeypatch.setenv("TOKEN", token("county_admin", [county.code]))
    listed = run(cli, ["assessment", "results", round_id, *target])
    assert listed.exit_code == 0, listed.output
    assert [line.split()[1] for line in listed.output.splitlines()] == ["村0", "村1", "东村"]
    one = run(cli, ["assessment", "result", round_id, county.middle.name.rsplit("/", 1)[-1], *target])
    assert "三会一课 (MEETINGS)  23.50/30  [ORGANIZATION 25 -> 25.00, MASS 20 -> 20.00]" in one.output, one.output
    out = tmp_path / "results.xlsx"
    exported = run(cli, ["assessment", "export", round_id, "-o", str(out), *target])
    assert exported.exit_code == 0 and out.read_bytes()[:2] == b"PK", exported.output
    moved = run(cli, ["assessment", "preview", round_id, "--weight", "ORG=20", "--weight", "DEV=80", *target])
    assert "1 of 3 targets move" in moved.output and "村1  2 -> 2 (+0)  三星 -> 二星" in moved.output, moved.output
    bad = run(cli, ["assessment", "preview", round_id, "--weight", "ORG=50", *target])
    assert bad.exit_code == 2 and "weight_overrides.dimension_weights" in bad.output, bad.output


def test_the_demo_countys_finished_star_rating_round_has_its_results_and_prints(platform):
    from partybuilding.assessment.v1 import assessment_rounds_pb2 as rpb

    from services.assessment import demo, demo_rounds

    county = ResultsCounty(platform)
    uows = platform.runtime("assessment").uow_factory
    demo.load_demo(uows, county.code)
    assert demo_rounds.load_demo_rounds(uows, "star-rating", county.code)
    past = [r for r in county.s.ListRounds(rpb.ListRoundsRequest(parent=county.parent), metadata=county.admin).rounds
            if r.state == rpb.Round.FINALIZED][0]
    results = county.results(past)
    assert len(results) == 3 and {r.stage for r in results} == {spb.Result.FINAL}
    assert sorted(r.rank_in_scope for r in results)[0] == 1 and all(r.grade_display_name for r in results)
    answer = county.s.ExportResults(spb.ExportResultsRequest(parent=past.name), metadata=county.admin)
    rows = list(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("排名", "乡镇", "单位/姓名") and rows[1][-4:] == ("总分", "调整前等级", "等级", "负面清单")
    assert len(rows[1]) == 3 + 4 + 5  # the template's four groups (组织建设, 班子队伍, 发展业绩, 服务群众)
