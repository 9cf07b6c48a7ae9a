"""Computing a round's results, inside AdvanceRound's (or ResolveObjection's) transaction.

`publish_results`: provisional results on entering the public notice, and again whenever an
upheld objection adjusts scores. `finalize_results`: final results when the round leaves its
last stage, with the scheme's result rules applied, each an event, and a rectification case for
each unit graded weak. Both score with domain/scoring.score, the one scorer, and store every
target's result whole; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from services.assessment.domain import result_events as ev
from services.assessment.domain.names import (
    member_name,
    result_name,
    revision_name,
    round_name,
    unit_name,
)
from services.assessment.domain.result_records import Previous, ResultRecord, record_of
from services.assessment.domain.result_rules import Carried, TargetDecision, decide
from services.assessment.domain.rounds import Round
from services.assessment.domain.scheme import Scheme
from services.assessment.domain.scoring import (
    Scoring,
    ScoringInput,
    TargetScore,
    no_cycle_collection,
    score,
)
from services.assessment.service_layer.result_cases import open_weak_cases
from services.assessment.service_layer.round_access import round_scheme
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWork


def round_input(uow: AssessmentUnitOfWork, round_: Round) -> ScoringInput:
    """What the round holds: its frozen targets, the current values, the negative items recorded."""
    return ScoringInput.of(uow.rounds.targets(round_.id), uow.rounds.score_values(round_.id),
                           uow.rounds.negative_codes(round_.id))


def _scored(uow: AssessmentUnitOfWork, round_: Round, scheme: Scheme) -> tuple[Scoring, dict[str, str]]:
    """The round scored under its scheme (a gap is FAILED_PRECONDITION), and each target's unit path."""
    targets = uow.rounds.targets(round_.id)
    inputs = ScoringInput.of(targets, uow.rounds.score_values(round_.id), uow.rounds.negative_codes(round_.id))
    return score(scheme, inputs), {target.target_id: target.unit_path for target in targets}


def _previous(uow: AssessmentUnitOfWork, round_: Round) -> tuple[Round | None, dict[str, Carried]]:
    before = uow.rounds.previous_round(round_.scheme_id, round_)
    return before, (uow.results.carried(before.id) if before else {})


def _records(scoring: Scoring, paths: Mapping[str, str], decisions: Mapping[str, TargetDecision],
             before: Round | None, carried: Mapping[str, Carried], final: bool, now: dt.datetime) -> list[ResultRecord]:
    records = []
    for result in scoring.results:
        tid = result.target.target_id
        was = carried.get(tid)
        previous = Previous(before.id, was.grade, was.total_centi, was.rank_in_scope) if before and was else None
        records.append(record_of(result, paths.get(tid, ""), final, decisions.get(tid), previous, now))
    return records


@dataclass(frozen=True)
class Computed:
    scheme: Scheme
    scoring: Scoring
    decisions: Mapping[str, TargetDecision]
    before: Round | None  # the previous finalized round of the scheme


def _compute_and_store(uow: AssessmentUnitOfWork, round_: Round, final: bool, now: dt.datetime) -> Computed:
    """Score the round, decide the rules (shown while provisional, acted on only when final), store."""
    scheme = round_scheme(uow, round_)
    scoring, paths = _scored(uow, round_, scheme)
    before, carried = _previous(uow, round_)
    decisions = decide(scheme, scoring, carried)
    uow.results.replace(round_.id, _records(scoring, paths, decisions, before, carried, final, now))
    return Computed(scheme, scoring, decisions, before)


def publish_results(uow: AssessmentUnitOfWork, round_: Round, now: dt.datetime) -> None:
    """Provisional results (公示): stored for GetResult / ListResults / ExportResults; no rule applied yet."""
    with no_cycle_collection():
        done = _compute_and_store(uow, round_, False, now)
    uow.emit(ev.ResultsPublished(round_name(uow.tenant, round_.id),
                                 revision_name(uow.tenant, round_.scheme_id, round_.scheme_revision),
                                 round_.display_name, round_.period, len(done.scoring.results)))


def finalize_results(uow: AssessmentUnitOfWork, round_: Round, now: dt.datetime) -> None:
    """Final results, the result rules' events, ResultsFinalized in batches, cases for weak units."""
    with no_cycle_collection():
        done = _compute_and_store(uow, round_, True, now)
        scheme, scoring, decisions = done.scheme, done.scoring, done.decisions
        for event in rule_events(uow.tenant, round_, scheme, scoring, decisions, done.before):
            uow.emit(event)
        for event in finalized_batches(uow.tenant, round_, scheme, scoring, decisions):
            uow.emit(event)
    open_weak_cases(uow, round_, scheme, [r for r in scoring.results if decisions[r.target.target_id].weak], now)


def _who(tenant: str, round_id: str, result: TargetScore) -> dict:
    t = result.target
    return {"round": round_name(tenant, round_id), "result": result_name(tenant, round_id, t.target_id),
            "unit": unit_name(tenant, t.unit_id), "member": member_name(tenant, t.member_id) if t.member_id else "",
            "display_name": t.display_name}


def rule_events(tenant: str, round_: Round, scheme: Scheme, scoring: Scoring,
                decisions: Mapping[str, TargetDecision], before: Round | None) -> list:
    """One event per rule that fires, target by target in rank order."""
    rules, bands = scheme.result_rules, {band.code: band for band in scheme.grades}
    previous_round = round_name(tenant, before.id) if before else ""
    events: list = []
    for r in scoring.results:
        d, who = decisions[r.target.target_id], _who(tenant, round_.id, r)
        if d.commended:
            events.append(ev.TargetCommended(**who, grade=r.grade, grade_display_name=bands[r.grade].name_zh,
                                             total=float(r.total), rank=r.rank_in_scope))
        if d.last_place and rules.remind_last_place:
            events.append(ev.ReminderLetterDue(**who, grade=r.grade, total=float(r.total), rank=r.rank_in_scope,
                                               target_count=len(scoring.results)))
        if d.admonishing_talk:
            events.append(ev.AdmonishingTalkDue(**who, consecutive_last_places=d.last_place_streak,
                                                previous_round=previous_round))
        if rules.title and d.title_granted:
            events.append(ev.TitleGranted(**who, title=rules.title.code, title_display_name=rules.title.name_zh,
                                          grade=r.grade))
        if rules.title and d.title_revoked:
            events.append(ev.TitleRevoked(**who, title=rules.title.code, title_display_name=rules.title.name_zh,
                                          grade=r.grade, previous_round=previous_round))
    return events


def finalized_batches(tenant: str, round_: Round, scheme: Scheme, scoring: Scoring,
                      decisions: Mapping[str, TargetDecision]) -> list[ev.ResultsFinalized]:
    """The organization's feed: every target's grade, stars and weak flag, RESULTS_BATCH at a time."""
    bands = {band.code: band for band in scheme.grades}
    rows = [
        ev.TargetResult(unit_name(tenant, r.target.unit_id),
                        member_name(tenant, r.target.member_id) if r.target.member_id else "",
                        r.grade, bands[r.grade].name_zh, bands[r.grade].stars, decisions[r.target.target_id].weak,
                        float(r.total), r.rank_in_scope)
        for r in scoring.results
    ]
    size = ev.RESULTS_BATCH
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]
    return [
        ev.ResultsFinalized(round_name(tenant, round_.id),
                            revision_name(tenant, round_.scheme_id, round_.scheme_revision),
                            round_.display_name, round_.period, number, len(chunks),
                            scheme.result_rules.sets_star_level, scheme.result_rules.weak_at_or_below is not None,
                            chunk)
        for number, chunk in enumerate(chunks, start=1)
    ]
