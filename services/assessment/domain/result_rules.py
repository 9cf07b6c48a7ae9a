"""What a finalized round's results set off, by the scheme's result rules (ResultRules).

Pure: the scoring of this round and what the previous finalized round of the same scheme left
(each target's title and its run of last places) in, the decisions out. The service layer turns
each decision into an event (and a weak result into a rectification case).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.assessment.domain.scheme import ResultRules, Scheme, TargetKind
from services.assessment.domain.scoring import Scoring


@dataclass(frozen=True)
class Carried:
    """What one target carried out of the previous finalized round of the same scheme."""

    grade: str
    rank_in_scope: int
    total_centi: int
    holds_title: bool
    last_place_streak: int  # consecutive finalized rounds (that one included) it was last in


@dataclass(frozen=True)
class TargetDecision:
    target_id: str
    commended: bool  # its grade is one the rules commend (target_commended)
    last_place: bool  # last in the round's scope (reminder_letter_due when the rules say so)
    last_place_streak: int  # including this round
    admonishing_talk: bool  # last in `talk_after_last_places` consecutive rounds (admonishing_talk_due)
    weak: bool  # a unit graded at or below weak_at_or_below (软弱涣散: flag + rectification case)
    holds_title: bool
    title_granted: bool  # holds the title now and did not after the previous round
    title_revoked: bool  # held it after the previous round and lost it now


def decide(scheme: Scheme, scoring: Scoring, previous: Mapping[str, Carried]) -> dict[str, TargetDecision]:
    """The result rules applied to every target of the round, by target id."""
    rules: ResultRules = scheme.result_rules
    results = scoring.results
    # With one target there is no "last place" to warn: it is also first.
    last_rank = max((r.rank_in_scope for r in results), default=0) if len(results) > 1 else 0
    grade_index = {band.code: i for i, band in enumerate(scheme.grades)}
    weak_from = grade_index.get(rules.weak_at_or_below) if rules.weak_at_or_below else None
    units_assessed = scheme.target_kind is not TargetKind.SECRETARY
    title_grades = set(rules.title.grades) if rules.title else set()
    decisions = {}
    for r in results:
        carried = previous.get(r.target.target_id)
        last = r.rank_in_scope == last_rank
        streak = (carried.last_place_streak + 1 if carried else 1) if last else 0
        holds = r.grade in title_grades
        held = bool(carried and carried.holds_title)
        decisions[r.target.target_id] = TargetDecision(
            target_id=r.target.target_id,
            commended=r.grade in rules.commend_grades,
            last_place=last,
            last_place_streak=streak,
            admonishing_talk=rules.talk_after_last_places > 0 and streak >= rules.talk_after_last_places,
            weak=units_assessed and weak_from is not None and r.grade_index >= weak_from,
            holds_title=holds,
            title_granted=rules.title is not None and holds and not held,
            title_revoked=rules.title is not None and held and not holds,
        )
    return decisions
