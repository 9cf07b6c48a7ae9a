"""The demo county's rounds for `make run`: 宜君县 (610222) runs the 评星定级 (star-rating) scheme.

A finished round of 2025 (every stage walked, scores from the townships' clerks, the county and the
city) and a running round of 2026 scored the same way and in its public notice (公开公示), whose
seven days are over: the README tour files an objection, resolves it, advances into the city's
re-check, adjusts a score as the city and finalizes. In 2025 one village (the last in tree
order) scored poorly: it was graded weak (软弱涣散) and its rectification case is open. Called from demo.py's load_demo_serving once the platform serves and the
directory is resynced (the scheme is published by demo.py's load_demo). Everything goes through
the use cases, as a county would through the RPCs.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from services.assessment.domain.names import unit_name
from services.assessment.domain.rounds import Round, RoundTarget
from services.assessment.domain.scheme import Actor, Indicator, Method, Scheme, StageKind
from services.assessment.domain.stages import indicators_of_source, sources_of
from services.assessment.service_layer import round_access, round_scores, rounds
from services.assessment.service_layer import round_commands as c
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWorkFactory
from services.common.auth import Principal, Role
from services.common.tenancy import city_of

DEMO_CODE = "610222"
PAST_PERIOD, CURRENT_PERIOD = "2025", "2026"


def load_demo_rounds(uows: AssessmentUnitOfWorkFactory, scheme_id: str, code: str = DEMO_CODE) -> bool:
    """Both demo rounds, unless the county has rounds already (a restart adds nothing); False when
    the scheme or the villages are missing."""
    with uows(code, write=False) as uow:
        if uow.rounds.list(scheme_id, None, None, 1):
            return True
        record = uow.schemes.get(scheme_id)
        if record is None or not record.latest_revision:
            return False
        revision = _published_revision(uow, scheme_id, record)
        if revision is None or not uow.round_candidates.units("VILLAGE", "/"):
            return False
    county = Principal.operator("demo")
    past = _create(uows, code, scheme_id, revision, PAST_PERIOD, county)
    _walk(uows, code, past, county, weak=_last_target(uows, code, past))
    current = _create(uows, code, scheme_id, revision, CURRENT_PERIOD, county)
    _walk(uows, code, current, county, stop_in_notice=True)
    return True


def _published_revision(uow, scheme_id: str, record) -> int | None:
    for number in range(record.latest_revision, 0, -1):
        stored = uow.schemes.revision(scheme_id, number, record.template)
        if stored is not None and stored.published:
            return number
    return None


def _create(uows, code: str, scheme_id: str, revision: int, period: str, who: Principal) -> Round:
    view = rounds.create_round(c.CreateRound(code, scheme_id, revision, "", period, "", f"demo-round-{period}"),
                               uows, who)
    return view.round


def demo_value(indicator: Indicator, target_id: str, source: str, *, weak: bool = False, period: str = "") -> float:
    """A plausible value for the method, the same on every start (a hash, not a random draw), and
    another for another `period`; `weak`: a village doing poorly (a third to a half of each indicator)."""
    key = f"{target_id}/{source}/{indicator.code}"
    digest = hashlib.sha256((f"{period}/{key}" if period else key).encode()).digest()
    # 0.60 .. 1.00: most villages do well, a few less so; a weak one 0.30 .. 0.50.
    share = Decimal(30 + digest[0] % 21) / 100 if weak else Decimal(60 + digest[0] % 41) / 100
    if weak and indicator.method is Method.BOOLEAN:
        return 0.0
    if indicator.method is Method.BOOLEAN:
        return 1.0 if digest[1] % 10 else 0.0
    if indicator.method is Method.MANUAL:
        return float((indicator.max_score * share).quantize(Decimal("0.1")))
    if indicator.method is Method.LINEAR and indicator.low is not None and indicator.high is not None:
        return float((indicator.low + (indicator.high - indicator.low) * share).quantize(Decimal("0.1")))
    if indicator.method is Method.TIERS and indicator.tiers:
        return float(indicator.tiers[digest[1] % len(indicator.tiers)].at_least)
    return float(digest[1] % 6)  # COUNT: a few times


def _actor_principal(code: str, actor: Actor, target: RoundTarget) -> Principal:
    if actor is Actor.CLERK:  # the township's clerk scores its villages
        return Principal(f"demo-clerk-{target.township_id}", Role.CLERK, frozenset({code}),
                         unit=unit_name(code, target.township_id))
    if actor is Actor.CITY:
        return Principal("demo-city", Role.CITY, frozenset({city_of(code)}))
    return Principal.operator("demo")


def _fill_stage(uows, code: str, round_: Round, scheme: Scheme, targets: list[RoundTarget],
                scored: frozenset, weak: str = "") -> None:
    """Every value the current stage takes and still lacks, entered by the stage's first actor."""
    stage = scheme.stages[round_.stage_index]
    if stage.kind is StageKind.PUBLIC_NOTICE or not stage.actors:
        return
    indicators = {i.code: i for d in scheme.dimensions for i in d.indicators}
    for target in targets:
        who = _actor_principal(code, stage.actors[0], target)
        for source in sources_of(scheme, stage):
            missing = [code_ for code_ in indicators_of_source(scheme, source)
                       if (target.target_id, source, code_) not in scored]
            if missing:
                cmd = c.SubmitScores(code, round_.id, target.target_id, source, [
                    c.Value(code_, demo_value(indicators[code_], target.target_id, source,
                                              weak=target.target_id == weak, period=round_.period))
                    for code_ in missing])
                round_scores.submit_scores(cmd, uows, who)


def _walk(uows, code: str, round_: Round, county: Principal, *, weak: str = "", stop_in_notice: bool = False) -> None:
    """Score and advance stage by stage to the end, or (`stop_in_notice`) into the public notice,
    whose days are then over: what remains is the county's (objections, advance) and the city's."""
    while not round_.finalized:
        with uows(code, write=False) as uow:
            round_ = round_access.load_round(uow, round_.id)
            scheme = round_access.round_scheme(uow, round_)
            targets = uow.rounds.targets(round_.id)
            scored = uow.rounds.scored_keys(round_.id)
        stage = scheme.stages[round_.stage_index]
        _fill_stage(uows, code, round_, scheme, targets, scored, weak=weak)
        if stage.kind is StageKind.PUBLIC_NOTICE:
            # The notice is over: its stage began `days` before now.
            with uows(code) as uow:
                uow.rounds.backdate_stage(round_.id, stage.days)
                uow.commit()
            if stop_in_notice:
                return
        # The city's re-check ends with the city's own decision; every other stage is the county's.
        who = _actor_principal(code, Actor.CITY, targets[0]) if Actor.CITY in stage.actors else county
        round_ = rounds.advance_round(c.AdvanceRound(code, round_.id, request_id=f"demo-{round_.id}-{stage.code}"),
                                      uows, who).round


def _last_target(uows, code: str, round_: Round) -> str:
    with uows(code, write=False) as uow:
        return uow.rounds.target_ids(round_.id)[-1]
