"""A unit graded weak when its round is finalized gets a rectification case (一村一策), in the same
transaction as its result; the secretary of the village owns the problem."""

from __future__ import annotations

from partybuilding.assessment.v1 import assessment_cases_pb2 as cases_pb2

from tests.integration.results_county import ResultsCounty
from tests.integration.round_county import outbox_types


def test_a_weak_village_gets_a_case_owned_by_its_secretary(platform):
    county = ResultsCounty(platform)
    round_ = county.finalize(display_name="2026年度评星定级")
    cases = county.s.ListCases(cases_pb2.ListCasesRequest(parent=county.parent), metadata=county.admin).cases
    assert [(c.unit, c.source_round) for c in cases] == [(county.weak.name, round_.name)]
    case = cases[0]
    assert case.title == "2026年度评星定级：东村软弱涣散整顿"
    [problem] = case.problems
    assert "二星" in problem.description and "一村一策" in problem.measures[0]
    assert problem.owner.display_name == "书记2"  # 东村's secretary in the rounds' county
    assert "assessment.case_opened" in outbox_types(platform, county.code)


def test_each_weak_village_still_active_gets_its_case_in_one_finalize(platform):
    """Cases open in bulk at finalize: each weak village its own, owned by its own secretary; a
    village merged since the round began gets none."""
    from dataclasses import replace

    from tests.integration.results_county import STRONG, WEAK

    county = ResultsCounty(platform)
    marks = {county.strong.name: STRONG, county.middle.name: WEAK, county.weak.name: WEAK}
    round_ = county.publish(marks=marks)
    with platform.runtime("assessment").uow_factory(county.code) as uow:
        merged = uow.directory.unit(county.weak.name.rsplit("/", 1)[-1])
        uow.directory.apply_units([replace(merged, state="MERGED", version=merged.version + 1)])
        uow.commit()
    county.notice_began_days_ago(round_, 8)
    county.advance(round_)
    county.advance(round_)
    assert {r.display_name for r in county.results(round_) if r.weak} == {"村1", "东村"}
    cases = county.s.ListCases(cases_pb2.ListCasesRequest(parent=county.parent), metadata=county.admin).cases
    assert [(c.unit, c.problems[0].owner.display_name, c.problems[0].owner.member) for c in cases] == [
        (county.middle.name, "书记1", county.members[1].name)]
    assert outbox_types(platform, county.code).count("assessment.case_opened") == 1
