"""Rounds: CreateRound, GetRound, ListRounds, ListRoundTargets, AdvanceRound.

A round is created on a PUBLISHED revision, for a period of the scheme's kind, over a subtree;
its targets are read from the directory at that moment and frozen with their township. Advancing
runs the leaving checks of the current stage (domain/stages.py) and, in the same transaction,
publishes provisional results on entering PUBLIC_NOTICE and finalizes on leaving the last stage.
"""

from __future__ import annotations

import datetime as dt

from services.assessment.adapters.round_candidates import Candidate
from services.assessment.domain import stages
from services.assessment.domain.names import revision_name, round_name, unit_name
from services.assessment.domain.periods import parse_period
from services.assessment.domain.round_events import RoundAdvanced, RoundCreated
from services.assessment.domain.rounds import EventKind, Round, RoundState, RoundTarget
from services.assessment.domain.scheme import Scheme, StageKind, TargetKind
from services.assessment.service_layer import round_access as access
from services.assessment.service_layer import round_commands as c
from services.assessment.service_layer.loaders import referenced_published_revision
from services.assessment.service_layer.results import finalize_results, publish_results
from services.assessment.service_layer.round_trail import trail
from services.assessment.service_layer.round_views import (
    RoundView,
    TargetView,
    county_zone,
    required_indicators,
    round_view,
    round_views,
    target_views,
)
from services.assessment.service_layer.unit_of_work import (
    AssessmentUnitOfWork,
    AssessmentUnitOfWorkFactory,
)
from services.common import identifiers
from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    Validator,
)
from services.common.ids import new_id
from services.common.pagination import Page
from services.common.tenancy import check_etag

DISPLAY_NAME_MAX = 100
_UNIT_TYPES = {TargetKind.VILLAGE_ORG: "VILLAGE", TargetKind.TOWNSHIP_ORG: "TOWNSHIP",
               TargetKind.WORK_STATION: "WORK_STATION"}


def _township_of(path: str) -> str:
    """The first unit of a path (paths start at the township: /township/station/village/)."""
    return path.strip("/").split("/", 1)[0]


def _targets(uow: AssessmentUnitOfWork, scheme: Scheme, scope_path: str) -> list[RoundTarget]:
    def target(candidate: Candidate, target_id: str, display_name: str) -> RoundTarget:
        return RoundTarget(target_id, candidate.unit_id, candidate.member_id, _township_of(candidate.unit_path),
                           display_name, candidate.unit_path)

    if scheme.target_kind is TargetKind.SECRETARY:
        found: dict[str, RoundTarget] = {}
        for candidate in uow.round_candidates.secretaries(scope_path):
            # One person holding two villages' secretary posts is one target, at the first village.
            found.setdefault(candidate.member_id, target(
                candidate, candidate.member_id, f"{candidate.member_display_name}（{candidate.unit_display_name}）"))
        return list(found.values())
    return [target(candidate, candidate.unit_id, candidate.unit_display_name)
            for candidate in uow.round_candidates.units(_UNIT_TYPES[scheme.target_kind], scope_path)]


def _scope(uow: AssessmentUnitOfWork, unit_id: str) -> tuple[str, str]:
    """(unit id, path) of the round's scope; ("", "/") for the whole county."""
    if not unit_id:
        return "", "/"
    unit = uow.directory.unit(identifiers.require(unit_id, "scope"))
    if unit is None or not unit.active:
        raise InvalidArgument.field("scope", f"组织 {unit_name(uow.tenant, unit_id)} 不存在或已撤销",
                                    f"no active unit {unit_name(uow.tenant, unit_id)}", "SCOPE_NOT_FOUND")
    return unit.id, unit.path


def create_round(cmd: c.CreateRound, uows: AssessmentUnitOfWorkFactory, who: Principal) -> RoundView:
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("CreateRound", cmd)
        if claim.done:
            return round_view(uow, access.load_round(uow, claim.done))
        scheme = referenced_published_revision(uow, cmd.scheme_id, cmd.scheme_revision, "scheme_revision").scheme
        v = Validator()
        display_name = v.text(cmd.display_name, "display_name", max_len=DISPLAY_NAME_MAX, required=False)
        v.raise_if_any()
        period = parse_period(cmd.period, scheme.period_kind, "period")
        scope_id, scope_path = _scope(uow, cmd.scope_unit_id)
        existing = uow.rounds.same_round(scheme.id, str(period), scope_id)
        if existing is not None:  # one round per scheme, period and scope: results compare round to round
            raise AlreadyExists("ROUND_EXISTS", f"该方案 {period} 的考核轮次已存在：{round_name(uow.tenant, existing.id)}",
                                f"a round of this scheme for {period} over this scope already exists: "
                                f"{round_name(uow.tenant, existing.id)}")
        targets = _targets(uow, scheme, scope_path)
        if not targets:
            raise FailedPrecondition(
                "ROUND_WITHOUT_TARGETS", f"范围内没有可考核的对象（{scheme.target_kind.value}）",
                f"the scope holds no targets of kind {scheme.target_kind.value}",
                {"scope": unit_name(uow.tenant, scope_id) if scope_id else uow.tenant})
        now = utcnow()
        round_ = Round(
            tenant=uow.tenant, id=new_id("r"), scheme_id=scheme.id, scheme_revision=scheme.revision,
            display_name=display_name or f"{period}{scheme.display_name}", period=str(period),
            scope_unit_id=scope_id, scope_path=scope_path, stage_index=0, state=RoundState.RUNNING,
            stage_started_at=now, created_at=now, created_by=who.subject, target_count=len(targets))
        uow.rounds.add(round_, targets)
        first = scheme.stages[0]
        trail(uow, who, round_, first.code, EventKind.ROUND_CREATED,
              summary=f"创建考核轮次 {round_.display_name}，考核对象 {len(targets)} 个",
              after={"scheme": f"{scheme.id}/revisions/{scheme.revision}", "period": round_.period,
                     "scope": scope_id, "targets": len(targets)})
        uow.rounds.save_trail(round_)
        name = round_name(uow.tenant, round_.id)
        uow.emit(RoundCreated(name, revision_name(uow.tenant, scheme.id, scheme.revision),
                              round_.display_name, round_.period,
                              unit_name(uow.tenant, scope_id) if scope_id else "", len(targets), first.code,
                              who.subject))
        claim.remember(name)
        view = round_view(uow, round_)
        uow.commit()
        return view


def get_round(cmd: c.GetRound, uows: AssessmentUnitOfWorkFactory, who: Principal) -> RoundView:
    with uows(cmd.tenant, write=False) as uow:
        return round_view(uow, access.load_round(uow, cmd.round_id), access.subtree_path(uow, who))


def list_rounds(cmd: c.ListRounds, uows: AssessmentUnitOfWorkFactory, who: Principal) -> tuple[list[RoundView], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(str, str))
    with uows(cmd.tenant, write=False) as uow:
        after = [dt.datetime.fromisoformat(page.after[0]), page.after[1]] if page.after else None
        found = uow.rounds.list(cmd.scheme_id, cmd.state, after, page.fetch)
        rounds, token = page.cut(found, lambda r: [r.created_at.isoformat(), r.id])
        return round_views(uow, rounds, access.subtree_path(uow, who)), token


def list_round_targets(cmd: c.ListRoundTargets, uows: AssessmentUnitOfWorkFactory,
                       who: Principal) -> tuple[list[TargetView], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(str, str))
    with uows(cmd.tenant, write=False) as uow:
        round_ = access.load_round(uow, cmd.round_id)
        path = access.subtree_path(uow, who)
        if cmd.subtree_unit_id:
            unit = uow.directory.unit(identifiers.require(cmd.subtree_unit_id, "subtree"))
            if unit is None:
                raise InvalidArgument.field("subtree", f"组织 {unit_name(uow.tenant, cmd.subtree_unit_id)} 不存在",
                                            f"no unit {unit_name(uow.tenant, cmd.subtree_unit_id)}")
            if not unit.path.startswith(path):
                raise PermissionDenied("OUTSIDE_CLERK_SUBTREE", f"无权查看“{unit.display_name}”：不在您负责的组织范围内",
                                       f"unit {unit_name(uow.tenant, unit.id)} lies outside the clerk's subtree")
            path = unit.path
        only = _incomplete(uow, round_) if cmd.incomplete_only else None
        found = uow.rounds.list_targets(round_.id, path, page.after, page.fetch, only)
        targets, token = page.cut(found, lambda x: [x.unit_path, x.target_id])
        return target_views(uow, round_, targets), token


def _incomplete(uow: AssessmentUnitOfWork, round_: Round) -> list[str]:
    """Targets still missing a value of a source the current stage takes (all sources once past it)."""
    if round_.finalized:
        return []
    scheme = access.round_scheme(uow, round_)
    sources = stages.sources_of(scheme, scheme.stages[round_.stage_index]) or tuple(required_indicators(scheme))
    missing = stages.missing_scores(scheme, sources, uow.rounds.target_ids(round_.id),
                                    stages.Scored(uow.rounds.scored_counts(round_.id, sources)))
    return sorted({item.subject for item in missing})


def _scored(uow: AssessmentUnitOfWork, round_: Round, scheme: Scheme, target_ids: tuple[str, ...]) -> stages.Scored:
    """The values held, as counts (one aggregate), and the exact keys of the targets a refusal names."""
    counts = uow.rounds.scored_counts(round_.id)
    listed = stages.listed_targets(scheme, round_.stage_index, target_ids, counts)
    keys: dict[str, set[tuple[str, str]]] = {}
    for target_id, source, indicator in uow.rounds.scored_keys(round_.id, listed) if listed else ():
        keys.setdefault(target_id, set()).add((source, indicator))
    return stages.Scored(counts, {target_id: frozenset(keys.get(target_id, ())) for target_id in listed})


def advance_round(cmd: c.AdvanceRound, uows: AssessmentUnitOfWorkFactory, who: Principal) -> RoundView:
    with uows(cmd.tenant) as uow:
        round_ = access.load_round(uow, cmd.round_id, lock=True)
        claim = uow.idempotency.claim("AdvanceRound", cmd)
        if claim.done:
            return round_view(uow, round_)
        name = round_name(uow.tenant, round_.id)
        check_etag(cmd.etag, round_.version, name)
        scheme = access.round_scheme(uow, round_)
        stage = round_.stage(scheme)
        stages.check_may_advance(stage, access.actor_of(who))
        now = utcnow()
        zone = county_zone(uow)
        target_ids = uow.rounds.target_ids(round_.id)
        facts = stages.RoundFacts(target_ids, _scored(uow, round_, scheme, target_ids),
                                  uow.rounds.open_objection_ids(round_.id), round_.stage_started_at, now, zone)
        missing = stages.leaving_checks(scheme, round_.stage_index, facts)
        if missing:
            raise stages.refuse_advance(stage, missing)
        read_version = round_.version
        left, entered = round_.advance(scheme, now)
        trail(uow, who, round_, left.code, EventKind.ROUND_ADVANCED,
              summary=f"阶段 {left.name_zh} → {entered.name_zh if entered else '结束'}",
              before={"stage": left.code}, after={"stage": entered.code if entered else "FINALIZED"})
        ends, judged = "", ()
        if entered is not None and entered.kind is StageKind.PUBLIC_NOTICE:
            ends = stages.notice_ends_on(entered, now, zone).isoformat()
            judged = tuple(unit_name(uow.tenant, u)
                           for u in dict.fromkeys(x.unit_id for x in uow.rounds.targets(round_.id)))
            publish_results(uow, round_, now)
        if entered is None:
            finalize_results(uow, round_, now)
        uow.rounds.save(round_, read_version)
        uow.emit(RoundAdvanced(name, left.code, entered.code if entered else "",
                               entered.kind.value if entered else "", entered is None, ends, who.subject,
                               round_.display_name, judged))
        claim.remember(name)
        view = round_view(uow, round_)
        uow.commit()
        return view
