"""The ledger's daily sweep (督办): each overdue problem announced once, each supervision date
announced once and moved on by the case's interval, however often the job runs."""

from __future__ import annotations

import datetime as dt

from partybuilding.assessment.v1 import assessment_cases_pb2 as cpb

from services.assessment.entrypoints import jobs
from services.assessment.service_layer.case_commands import SweepCases
from services.assessment.service_layer.case_sweep import sweep_county
from services.common.auth import Principal
from tests.integration.case_ledger import Ledger, as_if_opened_days_ago, outbox


def _sweep(ledger: Ledger, offset: int):
    uows = ledger.p.runtime("assessment").uow_factory
    return sweep_county(SweepCases(ledger.code, ledger.today + dt.timedelta(days=offset)), uows,
                       Principal.operator("test"))


def _events(ledger: Ledger, kind: str) -> list[dict]:
    return [payload for type_, payload in outbox(ledger.p, ledger.code) if type_ == f"assessment.{kind}"]


def test_overdue_problems_are_announced_once_each(platform):
    ledger = Ledger(platform)
    case = ledger.create(ledger.problem(deadline=3), ledger.problem("组织生活不规范", deadline=10),
                         supervision_days=30)
    late = case.problems[0].name
    assert _sweep(ledger, 3).overdue == 0, "on its deadline a problem is not yet overdue"
    assert _sweep(ledger, 4).overdue == 1
    assert _sweep(ledger, 4).overdue == 0, "a second run the same day writes nothing"
    [event] = _events(ledger, "problem_overdue")
    assert event["problem"] == late and event["days_overdue"] == 1 and event["owner"]["display_name"] == "王书记"
    assert event["deadline"] == ledger.day(3) and event["unit"] == ledger.inside.village.name
    assert _sweep(ledger, 20).overdue == 1
    assert [e["problem"] for e in _events(ledger, "problem_overdue")] == [late, case.problems[1].name]


def test_a_problem_closed_in_time_is_never_announced(platform):
    ledger = Ledger(platform)
    problem = ledger.create(ledger.problem(deadline=1)).problems[0].name
    ledger.request_closure(problem)
    ledger.verify(problem)
    assert _sweep(ledger, 5).overdue == 0 and _events(ledger, "problem_overdue") == []


def test_supervision_comes_every_interval_and_once_per_date(platform):
    ledger = Ledger(platform)
    case = ledger.create(ledger.problem(deadline=60))
    assert _sweep(ledger, 14).supervisions == 0
    assert _sweep(ledger, 15).supervisions == 1
    assert _sweep(ledger, 15).supervisions == 0
    assert ledger.get(case.name).next_supervision_date == ledger.day(30)
    # A sweep that missed some days announces once and keeps the rhythm.
    assert _sweep(ledger, 50).supervisions == 1
    assert ledger.get(case.name).next_supervision_date == ledger.day(60)
    events = _events(ledger, "case_supervision_due")
    assert [(e["supervision_date"], e["next_supervision_date"]) for e in events] == [
        (ledger.day(15), ledger.day(30)), (ledger.day(30), ledger.day(60))]
    assert events[0]["open_problems"] == 1 and "overdue_problems" not in events[0]


def test_a_closed_case_is_no_longer_supervised(platform):
    ledger = Ledger(platform)
    case = ledger.create(supervision_days=5)
    problem = case.problems[0].name
    ledger.request_closure(problem)
    ledger.verify(problem)
    assert _sweep(ledger, 10).supervisions == 0
    assert ledger.get(case.name).state == cpb.Case.CLOSED


def test_the_daily_job_sweeps_every_county_once_a_day(platform):
    ledger = Ledger(platform)
    late = ledger.create(ledger.problem(deadline=10))
    ledger.create(ledger.problem(deadline=10))
    as_if_opened_days_ago(ledger, late.name, 20)
    assert jobs.sweep_cases in jobs.DAILY_JOBS
    uows = platform.runtime("assessment").uow_factory
    jobs.sweep_cases(uows)
    jobs.sweep_cases(uows)
    assert [e["problem"] for e in _events(ledger, "problem_overdue")] == [late.problems[0].name]
    [due] = _events(ledger, "case_supervision_due")
    assert due["case"] == late.name and due["overdue_problems"] == 1
    assert ledger.get(late.name).next_supervision_date == ledger.day(10)
