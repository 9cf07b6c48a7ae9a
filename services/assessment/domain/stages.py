"""The stage machine of a round, read from its scheme's stages (考核流程: 街考核 → … → 市级复核).

What each stage kind allows, as data:

| kind | scores (sources) | negative items | objections | leaving needs |
| --- | --- | --- | --- | --- |
| SCORING | the stage's sources (all the scheme's when it names none) | yes | no | every target has every indicator of those sources |
| REVIEW | any source (an adjustment) | yes | no | — |
| PUBLIC_NOTICE | no (an objection's decision adjusts) | no | filed | `days` elapsed, no open objection |
| RECHECK | any source (an adjustment) | yes | no | — |

Only the stage's actors write in it. COUNTY may always advance; CITY advances a stage it acts in
(the city's re-check ends the round); a clerk never advances, since a clerk's subtree is only part
of the round's scope. Results are published on entering PUBLIC_NOTICE and finalized on leaving
the last stage: either needs every indicator of every source for every target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from services.assessment.domain.scheme import Actor, Scheme, Stage, StageKind
from services.common.errors import FailedPrecondition, PermissionDenied

# How many missing items an AdvanceRound refusal lists (the rest are counted), and how many
# indicator codes it names for one source before it gives their number.
MISSING_LISTED = 20
SHOWN_CODES = 3

_WRITES_SCORES = frozenset({StageKind.SCORING, StageKind.REVIEW, StageKind.RECHECK})
_ACTOR_ZH = {Actor.CLERK: "党务工作者", Actor.COUNTY: "县委组织部", Actor.CITY: "市委组织部"}


@dataclass(frozen=True)
class Missing:
    """One thing a stage still lacks before the round may leave it."""

    reason: str  # SCORES_MISSING | NOTICE_NOT_OVER | OBJECTION_OPEN
    subject: str  # the target id, the objection id, or the stage code
    zh: str
    en: str


def stage_label(stage: Stage) -> str:
    return f"{stage.name_zh}（{stage.code}）"


def sources_of(scheme: Scheme, stage: Stage) -> tuple[str, ...]:
    """The source codes that may be submitted in `stage`."""
    every = tuple(source.code for source in scheme.sources)
    if stage.kind is StageKind.SCORING:
        return stage.sources or every
    return every if stage.kind in _WRITES_SCORES else ()


def check_actor(stage: Stage, actor: Actor, what_zh: str, what_en: str) -> None:
    """PERMISSION_DENIED unless `actor` acts in `stage`."""
    if actor not in stage.actors:
        allowed = "、".join(_ACTOR_ZH[a] for a in stage.actors) or "无"
        raise PermissionDenied(
            "STAGE_ACTOR_NOT_ALLOWED",
            f"当前阶段 {stage_label(stage)} 只有{allowed}可以{what_zh}",
            f"in stage {stage.code} only {', '.join(a.value for a in stage.actors) or 'nobody'} may {what_en}",
            {"stage": stage.code, "actor": actor.value},
        )


def check_source(scheme: Scheme, stage: Stage, source: str) -> None:
    """FAILED_PRECONDITION unless `source` may be submitted in `stage` (a source the scheme
    does not know at all is the caller's INVALID_ARGUMENT, checked with the values)."""
    allowed = sources_of(scheme, stage)
    if source in allowed:
        return
    if not allowed:
        raise FailedPrecondition(
            "STAGE_TAKES_NO_SCORES",
            f"当前阶段 {stage_label(stage)} 不接受评分；如对结果有异议请提出异议",
            f"stage {stage.code} ({stage.kind.value}) takes no scores; file an objection instead",
            {"stage": stage.code},
        )
    raise FailedPrecondition(
        "SOURCE_NOT_IN_STAGE",
        f"当前阶段 {stage_label(stage)} 只接受来源 {'、'.join(allowed)} 的评分，收到 {source}",
        f"stage {stage.code} takes scores from {', '.join(allowed)} only, got {source}",
        {"stage": stage.code, "source": source},
    )


def check_negative_items_allowed(stage: Stage) -> None:
    if stage.kind not in _WRITES_SCORES:
        raise FailedPrecondition(
            "STAGE_TAKES_NO_NEGATIVE_ITEMS",
            f"当前阶段 {stage_label(stage)} 不能记录或撤销负面清单事项",
            f"stage {stage.code} ({stage.kind.value}) takes no negative items",
            {"stage": stage.code},
        )


def check_objections_allowed(stage: Stage) -> None:
    if stage.kind is not StageKind.PUBLIC_NOTICE:
        raise FailedPrecondition(
            "NOT_IN_PUBLIC_NOTICE",
            f"只能在公示阶段提出异议，当前阶段为 {stage_label(stage)}",
            f"objections are filed during public notice only; the round is in stage {stage.code}",
            {"stage": stage.code},
        )


def check_may_advance(stage: Stage, actor: Actor) -> None:
    if actor is Actor.COUNTY or (actor is Actor.CITY and Actor.CITY in stage.actors):
        return
    raise PermissionDenied(
        "ADVANCE_NOT_ALLOWED",
        f"只有县委组织部（或本阶段的市级复核）可以推进阶段 {stage_label(stage)}",
        f"only the county (or the city in a stage it acts in) may advance stage {stage.code}",
        {"stage": stage.code, "actor": actor.value},
    )


def indicators_of_source(scheme: Scheme, source: str) -> list[str]:
    """Indicator codes that `source` scores, in scheme order."""
    return [indicator.code for dimension in scheme.dimensions for indicator in dimension.indicators
            if not indicator.sources or source in indicator.sources]


@dataclass(frozen=True)
class Scored:
    """What a round holds, as the leaving checks read it: how many values each (target, source)
    has (an aggregate, cheap at province scale), and the exact (source, indicator) keys of the
    few targets a refusal names. Stored values are always indicators their source scores (the
    submission is checked against the frozen scheme), so a count equal to the source's
    indicators means complete."""

    counts: Mapping[tuple[str, str], int]
    keys: Mapping[str, frozenset[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, keys: Iterable[tuple[str, str, str]]) -> Scored:
        """From every (target, source, indicator) with a value (small rounds, tests)."""
        counts: dict[tuple[str, str], int] = {}
        by_target: dict[str, set[tuple[str, str]]] = {}
        for target_id, source, indicator in keys:
            counts[(target_id, source)] = counts.get((target_id, source), 0) + 1
            by_target.setdefault(target_id, set()).add((source, indicator))
        return cls(counts, {target_id: frozenset(found) for target_id, found in by_target.items()})


def _lacking(scheme: Scheme, sources: tuple[str, ...], target_ids: Iterable[str],
             scored: Scored) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """(target, [(source, how many indicators lack a value)]) for each incomplete target, in order."""
    needed = {source: len(indicators_of_source(scheme, source)) for source in sources}
    for target_id in target_ids:
        short = [(source, needed[source] - scored.counts.get((target_id, source), 0)) for source in sources
                 if scored.counts.get((target_id, source), 0) < needed[source]]
        if short:
            yield target_id, short


def listed_targets(scheme: Scheme, index: int, target_ids: Sequence[str], counts: Mapping[tuple[str, str], int],
                   limit: int = MISSING_LISTED) -> list[str]:
    """The targets a refusal to leave stage `index` may name (the first `limit` incomplete ones
    under the stage's sources and under all sources): the use case loads their exact keys."""
    scored = Scored(counts)
    every = tuple(source.code for source in scheme.sources)
    found: dict[str, None] = {}
    for sources in (sources_of(scheme, scheme.stages[index]), every):
        for n, (target_id, _) in enumerate(_lacking(scheme, sources, target_ids, scored)):
            if n >= limit:
                break
            found[target_id] = None
    return list(found)


def _gap_text(source: str, codes: list[str], count: int) -> tuple[str, str]:
    """One source's gaps, short: a few indicators by name, more by their number (a refusal travels
    in the gRPC trailers, which hold 16 KiB, Chinese percent-encoded at 9 bytes a character)."""
    if codes and len(codes) <= SHOWN_CODES:
        return f"{source}: {', '.join(codes)}", f"{source} lacks {', '.join(codes)}"
    return f"{source} {count}项", f"{source} lacks {count} indicators"


def missing_scores(scheme: Scheme, sources: Iterable[str], target_ids: Iterable[str], scored: Scored) -> list[Missing]:
    """Per target, the sources and indicators without a value (by code where `scored` holds the
    target's keys and they are few, else by number)."""
    sources = tuple(sources)
    found: list[Missing] = []
    for target_id, short in _lacking(scheme, sources, target_ids, scored):
        keys = scored.keys.get(target_id)
        texts = []
        for source, count in short:
            codes = ([code for code in indicators_of_source(scheme, source) if (source, code) not in keys]
                     if keys is not None and count <= SHOWN_CODES else [])
            texts.append(_gap_text(source, codes, count))
        found.append(Missing("SCORES_MISSING", target_id, f"{target_id} 缺 {'; '.join(zh for zh, _ in texts)}",
                             f"{target_id}: {'; '.join(en for _, en in texts)}"))
    return found


def notice_ends_on(stage: Stage, started_at: dt.datetime, tz_name: str) -> dt.date:
    """The first local day after a public notice of `stage.days` calendar days begun at `started_at`."""
    return started_at.astimezone(ZoneInfo(tz_name)).date() + dt.timedelta(days=stage.days)


@dataclass(frozen=True)
class RoundFacts:
    """What the leaving checks look at, loaded by the use case."""

    target_ids: tuple[str, ...]
    scored: Scored
    open_objections: tuple[str, ...]  # ids
    stage_started_at: dt.datetime
    now: dt.datetime
    tz_name: str


def leaving_checks(scheme: Scheme, index: int, facts: RoundFacts) -> list[Missing]:
    """What stage `index` still lacks before the round may leave it (empty: it may)."""
    stage = scheme.stages[index]
    found: list[Missing] = []
    if stage.kind is StageKind.SCORING:
        found += missing_scores(scheme, sources_of(scheme, stage), facts.target_ids, facts.scored)
    if stage.kind is StageKind.PUBLIC_NOTICE:
        ends_on = notice_ends_on(stage, facts.stage_started_at, facts.tz_name)
        today = facts.now.astimezone(ZoneInfo(facts.tz_name)).date()
        if today < ends_on:
            found.append(Missing(
                "NOTICE_NOT_OVER", stage.code,
                f"公示期 {stage.days} 天未满，{ends_on.isoformat()} 起方可进入下一阶段",
                f"the public notice lasts {stage.days} days: the round may advance from {ends_on.isoformat()}",
            ))
        found += [Missing("OBJECTION_OPEN", objection_id, f"异议 {objection_id} 尚未处理",
                          f"objection {objection_id} is not resolved") for objection_id in facts.open_objections]
    publishing = index + 1 == len(scheme.stages) or scheme.stages[index + 1].kind is StageKind.PUBLIC_NOTICE
    if publishing and not found:
        # Results are computed next: every source must be in, including those no SCORING stage took.
        found += missing_scores(scheme, [source.code for source in scheme.sources], facts.target_ids, facts.scored)
    return found


def refuse_advance(stage: Stage, missing: list[Missing], limit: int = MISSING_LISTED) -> FailedPrecondition:
    """The FAILED_PRECONDITION naming the first `limit` missing items and counting the rest."""
    shown = missing[:limit]
    more = len(missing) - len(shown)
    zh = "；".join(item.zh for item in shown) + (f"；另有 {more} 项（完整名单见 ListRoundTargets incomplete_only）"
                                                 if more else "")
    en = "; ".join(item.en for item in shown) + (f"; and {more} more (ListRoundTargets incomplete_only lists them)"
                                                 if more else "")
    return FailedPrecondition(
        "STAGE_CHECKS_FAILED",
        f"阶段 {stage_label(stage)} 尚不能结束：{zh}",
        f"stage {stage.code} cannot end yet: {en}",
        {"stage": stage.code, "missing_count": str(len(missing)),
         "reasons": ",".join(sorted({item.reason for item in missing}))},
    )
