"""Results ↔ proto: stored records (hundredths, the JSON explanation) to Result messages, with the
names of dimensions, indicators, grades and negative items from the round's frozen scheme."""

from __future__ import annotations

from partybuilding.assessment.v1 import assessment_results_pb2 as rpb

from services.assessment.domain.names import (
    member_name,
    result_name,
    revision_name,
    round_name,
    target_name,
    unit_name,
)
from services.assessment.domain.preview import Side
from services.assessment.domain.result_records import ExplainedNegative, ResultRecord, negatives_of
from services.assessment.domain.scheme import Effect, Scheme
from services.assessment.service_layer.result_reads import PreviewView
from services.common.grpc.messages import ts

_EFFECTS = {Effect.DEDUCT: rpb.AppliedNegativeItem.DEDUCT, Effect.VETO: rpb.AppliedNegativeItem.VETO,
            Effect.CAP: rpb.AppliedNegativeItem.CAP}


def effect_text(item: ExplainedNegative, scheme: Scheme, grade_before: str) -> str:
    """What the item did, as a county's table says it: 扣 3 分 / 一票否决：由先进降为未达标 / 封顶三星（未改变等级）."""
    bands = {band.code: band.name_zh for band in scheme.grades}
    if item.effect is Effect.DEDUCT:
        return f"扣 {item.points.normalize():f} 分" if item.points is not None else "扣分"
    if item.effect is Effect.VETO:
        lowest = scheme.grades[-1].name_zh
        return f"一票否决：由{bands.get(grade_before, grade_before)}降为{lowest}" if item.changed_grade \
            else f"一票否决：评为{lowest}"
    cap = bands.get(item.cap_grade or "", item.cap_grade or "")
    if item.changed_grade:
        return f"封顶{cap}：由{bands.get(grade_before, grade_before)}降为{cap}"
    return f"封顶{cap}（未改变等级）"


class SchemeNames:
    """The display names a page of results needs, looked up once per page, not once per result."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.bands = {band.code: band for band in scheme.grades}
        self.dimensions = {d.code: d.name_zh for d in scheme.dimensions}
        self.indicators = {i.code: (i.name_zh, float(i.max_score)) for d in scheme.dimensions for i in d.indicators}
        self.items = {n.code: n.name_zh for n in scheme.negative_items}


def _points(centi: int | None) -> float:
    return 0.0 if centi is None else centi / 100  # hundredths to the proto's double, correctly rounded


def result_to_proto(tenant: str, round_id: str, record: ResultRecord, scheme: Scheme | SchemeNames, *,
                    indicators: bool = True) -> rpb.Result:
    """`indicators=False` (ListResults' BASIC view) leaves out each dimension's indicators: a page
    of 50 results of a 50-indicator, 3-source scheme is otherwise 10,000 messages."""
    names = scheme if isinstance(scheme, SchemeNames) else SchemeNames(scheme)
    bands = names.bands
    message = rpb.Result(
        name=result_name(tenant, round_id, record.target_id),
        target=target_name(tenant, round_id, record.target_id),
        unit=unit_name(tenant, record.unit_id),
        member=member_name(tenant, record.member_id) if record.member_id else "",
        township=unit_name(tenant, record.township_id) if record.township_id else "",
        display_name=record.display_name,
        stage=rpb.Result.FINAL if record.final else rpb.Result.PROVISIONAL,
        base_total=_points(record.base_centi),
        deductions=_points(record.deductions_centi),
        total=_points(record.total_centi),
        grade_before=record.grade_before,
        grade_before_display_name=_band_name(bands, record.grade_before),
        grade=record.grade,
        grade_display_name=_band_name(bands, record.grade),
        stars=bands[record.grade].stars if record.grade in bands else 0,
        rank_in_township=record.rank_in_township,
        rank_in_scope=record.rank_in_scope,
        weak=record.weak,
        compute_time=ts(record.computed_at),
        dimensions=[_dimension(d, names, indicators) for d in record.explanation["d"]],
    )
    for n in negatives_of(record.explanation):
        message.negative_items.add(
            code=n.code, display_name=names.items.get(n.code, n.code), effect=_EFFECTS[n.effect],
            points=float(n.points or 0), cap_grade=n.cap_grade or "", changed_grade=n.changed_grade,
            effect_description=effect_text(n, names.scheme, record.grade_before))
    p = record.previous
    if p is not None:
        message.change.CopyFrom(rpb.ResultChange(
            previous_round=round_name(tenant, p.round_id),
            previous_grade=p.grade, previous_total=_points(p.total_centi),
            previous_rank_in_scope=p.rank_in_scope,
            total_change=_points(record.total_centi - p.total_centi),
            rank_change=p.rank_in_scope - record.rank_in_scope))
    return message


def _dimension(stored: list, names: SchemeNames, with_indicators: bool) -> rpb.DimensionResult:
    """One dimension of the stored explanation (result_records.explanation_of) as its message."""
    code, weight, points, top, contribution, indicators = stored
    return rpb.DimensionResult(
        code=code, display_name=names.dimensions.get(code, code), weight=float(weight), points=_points(points),
        max_points=float(top), contribution=_points(contribution),
        indicators=[_indicator(i_code, score, sources, names) for i_code, score, sources in indicators]
        if with_indicators else [])


def _indicator(code: str, score: int, sources: list, names: SchemeNames) -> rpb.IndicatorResult:
    display_name, top = names.indicators.get(code, (code, 0.0))
    return rpb.IndicatorResult(code=code, display_name=display_name, max_score=top, score=_points(score), sources=[
        # A value stored as None is the submitted number itself (a MANUAL score).
        rpb.SourceScore(source=source, submitted=float(x) if x is not None else 0.0,
                        value=_points(v) if v is not None else (float(x) if x is not None else 0.0))
        for source, x, v in sources])


def _band_name(bands, code: str) -> str:
    return bands[code].name_zh if code in bands else code


def _side(side: Side, scheme: Scheme) -> rpb.PreviewSide:
    bands = {band.code: band for band in scheme.grades}
    return rpb.PreviewSide(grade=side.grade, grade_display_name=_band_name(bands, side.grade),
                           total=float(side.total), rank_in_township=side.rank_in_township,
                           rank_in_scope=side.rank_in_scope)


def preview_to_proto(tenant: str, view: PreviewView) -> rpb.PreviewResultsResponse:
    round_ = view.round
    response = rpb.PreviewResultsResponse(
        current_revision=revision_name(tenant, round_.scheme_id, view.current.revision),
        draft_revision=revision_name(tenant, round_.scheme_id, view.draft.revision),
        target_count=view.target_count, mover_count=view.mover_count, missing_value_count=view.missing_values)
    for row in view.rows:
        t = row.target
        response.rows.add(target=target_name(tenant, round_.id, t.target_id), display_name=t.display_name,
                          township=unit_name(tenant, t.township_id) if t.township_id else "",
                          current=_side(row.current, view.current), draft=_side(row.draft, view.draft),
                          moved=row.moved, rank_change=row.rank_change)
    return response
