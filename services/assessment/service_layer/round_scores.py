"""Scores and negative items: SubmitScores, RecordNegativeItem, WithdrawNegativeItem.

Each write locks its round (so it never lands in a stage an advance has just left), checks that
the caller acts in the current stage and that the target is the round's and inside a clerk's
subtree, validates against the frozen scheme, and writes its before/after to the audit trail.
"""

from __future__ import annotations

from decimal import Decimal

from services.assessment.domain import stages
from services.assessment.domain.amounts import hundredths
from services.assessment.domain.names import target_name
from services.assessment.domain.rounds import (
    EventKind,
    NegativeItemRecord,
    Round,
    ScoreSubmission,
    check_submission,
)
from services.assessment.domain.scheme import Scheme
from services.assessment.service_layer import round_access as access
from services.assessment.service_layer import round_commands as c
from services.assessment.service_layer.round_trail import trail
from services.assessment.service_layer.round_views import TargetView, target_view
from services.assessment.service_layer.unit_of_work import (
    AssessmentUnitOfWork,
    AssessmentUnitOfWorkFactory,
)
from services.common import identifiers, text
from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import AlreadyExists, Validator, not_found
from services.common.ids import new_id

NOTE_MAX = 500
EVIDENCE_MAX = 500


def parse_values(scheme: Scheme, source: str, values: list[c.Value], v: Validator,
                 prefix: str = "values") -> tuple[dict[str, Decimal], dict[str, str]]:
    """(values, notes) by indicator code: each code once, each value a finite number within bounds,
    judged by its indicator's method in the frozen scheme (domain/rounds.check_submission)."""
    found: dict[str, Decimal] = {}
    notes: dict[str, str] = {}
    v.require(bool(values), prefix, "至少填写一项指标", "must hold at least one indicator value")
    for i, item in enumerate(values):
        path = f"{prefix}[{i}]"
        code = identifiers.check(v, item.indicator, f"{path}.indicator")
        if not v.require(bool(code), f"{path}.indicator", "必须填写指标代码", "is required"):
            continue
        if not v.require(code not in found, f"{path}.indicator", f"指标 {code} 重复填写",
                         f"indicator {code} is given twice"):
            continue
        value = hundredths(item.value)  # None for NaN, infinities and beyond a billion
        if not v.require(value is not None, f"{path}.value", "必须是有限的数值且不超过十亿",
                         "must be a finite number of at most one billion in magnitude"):
            continue
        found[code] = value
        notes[code] = v.text(item.note, f"{path}.note", max_len=NOTE_MAX, required=False, multi_line=True)
    check_submission(scheme, source, found, v, prefix)
    return found, notes


def check_source_code(scheme: Scheme, source: str, v: Validator, field_path: str) -> str:
    code = identifiers.check(v, source, field_path)
    known = [s.code for s in scheme.sources]
    v.require(code in known, field_path, f"方案中没有评分来源 {code or '（空）'}（可选：{'、'.join(known)}）",
              f"the scheme has no source {code!r} (one of {', '.join(known)})")
    return code


def apply_scores(uow: AssessmentUnitOfWork, who: Principal, round_: Round, stage_code: str,
                 submission: ScoreSubmission, notes: dict[str, str], kind: EventKind, summary: str) -> int:
    """Store the values and their before/after in the trail; the number of values that changed."""
    before, after = submission.changes(uow.rounds.current_values(round_.id, submission.target_id, submission.source))
    now = utcnow()
    uow.rounds.put_scores(round_.id, submission, notes, who.subject, now)
    trail(uow, who, round_, stage_code, kind, submission.target_id, summary,
          {submission.source: before} if before else {}, {submission.source: after} if after else {})
    return len(after)


def submit_scores(cmd: c.SubmitScores, uows: AssessmentUnitOfWorkFactory, who: Principal) -> TargetView:
    with uows(cmd.tenant) as uow:
        round_ = access.load_round(uow, cmd.round_id, lock=True)
        claim = uow.idempotency.claim("SubmitScores", cmd)
        if claim.done:
            return target_view(uow, round_, access.load_target(uow, who, round_, claim.done))
        scheme = access.round_scheme(uow, round_)
        stage = round_.stage(scheme)
        stages.check_actor(stage, access.actor_of(who), "评分", "submit scores")
        target = access.load_target(uow, who, round_, identifiers.require(cmd.target_id, "target"))
        v = Validator()
        source = check_source_code(scheme, cmd.source, v, "source")
        note = v.text(cmd.note, "note", max_len=NOTE_MAX, required=False, multi_line=True)
        v.raise_if_any()
        stages.check_source(scheme, stage, source)
        values, notes = parse_values(scheme, source, cmd.values, v)
        v.raise_if_any()
        submission = ScoreSubmission(target.target_id, source, values, note)
        apply_scores(uow, who, round_, stage.code, submission, notes, EventKind.SCORES_SUBMITTED,
                     f"{target.display_name} 来源 {source} 评分 {len(values)} 项")
        uow.rounds.save_trail(round_)
        claim.remember(target_name(uow.tenant, round_.id, target.target_id))
        view = target_view(uow, round_, target)
        uow.commit()
        return view


def _negative_stage(uow: AssessmentUnitOfWork, who: Principal, round_: Round, what_zh: str, what_en: str):
    scheme = access.round_scheme(uow, round_)
    stage = round_.stage(scheme)
    stages.check_actor(stage, access.actor_of(who), what_zh, what_en)
    stages.check_negative_items_allowed(stage)
    return scheme, stage


def _negative_code(scheme: Scheme, value: str) -> str:
    v = Validator()
    code = identifiers.check(v, value, "code")
    known = {item.code for item in scheme.negative_items}
    v.require(code in known, "code", f"方案的负面清单中没有事项 {code or '（空）'}",
              f"the scheme's negative list has no item {code!r}")
    v.raise_if_any()
    return code


def record_negative_item(cmd: c.RecordNegativeItem, uows: AssessmentUnitOfWorkFactory,
                         who: Principal) -> tuple[NegativeItemRecord, str]:
    with uows(cmd.tenant) as uow:
        round_ = access.load_round(uow, cmd.round_id, lock=True)
        claim = uow.idempotency.claim("RecordNegativeItem", cmd)
        if claim.done:  # the same answer, to a caller who may still see its target
            record = uow.rounds.negative_item(claim.done)
            access.load_target(uow, who, round_, record.target_id)
            return record, _item_name(access.round_scheme(uow, round_), record.code)
        scheme, stage = _negative_stage(uow, who, round_, "记录负面清单事项", "record negative items")
        target = access.load_target(uow, who, round_, identifiers.require(cmd.target_id, "target"))
        code = _negative_code(scheme, cmd.code)
        v = Validator()
        evidence = v.text(cmd.evidence, "evidence", max_len=EVIDENCE_MAX, multi_line=True)
        v.raise_if_any()
        if uow.rounds.active_negative_item(round_.id, target.target_id, code) is not None:
            raise AlreadyExists("NEGATIVE_ITEM_RECORDED", f"{target.display_name} 已记录负面清单事项 {code}",
                                f"negative item {code} is already recorded against {target.target_id}")
        record = NegativeItemRecord(new_id("n"), target.target_id, code, evidence, who.subject, utcnow())
        uow.rounds.add_negative_item(round_.id, record)
        trail(uow, who, round_, stage.code, EventKind.NEGATIVE_ITEM_RECORDED, target.target_id,
              f"{target.display_name} 记录负面清单事项 {_item_name(scheme, code)}", {},
              {"code": code, "evidence": evidence})
        uow.rounds.save_trail(round_)
        claim.remember(f"{target_name(uow.tenant, round_.id, target.target_id)}/negativeItems/{record.id}")
        uow.commit()
        return record, _item_name(scheme, code)


def withdraw_negative_item(cmd: c.WithdrawNegativeItem, uows: AssessmentUnitOfWorkFactory,
                           who: Principal) -> tuple[NegativeItemRecord, str]:
    with uows(cmd.tenant) as uow:
        round_ = access.load_round(uow, cmd.round_id, lock=True)
        scheme, stage = _negative_stage(uow, who, round_, "撤销负面清单事项", "withdraw negative items")
        target = access.load_target(uow, who, round_, identifiers.require(cmd.target_id, "target"))
        code = _negative_code(scheme, cmd.code)
        v = Validator()
        reason = v.text(cmd.reason, "reason", max_len=text.REASON_MAX)
        v.raise_if_any()
        record = uow.rounds.active_negative_item(round_.id, target.target_id, code)
        if record is None:
            raise not_found("负面清单记录", "negative item record",
                            f"{target_name(uow.tenant, round_.id, target.target_id)} {code}")
        record.withdraw(who.subject, reason, utcnow())
        uow.rounds.save_withdrawal(record)
        trail(uow, who, round_, stage.code, EventKind.NEGATIVE_ITEM_WITHDRAWN, target.target_id,
              f"{target.display_name} 撤销负面清单事项 {_item_name(scheme, code)}",
              {"code": code, "evidence": record.evidence}, {"code": code, "withdraw_reason": reason})
        uow.rounds.save_trail(round_)
        uow.commit()
        return record, _item_name(scheme, code)


def _item_name(scheme: Scheme, code: str) -> str:
    return next((item.name_zh for item in scheme.negative_items if item.code == code), code)
