"""Reading a round's results (GetResult, ListResults, ExportResults) and what-if previews.

A clerk reads only the results of targets inside its subtree (their unit path when the round was
created). A round shows results from its public notice on; before that the answer says so
(FAILED_PRECONDITION), rather than an empty table that looks like "nobody scored".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.assessment.adapters import results_xlsx
from services.assessment.domain.amounts import hundredths
from services.assessment.domain.names import result_name, round_name, unit_name
from services.assessment.domain.preview import Comparison, compare
from services.assessment.domain.result_records import ResultRecord
from services.assessment.domain.rounds import Round
from services.assessment.domain.scheme import Scheme
from services.assessment.domain.scoring import score
from services.assessment.domain.scoring_plan import Overrides, check_overrides
from services.assessment.service_layer import result_commands as c
from services.assessment.service_layer.results import round_input
from services.assessment.service_layer.round_access import load_round, round_scheme, subtree_path
from services.assessment.service_layer.unit_of_work import (
    AssessmentUnitOfWork,
    AssessmentUnitOfWorkFactory,
)
from services.common import clerks, identifiers
from services.common.auth import Principal
from services.common.errors import FailedPrecondition, InvalidArgument, Validator, not_found
from services.common.pagination import Page


@dataclass(frozen=True)
class ResultsView:
    round: Round
    scheme: Scheme
    records: list[ResultRecord]


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str


@dataclass(frozen=True)
class PreviewView:
    round: Round
    current: Scheme
    draft: Scheme
    rows: tuple[Comparison, ...]
    target_count: int
    mover_count: int
    missing_values: int


def _published(uow: AssessmentUnitOfWork, round_: Round) -> None:
    if uow.results.count(round_.id) == 0:
        raise FailedPrecondition(
            "RESULTS_NOT_PUBLISHED", f"考核轮次“{round_.display_name}”尚未进入公示，暂无结果",
            f"round {round_name(uow.tenant, round_.id)} has no results yet: they appear when its public notice "
            "begins (or when it is finalized)", {"round": round_name(uow.tenant, round_.id)})


def _path(uow: AssessmentUnitOfWork, who: Principal, under_unit_id: str) -> str:
    """The unit-path prefix the listing is confined to: the caller's subtree, narrowed by `under`."""
    path = subtree_path(uow, who)
    if not under_unit_id:
        return path
    unit = uow.directory.unit(identifiers.require(under_unit_id, "under"))
    if unit is None:
        raise InvalidArgument.field("under", f"组织 {unit_name(uow.tenant, under_unit_id)} 不存在",
                                    f"no unit {unit_name(uow.tenant, under_unit_id)}")
    if unit.path.startswith(path):
        return unit.path
    if path.startswith(unit.path):  # a clerk asking for a wider subtree sees their own part of it
        return path
    raise clerks.outside_subtree(unit_name(uow.tenant, unit.id), unit.display_name)


def _filters(uow: AssessmentUnitOfWork, scheme: Scheme, township_id: str, grade: str) -> tuple[str, str]:
    v = Validator()
    township = identifiers.check(v, township_id, "township")
    if township and uow.directory.unit(township) is None:
        v.add("township", f"组织 {unit_name(uow.tenant, township)} 不存在", f"no unit {unit_name(uow.tenant, township)}")
    codes = [band.code for band in scheme.grades]
    v.require(not grade or grade in codes, "grade", f"方案中没有等级 {grade}（可选：{'、'.join(codes)}）",
              f"the scheme has no grade {grade} (one of {', '.join(codes)})")
    v.raise_if_any()
    return township, grade


def get_result(cmd: c.GetResult, uows: AssessmentUnitOfWorkFactory, who: Principal) -> ResultsView:
    with uows(cmd.tenant, write=False) as uow:
        round_ = load_round(uow, cmd.round_id)
        target_id = identifiers.require(cmd.target_id, "name")
        target = uow.rounds.target(round_.id, target_id)
        if target is None:
            raise not_found("考核结果", "result", result_name(uow.tenant, round_.id, target_id))
        if not target.unit_path.startswith(subtree_path(uow, who)):
            raise clerks.outside_subtree(unit_name(uow.tenant, target.unit_id), target.display_name)
        record = uow.results.get(round_.id, target_id)
        if record is None:
            _published(uow, round_)
        return ResultsView(round_, round_scheme(uow, round_), [record])


def list_results(cmd: c.ListResults, uows: AssessmentUnitOfWorkFactory, who: Principal) -> tuple[ResultsView, str]:
    page = Page.open(cmd, uows.page_tokens, shape=(int, str))
    with uows(cmd.tenant, write=False) as uow:
        round_ = load_round(uow, cmd.round_id)
        scheme = round_scheme(uow, round_)
        township, grade = _filters(uow, scheme, cmd.township_id, cmd.grade)
        path = _path(uow, who, cmd.under_unit_id)
        _published(uow, round_)
        after = tuple(page.after) if page.after else None
        found = uow.results.list(round_.id, path_prefix=path, township_id=township, grade=grade, after=after,
                                 limit=page.fetch)
        records, token = page.cut(found, lambda r: [r.rank_in_scope, r.target_id])
        return ResultsView(round_, scheme, records), token


def export_results(cmd: c.ExportResults, uows: AssessmentUnitOfWorkFactory, who: Principal) -> Export:
    with uows(cmd.tenant, write=False) as uow:
        round_ = load_round(uow, cmd.round_id)
        scheme = round_scheme(uow, round_)
        township, _ = _filters(uow, scheme, cmd.township_id, "")
        path = _path(uow, who, cmd.under_unit_id)
        _published(uow, round_)
        records = uow.results.list(round_.id, path_prefix=path, township_id=township)
        names: dict[str, str] = {}
        for tid in {r.township_id for r in records}:
            unit = uow.directory.unit(tid)
            names[tid] = unit.display_name if unit else tid
        title = results_xlsx.ExportTitle(round_.display_name, round_.period, all(r.final for r in records))
        rows = [results_xlsx.row(r, scheme, names[r.township_id]) for r in records]
        return Export(results_xlsx.results_workbook(title, scheme, rows), results_xlsx.filename(title))


def _draft_scheme(uow: AssessmentUnitOfWork, round_: Round, current: Scheme, revision: int) -> Scheme:
    if revision in (0, round_.scheme_revision):
        return current
    record = uow.schemes.get(round_.scheme_id)
    stored = uow.schemes.revision(round_.scheme_id, revision, record.template if record else "") if revision > 0 else None
    if stored is None:
        raise InvalidArgument.field("revision", f"考核方案 {round_.scheme_id} 没有第 {revision} 版",
                                    f"scheme {round_.scheme_id} has no revision {revision}")
    if stored.scheme.target_kind is not current.target_kind:
        raise InvalidArgument.field(
            "revision", f"第 {revision} 版的考核对象（{stored.scheme.target_kind.value}）与本轮次"
            f"（{current.target_kind.value}）不同，无法用本轮数据预览",
            f"revision {revision} assesses {stored.scheme.target_kind.value}, the round "
            f"{current.target_kind.value}: the round's data cannot be scored under it")
    return stored.scheme


def _weights(given: dict[str, float], field_path: str, v: Validator) -> dict[str, Decimal]:
    """Percent by code, each rounded half-up to 0.01 (NaN, infinities and codes with control characters named)."""
    out = {}
    for raw_code, value in sorted(given.items()):
        code = identifiers.check(v, raw_code, f"{field_path}[{raw_code}]")
        parsed = hundredths(value)
        if v.require(parsed is not None, f"{field_path}[{code}]", "必须是有限的数值", "must be a finite number"):
            out[code] = parsed
    return out


def preview_results(cmd: c.PreviewResults, uows: AssessmentUnitOfWorkFactory, who: Principal) -> PreviewView:
    """The round's data scored under a draft revision or other weights; nothing is written."""
    with uows(cmd.tenant, write=False) as uow:
        round_ = load_round(uow, cmd.round_id)
        current = round_scheme(uow, round_)
        draft = _draft_scheme(uow, round_, current, cmd.revision)
        v = Validator()
        overrides = Overrides(_weights(cmd.dimension_weights, "weight_overrides.dimension_weights", v),
                              _weights(cmd.source_weights, "weight_overrides.source_weights", v))
        check_overrides(v, draft, overrides)
        v.require(draft is not current or bool(cmd.dimension_weights or cmd.source_weights), "revision",
                  "请指定另一版方案或调整后的权重", "give another revision of the scheme, or weight overrides")
        v.raise_if_any()
        inputs = round_input(uow, round_)
    # Scored outside the transaction: a province round's preview holds no connection while it computes.
    now = score(current, inputs, missing_as_zero=True)
    then = score(draft, inputs, overrides, missing_as_zero=True)
    rows = compare(now, then)
    movers = sum(1 for row in rows if row.moved)
    shown = tuple(row for row in rows if row.moved) if cmd.movers_only else rows
    return PreviewView(round_, current, draft, shown, len(rows), movers, sum(r.missing for r in then.results))
