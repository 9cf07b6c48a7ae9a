"""Objections (异议) during public notice: FileObjection, ResolveObjection, ListObjections.

An open objection holds the notice (the round cannot leave PUBLIC_NOTICE). An UPHELD decision may
adjust the target's scores, validated as SubmitScores values are; the provisional results are
then published again, so the notice shows what the decision changed.
"""

from __future__ import annotations

from services.assessment.domain import stages
from services.assessment.domain.names import objection_name, round_name, target_name, unit_name
from services.assessment.domain.round_events import ObjectionFiled, ObjectionResolved
from services.assessment.domain.rounds import EventKind, Objection, ObjectionState, ScoreSubmission
from services.assessment.service_layer import round_access as access
from services.assessment.service_layer import round_commands as c
from services.assessment.service_layer.results import publish_results
from services.assessment.service_layer.round_scores import (
    NOTE_MAX,
    apply_scores,
    check_source_code,
    parse_values,
)
from services.assessment.service_layer.round_trail import trail
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWorkFactory
from services.common import identifiers
from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import Validator, not_found
from services.common.ids import new_id
from services.common.pagination import Page
from services.common.tenancy import check_etag

REASON_MAX = 500


def file_objection(cmd: c.FileObjection, uows: AssessmentUnitOfWorkFactory, who: Principal) -> Objection:
    with uows(cmd.tenant) as uow:
        round_ = access.load_round(uow, cmd.round_id, lock=True)
        claim = uow.idempotency.claim("FileObjection", cmd)
        if claim.done:  # the same answer, to a caller who may still see its target
            objection = _load(uow, round_.id, claim.done)
            access.load_target(uow, who, round_, objection.target_id)
            return objection
        stage = round_.stage(access.round_scheme(uow, round_))
        stages.check_objections_allowed(stage)
        target = access.load_target(uow, who, round_, identifiers.require(cmd.target_id, "target"))
        v = Validator()
        reason = v.text(cmd.reason, "reason", max_len=REASON_MAX, multi_line=True)
        v.raise_if_any()
        objection = Objection(new_id("o"), target.target_id, reason, who.subject, utcnow())
        uow.rounds.add_objection(round_.id, objection)
        trail(uow, who, round_, stage.code, EventKind.OBJECTION_FILED, target.target_id,
              f"对 {target.display_name} 提出异议", {}, {"objection": objection.id, "reason": reason})
        uow.rounds.save_trail(round_)
        name = objection_name(uow.tenant, round_.id, objection.id)
        uow.emit(ObjectionFiled(name, round_name(uow.tenant, round_.id),
                                target_name(uow.tenant, round_.id, target.target_id),
                                unit_name(uow.tenant, target.unit_id), who.subject))
        claim.remember(name)
        uow.commit()
        return objection


def _load(uow, round_id: str, objection_id: str) -> Objection:
    found = uow.rounds.get_objection(round_id, objection_id)
    if found is None:
        raise not_found("异议", "objection", objection_name(uow.tenant, round_id, objection_id))
    return found


def resolve_objection(cmd: c.ResolveObjection, uows: AssessmentUnitOfWorkFactory, who: Principal) -> Objection:
    with uows(cmd.tenant) as uow:
        round_ = access.load_round(uow, cmd.round_id, lock=True)
        objection = _load(uow, round_.id, identifiers.require(cmd.objection_id, "name"))
        check_etag(cmd.etag, objection.version, objection_name(uow.tenant, round_.id, objection.id))
        scheme = access.round_scheme(uow, round_)
        stage = round_.stage(scheme)
        stages.check_objections_allowed(stage)
        v = Validator()
        v.require(cmd.decision in (ObjectionState.UPHELD, ObjectionState.REJECTED), "decision",
                  "处理结果应为 UPHELD（异议成立）或 REJECTED（异议不成立）", "must be UPHELD or REJECTED")
        note = v.text(cmd.note, "note", max_len=NOTE_MAX, multi_line=True)
        adjustment = None
        if cmd.adjustment is not None and v.require(
                cmd.decision is ObjectionState.UPHELD, "adjustment", "只有异议成立时才能调整得分",
                "only an UPHELD decision may adjust scores"):
            source = check_source_code(scheme, cmd.adjustment.source, v, "adjustment.source")
            values, notes = parse_values(scheme, source, cmd.adjustment.values, v, "adjustment.values")
            adjustment = ScoreSubmission(objection.target_id, source, values, note)
        v.raise_if_any()
        read_version = objection.version
        before_state = objection.state
        objection.resolve(cmd.decision, note, who.subject, utcnow(), adjustment)
        uow.rounds.save_objection(round_.id, objection, read_version)
        target = uow.rounds.target(round_.id, objection.target_id)
        trail(uow, who, round_, stage.code, EventKind.OBJECTION_RESOLVED, objection.target_id,
              f"异议 {objection.id} 处理：{'成立' if objection.state is ObjectionState.UPHELD else '不成立'}",
              {"objection": objection.id, "state": before_state.value},
              {"objection": objection.id, "state": objection.state.value, "note": note})
        if adjustment is not None:
            apply_scores(uow, who, round_, stage.code, adjustment, notes, EventKind.SCORES_SUBMITTED,
                         f"{target.display_name} 依异议 {objection.id} 调整来源 {adjustment.source} 得分")
            publish_results(uow, round_, utcnow())
        uow.rounds.save_trail(round_)
        uow.emit(ObjectionResolved(objection_name(uow.tenant, round_.id, objection.id),
                                   round_name(uow.tenant, round_.id),
                                   target_name(uow.tenant, round_.id, objection.target_id),
                                   objection.state.value, adjustment is not None, who.subject))
        uow.commit()
        return objection


def list_objections(cmd: c.ListObjections, uows: AssessmentUnitOfWorkFactory,
                    who: Principal) -> tuple[list[Objection], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(str,))
    with uows(cmd.tenant, write=False) as uow:
        round_ = access.load_round(uow, cmd.round_id)
        found = uow.rounds.list_objections(round_.id, cmd.state, access.subtree_path(uow, who), page.after_one(),
                                           page.fetch)
        return page.cut(found, lambda objection: [objection.id])
