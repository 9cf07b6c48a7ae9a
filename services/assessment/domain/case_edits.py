"""Changing an open case's plan (调整整改方案): add a problem the supervision found, move a
deadline (延期), change measures or the owner, take a problem off the ledger (撤销).

These are the county's decisions, each noted in the problem's history with who, when, what
before and after, and why, so the ledger still reads as the record of what was promised. A
closed problem is history and never changes; a removed one stays on the case (its number and
its notes are kept) but no longer counts. A case keeps at least one problem on its ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from services.assessment.domain.rectification import (
    DEFAULT_RULES,
    PROBLEM_FIELDS,
    SETTLED,
    STATE_ZH,
    Case,
    CaseState,
    LedgerRules,
    Note,
    NoteKind,
    Problem,
    ProblemDraft,
    ProblemState,
    check_problem,
)
from services.common.errors import FailedPrecondition, InvalidArgument, Validator

_FIELD_ZH = {"description": "问题描述", "measures": "整改措施", "deadline": "整改时限", "owner": "责任人"}
# The order a revision's note lists its changes in.
_FIELD_ORDER = ("deadline", "measures", "owner", "description")


def _refuse_settled(problem: Problem, problem_name: str, what_zh: str, what_en: str) -> None:
    if problem.state in SETTLED:
        raise FailedPrecondition(
            f"PROBLEM_{problem.state.value}", f"问题 {problem_name} {STATE_ZH[problem.state]}，不能{what_zh}",
            f"{problem_name} is {problem.state.value}: only a problem still being rectified can be {what_en}",
            {"resource": problem_name, "state": problem.state.value})


def _touch(case: Case, problem: Problem, note: Note) -> None:
    problem.notes.append(note)
    problem.version += 1
    case.version += 1


def add_problem(case: Case, draft: ProblemDraft, note: str, by: str, at: dt.datetime, today: dt.date,
                case_label: str, rules: LedgerRules = DEFAULT_RULES) -> Problem:
    """A new problem numbered after the last (numbers are never reused), checked as at creation."""
    if case.state is not CaseState.OPEN:
        raise FailedPrecondition("CASE_CLOSED", f"台账 {case_label} 已全部销号，不能再增加问题；请新建台账",
                                 f"{case_label} is closed: open a new case instead", {"resource": case_label})
    v = Validator()
    checked = check_problem(v, "problem", draft, today, rules)
    text = v.text(note, "note", max_len=rules.note_max, required=False, multi_line=True)
    v.require(len(case.listed_problems()) < rules.max_problems, "problem",
              f"一个台账最多 {rules.max_problems} 个问题", f"a case lists at most {rules.max_problems} problems")
    v.raise_if_any()
    number = max((p.number for p in case.problems), default=0) + 1
    problem = Problem(number, checked.description, checked.measures, checked.deadline, checked.owner)
    case.problems.append(problem)
    _touch(case, problem, Note(NoteKind.ADDED, text or "新增问题", by, at))
    return problem


def _shown(field: str, value) -> str:
    if field == "deadline":
        return value.isoformat()
    if field == "measures":
        return "；".join(value)
    if field == "owner":
        return value.display_name + (f"（{value.subject}）" if value.subject else "")
    return value


def revise_problem(case: Case, problem: Problem, changes: Mapping[str, object], reason: str, by: str,
                   at: dt.datetime, today: dt.date, problem_name: str,
                   rules: LedgerRules = DEFAULT_RULES) -> tuple[list[str], str]:
    """Change the fields `changes` names (a subset of description, measures, deadline, owner);
    returns those that really changed, and the reason as noted. A new deadline is announced
    overdue again when it passes."""
    _refuse_settled(problem, problem_name, "调整", "revised")
    v = Validator()
    proposed = ProblemDraft(changes.get("description", problem.description), changes.get("measures", problem.measures),
                            changes.get("deadline", problem.deadline), changes.get("owner", problem.owner))
    checked = check_problem(v, "problem", proposed, today, rules, only=frozenset(changes) & PROBLEM_FIELDS)
    reason = v.text(reason, "reason", max_len=rules.note_max, multi_line=True)
    v.raise_if_any()
    after = {"description": checked.description, "measures": checked.measures, "deadline": checked.deadline,
             "owner": checked.owner}
    before = {"description": problem.description, "measures": problem.measures, "deadline": problem.deadline,
              "owner": problem.owner}
    changed = [field for field in _FIELD_ORDER if field in changes and after[field] != before[field]]
    if not changed:
        raise InvalidArgument.field("problem", "所列字段与现有内容相同，没有可调整的内容",
                                    "the fields named by update_mask already hold these values", "NOTHING_CHANGES")
    lines = [f"{_FIELD_ZH[f]}：{_shown(f, before[f])} → {_shown(f, after[f])}" for f in changed]
    problem.description, problem.measures, problem.owner = checked.description, checked.measures, checked.owner
    if "deadline" in changed:
        problem.deadline, problem.overdue_announced = checked.deadline, False
    _touch(case, problem, Note(NoteKind.REVISED, "\n".join([*lines, f"原因：{reason}"]), by, at))
    return changed, reason


def remove_problem(case: Case, problem: Problem, reason: str, by: str, at: dt.datetime, problem_name: str,
                   rules: LedgerRules = DEFAULT_RULES) -> tuple[bool, str]:
    """Take a problem off the ledger; (whether that leaves only closed problems and so closes
    the case, the reason as noted)."""
    _refuse_settled(problem, problem_name, "撤销", "removed")
    v = Validator()
    reason = v.text(reason, "reason", max_len=rules.note_max, multi_line=True)
    v.raise_if_any()
    if not [p for p in case.listed_problems() if p is not problem]:
        raise FailedPrecondition("LAST_PROBLEM", f"{problem_name} 是台账上唯一的问题，不能撤销",
                                 f"{problem_name} is the case's only problem: a case keeps at least one",
                                 {"resource": problem_name})
    problem.state = ProblemState.REMOVED
    _touch(case, problem, Note(NoteKind.REMOVED, f"撤销原因：{reason}", by, at))
    if case.state is CaseState.OPEN and not case.open_problems():
        case.state, case.closed_at, case.next_supervision_on = CaseState.CLOSED, at, None
        return True, reason
    return False, reason
