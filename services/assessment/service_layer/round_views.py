"""What the rounds' RPCs answer: a round with its current stage, a target with what was submitted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.assessment.domain.rounds import NegativeItemRecord, Round, RoundTarget, ScoreValue
from services.assessment.domain.scheme import Scheme, Stage, StageKind
from services.assessment.domain.stages import indicators_of_source, notice_ends_on
from services.assessment.service_layer.round_access import round_scheme
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWork
from services.common.clock import DEFAULT_TZ


@dataclass(frozen=True)
class RoundView:
    round: Round
    stage: Stage | None  # None once finalized
    stage_count: int
    notice_end_date: dt.date | None
    open_objections: int


@dataclass(frozen=True)
class Progress:
    source: str
    scored: int
    required: int


@dataclass(frozen=True)
class TargetView:
    target: RoundTarget
    progress: tuple[Progress, ...]
    values: tuple[ScoreValue, ...]
    negative_items: tuple[tuple[NegativeItemRecord, str], ...]  # with the item's display name


def county_zone(uow: AssessmentUnitOfWork) -> str:
    tenant = uow.directory.tenant()
    return (tenant.time_zone if tenant is not None else "") or DEFAULT_TZ


def round_views(uow: AssessmentUnitOfWork, rounds: list[Round], path_prefix: str = "/") -> list[RoundView]:
    """Rounds as answered; `path_prefix` (a clerk's subtree) limits the open objections counted
    to those on its targets, as ListObjections lists them."""
    open_counts = uow.rounds.count_open_objections([r.id for r in rounds], path_prefix) if rounds else {}
    views = []
    for round_ in rounds:
        scheme = round_scheme(uow, round_)
        stage = None if round_.finalized else scheme.stages[round_.stage_index]
        ends = (notice_ends_on(stage, round_.stage_started_at, county_zone(uow))
                if stage is not None and stage.kind is StageKind.PUBLIC_NOTICE else None)
        views.append(RoundView(round_, stage, len(scheme.stages), ends, open_counts.get(round_.id, 0)))
    return views


def round_view(uow: AssessmentUnitOfWork, round_: Round, path_prefix: str = "/") -> RoundView:
    return round_views(uow, [round_], path_prefix)[0]


def required_indicators(scheme: Scheme) -> dict[str, list[str]]:
    return {source.code: indicators_of_source(scheme, source.code) for source in scheme.sources}


def target_views(uow: AssessmentUnitOfWork, round_: Round, targets: list[RoundTarget]) -> list[TargetView]:
    """Each target with its values, its progress per source and its negative items: three queries a page."""
    scheme = round_scheme(uow, round_)
    ids = [target.target_id for target in targets]
    values = uow.rounds.scores_of(round_.id, ids) if ids else []
    items = uow.rounds.negative_items_of(round_.id, ids) if ids else []
    names = {item.code: item.name_zh for item in scheme.negative_items}
    required = {source: set(codes) for source, codes in required_indicators(scheme).items()}
    by_target: dict[str, list[ScoreValue]] = {}
    for value in values:
        by_target.setdefault(value.target_id, []).append(value)
    items_by_target: dict[str, list[tuple[NegativeItemRecord, str]]] = {}
    for item in items:
        items_by_target.setdefault(item.target_id, []).append((item, names.get(item.code, item.code)))
    views = []
    for target in targets:
        own = tuple(by_target.get(target.target_id, ()))
        progress = tuple(Progress(source, sum(1 for v in own if v.source == source and v.indicator in codes),
                                  len(codes)) for source, codes in required.items())
        views.append(TargetView(target, progress, own, tuple(items_by_target.get(target.target_id, ()))))
    return views


def target_view(uow: AssessmentUnitOfWork, round_: Round, target: RoundTarget) -> TargetView:
    return target_views(uow, round_, [target])[0]
