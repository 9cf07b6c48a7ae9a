"""The demo county's rounds (demo_rounds.py) on the 评星定级 template: last year's finished, this
year's in its township stage with the first township's villages scored; loading again adds nothing."""

from __future__ import annotations

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
    assert [(r.period, r.state, r.stage) for r in listed] == [
        ("2026", rpb.Round.RUNNING, "TOWNSHIP_ASSESSMENT"), ("2025", rpb.Round.FINALIZED, "")]
    current, past = listed
    scored = {x.township: all(p.scored == p.required for p in x.progress if p.source == "ORGANIZATION")
              for x in rc.targets(current)}
    assert scored == {rc.town.name: True, rc.town_b.name: False}
    assert all(p.scored == p.required for x in rc.targets(past) for p in x.progress)
    kinds = [e.kind for e in rc.events(past)]
    assert kinds.count(rpb.RoundEvent.ROUND_ADVANCED) == 5
    assert {e.actor_role for e in rc.events(past)} >= {"clerk", "operator", "city"}
    assert demo_rounds.load_demo_rounds(uows, "star-rating", rc.code)
    assert len(rc.s.ListRounds(rpb.ListRoundsRequest(parent=rc.parent), metadata=rc.admin).rounds) == 2
