"""The rectification ledger (问题台账): a case lists a unit's problems, each with its measures
(整改措施), a deadline (整改时限) and an owner (责任人); the work station supervises every N days
(每15天督办一次) and a problem is closed (销号) only after inspection, signed by the station chief.

宜君 keeps one ledger per unit and closes a problem "挂账销号": the owner reports it done, someone
else inspects it, and only then is it struck off. A weak-and-lax (软弱涣散) village gets its
case opened by the round that graded it (一村一策); a county opens the others by hand.

A problem moves OPEN → CLOSURE_REQUESTED → CLOSED, or back to OPEN when the inspection fails; the
moves are the table TRANSITIONS. A case is closed exactly when all its problems are. Bounds and
the supervision interval are `LedgerRules`, shipped with the values above.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.common.errors import FailedPrecondition, PermissionDenied, Validator


class ProblemState(enum.StrEnum):
    OPEN = "OPEN"  # 整改中
    CLOSURE_REQUESTED = "CLOSURE_REQUESTED"  # 申请销号: waits for the inspection
    CLOSED = "CLOSED"  # 已销号
    REMOVED = "REMOVED"  # 已撤销: taken off the ledger before closure (case_edits.remove_problem)


# A problem in one of these no longer counts: not open, not overdue, not supervised.
SETTLED = frozenset({ProblemState.CLOSED, ProblemState.REMOVED})


class CaseState(enum.StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"  # every problem closed


class NoteKind(enum.StrEnum):
    """One line of a problem's history: who said what, when."""

    PROGRESS = "PROGRESS"  # 整改进展
    CLOSURE_REQUESTED = "CLOSURE_REQUESTED"  # 申请销号
    VERIFICATION_PASSED = "VERIFICATION_PASSED"  # 验收通过，销号
    VERIFICATION_FAILED = "VERIFICATION_FAILED"  # 验收未通过，退回整改
    ADDED = "ADDED"  # 新增问题
    REVISED = "REVISED"  # 调整时限、措施、责任人或描述: before → after, and why
    REMOVED = "REMOVED"  # 撤销, and why


class Action(enum.StrEnum):
    PROGRESS = "PROGRESS"
    REQUEST_CLOSURE = "REQUEST_CLOSURE"
    VERIFY_PASSED = "VERIFY_PASSED"
    VERIFY_FAILED = "VERIFY_FAILED"


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[ProblemState]
    to: ProblemState | None  # None: the state stays
    note: NoteKind
    note_field: str  # the request field that carries the note
    note_required: bool  # a progress report says what was done; a failed inspection, what is still wrong


# What each action does to a problem. Progress may still be reported while the inspection is
# pending (evidence the inspector asked for); a closed problem is history.
TRANSITIONS: dict[Action, Transition] = {
    Action.PROGRESS: Transition(frozenset({ProblemState.OPEN, ProblemState.CLOSURE_REQUESTED}), None,
                                NoteKind.PROGRESS, "progress_note", True),
    Action.REQUEST_CLOSURE: Transition(frozenset({ProblemState.OPEN}), ProblemState.CLOSURE_REQUESTED,
                                       NoteKind.CLOSURE_REQUESTED, "note", False),
    Action.VERIFY_PASSED: Transition(frozenset({ProblemState.CLOSURE_REQUESTED}), ProblemState.CLOSED,
                                     NoteKind.VERIFICATION_PASSED, "note", False),
    Action.VERIFY_FAILED: Transition(frozenset({ProblemState.CLOSURE_REQUESTED}), ProblemState.OPEN,
                                     NoteKind.VERIFICATION_FAILED, "note", True),
}

STATE_ZH = {ProblemState.OPEN: "整改中", ProblemState.CLOSURE_REQUESTED: "待验收销号", ProblemState.CLOSED: "已销号",
            ProblemState.REMOVED: "已撤销"}
_ACTION_ZH = {Action.PROGRESS: "登记整改进展", Action.REQUEST_CLOSURE: "申请销号",
              Action.VERIFY_PASSED: "验收销号", Action.VERIFY_FAILED: "验收退回"}


@dataclass(frozen=True)
class LedgerRules:
    """The ledger's bounds; the defaults are 宜君's practice (supervision every 15 days)."""

    supervision_days: int = 15
    supervision_days_range: tuple[int, int] = (1, 90)
    max_problems: int = 50  # 宣恩's one-village plans hold a handful each; 27 villages had 57 measures
    max_measures: int = 20
    title_max: int = 100
    description_max: int = 500
    measure_max: int = 200
    note_max: int = 1000
    owner_max: int = 50
    subject_max: int = 100  # a token's `sub` (docs/limits.md)
    # A deadline before today is refused at creation (a problem born overdue is a typo or a
    # back-dated ledger); one further ahead than this is a mistyped year.
    deadline_horizon_days: int = 3 * 366


DEFAULT_RULES = LedgerRules()


@dataclass(frozen=True)
class Owner:
    """Who answers for a problem (责任人): a name as written in the ledger, optionally the member
    it is in the organization's directory, and the account (token subject) they sign in with."""

    display_name: str
    member_id: str = ""
    subject: str = ""


@dataclass(frozen=True)
class Note:
    kind: NoteKind
    text: str
    by: str  # token subject
    at: dt.datetime


@dataclass(frozen=True)
class ProblemDraft:
    """A problem as a caller proposes it, before validation."""

    description: str
    measures: tuple[str, ...]
    deadline: dt.date | None
    owner: Owner


@dataclass
class Problem:
    number: int  # 1..n within its case: tenants/{t}/cases/{id}/problems/{n}
    description: str
    measures: tuple[str, ...]
    deadline: dt.date
    owner: Owner
    state: ProblemState = ProblemState.OPEN
    notes: list[Note] = field(default_factory=list)
    closure_requested_by: str = ""  # the subject of the latest RequestClosure
    closed_by: str = ""
    closed_at: dt.datetime | None = None
    overdue_announced: bool = False  # problem_overdue is written once per problem
    version: int = 1

    def is_overdue(self, today: dt.date) -> bool:
        """Past its deadline and not closed or removed (a pending inspection does not stop the clock)."""
        return self.state not in SETTLED and today > self.deadline

    def days_overdue(self, today: dt.date) -> int:
        return max((today - self.deadline).days, 0) if self.is_overdue(today) else 0


@dataclass
class Case:
    tenant: str
    id: str
    unit_id: str
    title: str
    source_round: str  # tenants/{t}/rounds/{id} of the round that opened it, "" when opened by hand
    supervision_days: int
    next_supervision_on: dt.date | None  # None once closed
    opened_at: dt.datetime
    opened_by: str
    problems: list[Problem]
    state: CaseState = CaseState.OPEN
    closed_at: dt.datetime | None = None
    version: int = 1

    def problem(self, number: int) -> Problem | None:
        return next((p for p in self.problems if p.number == number), None)

    def open_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.state not in SETTLED]

    def listed_problems(self) -> list[Problem]:
        """The problems on the ledger: all but the removed ones."""
        return [p for p in self.problems if p.state is not ProblemState.REMOVED]

    def overdue_problems(self, today: dt.date) -> list[Problem]:
        return [p for p in self.problems if p.is_overdue(today)]


# ---------------------------------------------------------------- creation

def check_case(title: str, drafts: Sequence[ProblemDraft], supervision_days: int, today: dt.date,
               rules: LedgerRules = DEFAULT_RULES) -> tuple[str, list[ProblemDraft], int]:
    """The title, problems and supervision interval as stored; INVALID_ARGUMENT naming every wrong field.

    supervision_days 0 means the rules' default."""
    v = Validator()
    title = v.text(title, "case.title", max_len=rules.title_max)
    days = supervision_days or rules.supervision_days
    low, high = rules.supervision_days_range
    v.require(low <= days <= high, "case.supervision_days", f"督办间隔应为 {low} 至 {high} 天",
              f"must be from {low} to {high} days")
    v.require(bool(drafts), "case.problems", "至少列出一个问题", "must list at least one problem")
    v.require(len(drafts) <= rules.max_problems, "case.problems", f"一个台账最多 {rules.max_problems} 个问题",
              f"must list at most {rules.max_problems} problems")
    cleaned = [check_problem(v, f"case.problems[{i}]", d, today, rules) for i, d in enumerate(drafts)]
    v.raise_if_any()
    return title, cleaned, days


PROBLEM_FIELDS = frozenset({"description", "measures", "deadline", "owner"})


def check_problem(v: Validator, path: str, draft: ProblemDraft, today: dt.date, rules: LedgerRules = DEFAULT_RULES,
                  only: frozenset[str] = PROBLEM_FIELDS) -> ProblemDraft:
    """A problem's fields as stored, each wrong one added to `v` under `path`; `only` the fields
    a revision changes (an old deadline already past does not stop a change of owner)."""
    description, measures, deadline, owner = draft.description, draft.measures, draft.deadline, draft.owner
    if "description" in only:
        description = v.text(draft.description, f"{path}.description", max_len=rules.description_max, multi_line=True)
    if "measures" in only:
        v.require(bool(draft.measures), f"{path}.measures", "至少列出一项整改措施", "must list at least one measure")
        v.require(len(draft.measures) <= rules.max_measures, f"{path}.measures",
                  f"最多 {rules.max_measures} 项整改措施", f"must list at most {rules.max_measures} measures")
        measures = tuple(v.text(m, f"{path}.measures[{j}]", max_len=rules.measure_max)
                         for j, m in enumerate(draft.measures))
    if "deadline" in only:
        if deadline is None:
            v.add(f"{path}.deadline", "请填写整改时限（YYYY-MM-DD）", "must be a date YYYY-MM-DD")
        else:
            latest = today + dt.timedelta(days=rules.deadline_horizon_days)
            v.require(deadline >= today, f"{path}.deadline", f"整改时限不能早于今天（{today.isoformat()}）",
                      f"must not be before today ({today.isoformat()})")
            v.require(deadline <= latest, f"{path}.deadline", f"整改时限不能晚于 {latest.isoformat()}",
                      f"must not be after {latest.isoformat()}")
    if "owner" in only:
        owner = Owner(v.text(draft.owner.display_name, f"{path}.owner.display_name", max_len=rules.owner_max),
                      draft.owner.member_id,
                      v.text(draft.owner.subject, f"{path}.owner.subject", max_len=rules.subject_max, required=False))
    return ProblemDraft(description, measures, deadline, owner)


def new_case(tenant: str, case_id: str, unit_id: str, title: str, source_round: str, drafts: Sequence[ProblemDraft],
             supervision_days: int, now: dt.datetime, today: dt.date, opened_by: str) -> Case:
    """A case of checked drafts (check_case); the first supervision falls N days after today."""
    problems = [Problem(i, d.description, d.measures, d.deadline, d.owner) for i, d in enumerate(drafts, start=1)]
    return Case(tenant, case_id, unit_id, title, source_round, supervision_days,
                today + dt.timedelta(days=supervision_days), now, opened_by, problems)


# ---------------------------------------------------------------- moves

def apply(case: Case, problem: Problem, action: Action, text: str, by: str, at: dt.datetime, problem_name: str,
          rules: LedgerRules = DEFAULT_RULES) -> bool:
    """Move one problem by TRANSITIONS and note it; True when this closed the whole case."""
    move = TRANSITIONS[action]
    v = Validator()
    text = v.text(text, move.note_field, max_len=rules.note_max, required=move.note_required, multi_line=True)
    v.raise_if_any()
    if problem.state not in move.allowed_from:
        raise FailedPrecondition(
            f"PROBLEM_{problem.state.value}",
            f"问题 {problem_name} {STATE_ZH[problem.state]}，不能{_ACTION_ZH[action]}",
            f"{problem_name} is {problem.state.value}: {action.value} needs it to be "
            + " or ".join(sorted(s.value for s in move.allowed_from)),
            {"resource": problem_name, "state": problem.state.value},
        )
    problem.notes.append(Note(move.note, text, by, at))
    problem.version += 1
    if move.to is not None:
        problem.state = move.to
    if action is Action.REQUEST_CLOSURE:
        problem.closure_requested_by = by
    if action is Action.VERIFY_PASSED:
        problem.closed_by, problem.closed_at = by, at
    case.version += 1
    if case.state is CaseState.OPEN and not case.open_problems():
        case.state, case.closed_at, case.next_supervision_on = CaseState.CLOSED, at, None
        return True
    return False


def check_verifier(problem: Problem, subject: str, problem_name: str, owner_subjects: frozenset[str]) -> None:
    """销号 is someone else's inspection: never by whoever asked for it, nor by the problem's owner."""
    if subject and subject == problem.closure_requested_by:
        raise PermissionDenied("VERIFIER_REQUESTED_CLOSURE", f"申请销号的人不能验收自己的申请：{problem_name}",
                               f"you requested closure of {problem_name}: someone else inspects and closes it",
                               {"resource": problem_name})
    if subject and subject in owner_subjects:
        raise PermissionDenied("OWNER_CANNOT_VERIFY", f"责任人不能为自己负责的问题销号：{problem_name}",
                               f"you own {problem_name}: its owner cannot close it", {"resource": problem_name})


# ---------------------------------------------------------------- the daily sweep

def next_supervision(due: dt.date, today: dt.date, days: int) -> dt.date:
    """The first supervision date after today, N days at a time from the one that fell due: a
    sweep that missed some days announces once and keeps the rhythm."""
    steps = (today - due).days // days + 1
    return due + dt.timedelta(days=steps * days)


def supervision_due(case: Case, today: dt.date) -> bool:
    return case.state is CaseState.OPEN and case.next_supervision_on is not None and case.next_supervision_on <= today


def newly_overdue(case: Case, today: dt.date) -> list[Problem]:
    """Problems past their deadline whose problem_overdue has not been written yet."""
    return [p for p in case.overdue_problems(today) if not p.overdue_announced]
