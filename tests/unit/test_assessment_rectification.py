"""The rectification ledger's rules (问题台账): what a county clerk would see go right or be refused."""

from __future__ import annotations

import datetime as dt

import pytest

from services.assessment.domain import rectification as r
from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied

TODAY = dt.date(2026, 6, 1)
NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
NAME = "tenants/610222/cases/c-1/problems/1"


def draft(description="党员活动室长期闲置", measures=("每月开放活动室", "建立值班制度"), deadline=TODAY, owner="王书记"):
    return r.ProblemDraft(description, tuple(measures), deadline, r.Owner(owner))


def case(*drafts, days=15) -> r.Case:
    title, cleaned, days = r.check_case("某村软弱涣散整顿", drafts or (draft(),), days, TODAY)
    return r.new_case("610222", "c-1", "u-v1", title, "", cleaned, days, NOW, TODAY, "county")


def violations(err: InvalidArgument) -> dict[str, str]:
    return {v.field: v.en for v in err.violations}


def test_a_new_case_is_open_and_first_supervised_fifteen_days_later():
    c = case(draft(), draft(description="财务公开不及时"))
    assert c.state is r.CaseState.OPEN
    assert [p.number for p in c.problems] == [1, 2]
    assert c.next_supervision_on == dt.date(2026, 6, 16)
    assert all(p.state is r.ProblemState.OPEN for p in c.problems)


def test_every_wrong_field_is_named_at_creation():
    drafts = (draft(description="", measures=()), draft(measures=("ok", "bad\x07"), deadline=TODAY - dt.timedelta(days=1)),
              draft(deadline=None, owner=""))
    with pytest.raises(InvalidArgument) as err:
        r.check_case("标题\u202e", drafts, 0, TODAY)
    found = violations(err.value)
    assert set(found) == {"case.title", "case.problems[0].description", "case.problems[0].measures",
                          "case.problems[1].measures[1]", "case.problems[1].deadline",
                          "case.problems[2].deadline", "case.problems[2].owner.display_name"}
    assert "before today" in found["case.problems[1].deadline"]


def test_a_deadline_today_is_accepted_and_a_mistyped_year_is_not():
    r.check_case("t", (draft(deadline=TODAY),), 0, TODAY)
    with pytest.raises(InvalidArgument) as err:
        r.check_case("t", (draft(deadline=dt.date(2062, 6, 1)),), 0, TODAY)
    assert "after" in violations(err.value)["case.problems[0].deadline"]


def test_no_problems_and_a_silly_interval_are_refused():
    with pytest.raises(InvalidArgument) as err:
        r.check_case("t", (), 400, TODAY)
    assert set(violations(err.value)) == {"case.problems", "case.supervision_days"}


def test_a_problem_closes_only_after_inspection_and_the_case_with_its_last_problem():
    c = case(draft(), draft())
    first, second = c.problems
    assert not r.apply(c, first, r.Action.PROGRESS, "活动室已开放", "clerk", NOW, NAME)
    assert not r.apply(c, first, r.Action.REQUEST_CLOSURE, "", "clerk", NOW, NAME)
    assert first.state is r.ProblemState.CLOSURE_REQUESTED and first.closure_requested_by == "clerk"
    assert not r.apply(c, first, r.Action.VERIFY_PASSED, "现场查看属实", "chief", NOW, NAME)
    assert first.state is r.ProblemState.CLOSED and first.closed_by == "chief"
    assert c.state is r.CaseState.OPEN
    r.apply(c, second, r.Action.REQUEST_CLOSURE, "", "clerk", NOW, NAME)
    assert r.apply(c, second, r.Action.VERIFY_PASSED, "", "chief", NOW, NAME)
    assert c.state is r.CaseState.CLOSED and c.closed_at == NOW and c.next_supervision_on is None
    assert [n.kind for n in first.notes] == [r.NoteKind.PROGRESS, r.NoteKind.CLOSURE_REQUESTED,
                                             r.NoteKind.VERIFICATION_PASSED]


def test_a_failed_inspection_sends_the_problem_back_and_must_say_why():
    c = case()
    p = c.problems[0]
    r.apply(c, p, r.Action.REQUEST_CLOSURE, "", "clerk", NOW, NAME)
    with pytest.raises(InvalidArgument) as err:
        r.apply(c, p, r.Action.VERIFY_FAILED, "  ", "chief", NOW, NAME)
    assert set(violations(err.value)) == {"note"}
    assert p.state is r.ProblemState.CLOSURE_REQUESTED
    r.apply(c, p, r.Action.VERIFY_FAILED, "制度未上墙", "chief", NOW, NAME)
    assert p.state is r.ProblemState.OPEN and c.state is r.CaseState.OPEN


@pytest.mark.parametrize(("state", "action"), [
    (r.ProblemState.OPEN, r.Action.VERIFY_PASSED),
    (r.ProblemState.OPEN, r.Action.VERIFY_FAILED),
    (r.ProblemState.CLOSURE_REQUESTED, r.Action.REQUEST_CLOSURE),
    (r.ProblemState.CLOSED, r.Action.PROGRESS),
    (r.ProblemState.CLOSED, r.Action.REQUEST_CLOSURE),
    (r.ProblemState.CLOSED, r.Action.VERIFY_PASSED),
])
def test_moves_the_table_does_not_allow_are_refused_and_change_nothing(state, action):
    c = case()
    p = c.problems[0]
    p.state = state
    with pytest.raises(FailedPrecondition) as err:
        r.apply(c, p, action, "说明", "x", NOW, NAME)
    assert err.value.reason == f"PROBLEM_{state.value}"
    assert p.state is state and p.notes == [] and p.version == 1


def test_progress_needs_words_and_no_hidden_characters():
    c = case()
    for bad in ("", "进展\x1b[31m"):
        with pytest.raises(InvalidArgument) as err:
            r.apply(c, c.problems[0], r.Action.PROGRESS, bad, "clerk", NOW, NAME)
        assert set(violations(err.value)) == {"progress_note"}


def test_neither_the_requester_nor_the_owner_closes_a_problem():
    c = case(draft())
    p = c.problems[0]
    r.apply(c, p, r.Action.REQUEST_CLOSURE, "", "user:li", NOW, NAME)
    with pytest.raises(PermissionDenied) as err:
        r.check_verifier(p, "user:li", NAME, frozenset({"user:wang"}))
    assert err.value.reason == "VERIFIER_REQUESTED_CLOSURE"
    with pytest.raises(PermissionDenied) as err:
        r.check_verifier(p, "user:wang", NAME, frozenset({"user:wang"}))
    assert err.value.reason == "OWNER_CANNOT_VERIFY"
    r.check_verifier(p, "user:zhao", NAME, frozenset({"user:wang"}))


def test_overdue_means_past_the_deadline_and_not_closed():
    c = case(draft(deadline=TODAY))
    p = c.problems[0]
    assert not p.is_overdue(TODAY)
    assert p.is_overdue(TODAY + dt.timedelta(days=1)) and p.days_overdue(TODAY + dt.timedelta(days=3)) == 3
    r.apply(c, p, r.Action.REQUEST_CLOSURE, "", "clerk", NOW, NAME)
    assert p.is_overdue(TODAY + dt.timedelta(days=1)), "waiting for the inspection does not stop the clock"
    assert r.newly_overdue(c, TODAY + dt.timedelta(days=1)) == [p]
    p.overdue_announced = True
    assert r.newly_overdue(c, TODAY + dt.timedelta(days=1)) == []
    r.apply(c, p, r.Action.VERIFY_PASSED, "", "chief", NOW, NAME)
    assert not p.is_overdue(TODAY + dt.timedelta(days=30))


def test_supervision_keeps_its_rhythm_after_missed_sweeps():
    due = dt.date(2026, 6, 16)
    assert r.next_supervision(due, due, 15) == dt.date(2026, 7, 1)
    assert r.next_supervision(due, dt.date(2026, 7, 20), 15) == dt.date(2026, 7, 31)
    c = case()
    assert not r.supervision_due(c, due - dt.timedelta(days=1))
    assert r.supervision_due(c, due)
