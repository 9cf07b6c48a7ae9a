"""The demo county's rounds (demo_rounds.py) on the 评星定级 template: last year's finished with
one village graded weak and its case open, this year's scored and in its public notice, whose days
are over (the README tour carries it on); loading again adds nothing."""

from __future__ import annotations

from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb
from partybuilding.assessment.v1 import assessment_results_pb2 as rpb_results
from partybuilding.assessment.v1 import assessment_rounds_pb2 as rpb

from services.assessment import demo, demo_rounds
from tests.integration.round_county import RoundCounty


def test_the_demo_rounds_on_the_star_rating_template(platform):
    rc = RoundCounty(platform)
    uows = platform.runtime("assessment").uow_factory
    demo.load_demo(uows, rc.code)
    assert demo_rounds.load_demo_rounds(uows, "star-rating", rc.code)
    listed = rc.s.ListRounds(rpb.ListRoundsRequest(parent=rc.parent, scheme=f"{rc.parent}/schemes/star-rating"),
                             metadata=rc.admin).rounds
    assert [(r.period, r.state, r.stage_kind) for r in listed] == [
        ("2026", rpb.Round.RUNNING, rpb.Round.PUBLIC_NOTICE), ("2025", rpb.Round.FINALIZED, 0)]
    current, past = listed
    assert all(p.scored == p.required for r in listed for x in rc.targets(r) for p in x.progress)
    rc.advance(current)  # the notice's days are over: the county moves on to the city's re-check
    kinds = [e.kind for e in rc.events(past)]
    assert kinds.count(rpb.RoundEvent.ROUND_ADVANCED) == 5
    assert {e.actor_role for e in rc.events(past)} >= {"clerk", "operator", "city"}
    weak = [r for r in rc.s.ListResults(rpb_results.ListResultsRequest(parent=past.name, page_size=100),
                                        metadata=rc.admin).results if r.weak]
    assert [r.target for r in weak] == [rc.targets(past)[-1].name], "last year's last village was graded weak"
    cases = rc.s.ListCases(cpb.ListCasesRequest(parent=rc.parent), metadata=rc.admin).cases
    assert [(c.source_round, c.state) for c in cases] == [(past.name, cpb.Case.OPEN)]
    assert demo_rounds.load_demo_rounds(uows, "star-rating", rc.code)
    assert len(rc.s.ListRounds(rpb.ListRoundsRequest(parent=rc.parent), metadata=rc.admin).rounds) == 2
