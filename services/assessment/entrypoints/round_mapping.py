"""Rounds: proto <-> commands and views (names, enums, values, the audit trail's JSON)."""

from __future__ import annotations

from google.protobuf import struct_pb2
from partybuilding.assessment.v1 import assessment_rounds_pb2 as pb

from services.assessment.domain.names import (
    OBJECTIONS,
    REVISIONS,
    ROUNDS,
    SCHEMES,
    TARGETS,
    UNITS,
    member_name,
    objection_name,
    revision_name,
    round_name,
    target_name,
    unit_name,
)
from services.assessment.domain.rounds import (
    NegativeItemRecord,
    Objection,
    ObjectionState,
    RoundEvent,
    RoundState,
)
from services.assessment.service_layer import round_commands as c
from services.assessment.service_layer.round_views import RoundView, TargetView
from services.common.clock import iso_date
from services.common.errors import InvalidArgument
from services.common.grpc.messages import ts
from services.common.tenancy import etag_of, tenant_name


def round_ref(name: str, field_path: str = "name") -> tuple[str, str]:
    parsed = ROUNDS.parse(name, field_path)
    return parsed.tenant, parsed.id


def target_ref(name: str, field_path: str = "target") -> tuple[str, str, str]:
    """(tenant, round id, target id) of a round target's name."""
    parsed = TARGETS.parse(name, field_path)
    return parsed.tenant, parsed.parent_id, parsed.id


def target_of_round(name: str, tenant: str, round_id: str, field_path: str) -> str:
    """The target id of an optional target name, which must be of the given round ("" when empty)."""
    if not name:
        return ""
    target_tenant, target_round, target_id = target_ref(name, field_path)
    if (target_tenant, target_round) != (tenant, round_id):
        raise InvalidArgument.field(field_path, "应为本轮次的考核对象", "must be a target of the round named by parent")
    return target_id


def objection_ref(name: str, field_path: str = "name") -> tuple[str, str, str]:
    parsed = OBJECTIONS.parse(name, field_path)
    return parsed.tenant, parsed.parent_id, parsed.id


def scheme_ref(name: str, field_path: str) -> tuple[str, str]:
    parsed = SCHEMES.parse(name, field_path)
    return parsed.tenant, parsed.id


def revision_ref(name: str, tenant: str, field_path: str) -> tuple[str, int]:
    """(scheme id, revision number) of tenants/{t}/schemes/{id}/revisions/{n} in `tenant`."""
    parsed = REVISIONS.parse(name, field_path)
    if parsed.tenant != tenant or not parsed.id.isdigit() or int(parsed.id) < 1:
        raise InvalidArgument.field(field_path, f"应为本县考核方案的版本（{tenant_name(tenant)}/schemes/{{id}}/revisions/{{n}}）",
                                    f"must name a revision of a scheme of {tenant_name(tenant)} (…/revisions/{{n}}, n >= 1)")
    return parsed.parent_id, int(parsed.id)


def unit_ref(name: str, tenant: str, field_path: str) -> str:
    """The unit id of an optional unit name in `tenant` ("" when empty)."""
    if not name:
        return ""
    parsed = UNITS.parse(name, field_path)
    if parsed.tenant != tenant:
        raise InvalidArgument.field(field_path, f"组织不属于 {tenant_name(tenant)}", f"must be a unit of {tenant_name(tenant)}")
    return parsed.id


def same_tenant(tenant: str, other: str, field_path: str) -> None:
    if tenant != other:
        raise InvalidArgument.field(field_path, f"应属于 {tenant_name(tenant)}", f"must belong to {tenant_name(tenant)}")


def values(items) -> list[c.Value]:
    return [c.Value(item.indicator, item.value, item.note) for item in items]


ROUND_STATES = {pb.Round.RUNNING: RoundState.RUNNING, pb.Round.FINALIZED: RoundState.FINALIZED}
OBJECTION_STATES = {pb.Objection.OPEN: ObjectionState.OPEN, pb.Objection.UPHELD: ObjectionState.UPHELD,
                    pb.Objection.REJECTED: ObjectionState.REJECTED}


def enum_filter(mapping: dict, number: int, field_path: str):
    """A proto enum filter: 0 is none; an unknown number is INVALID_ARGUMENT on the field."""
    if number == 0:
        return None
    if number not in mapping:
        raise InvalidArgument.field(field_path, f"未知的取值 {number}", f"unknown value {number}")
    return mapping[number]


def round_to_proto(view: RoundView) -> pb.Round:
    r, stage = view.round, view.stage
    return pb.Round(
        name=round_name(r.tenant, r.id), scheme_revision=revision_name(r.tenant, r.scheme_id, r.scheme_revision),
        display_name=r.display_name, period=r.period, scope=unit_name(r.tenant, r.scope_unit_id) if r.scope_unit_id else "",
        state=pb.Round.State.Value(r.state.value), stage=stage.code if stage else "",
        stage_display_name=stage.name_zh if stage else "",
        stage_kind=pb.Round.StageKind.Value(stage.kind.value) if stage else 0, stage_index=r.stage_index,
        stage_count=view.stage_count, stage_start_time=ts(r.stage_started_at),
        notice_end_date=iso_date(view.notice_end_date), target_count=r.target_count,
        open_objection_count=view.open_objections, creator=r.created_by, create_time=ts(r.created_at),
        finalize_time=ts(r.finalized_at), etag=etag_of(r.version))


def negative_item_to_proto(record: NegativeItemRecord, display_name: str) -> pb.NegativeItemRecord:
    return pb.NegativeItemRecord(
        code=record.code, display_name=display_name, evidence=record.evidence, recorded_by=record.recorded_by,
        record_time=ts(record.recorded_at), withdrawn=not record.active, withdrawn_by=record.withdrawn_by,
        withdraw_reason=record.withdraw_reason, withdraw_time=ts(record.withdrawn_at))


def target_to_proto(tenant: str, round_id: str, view: TargetView) -> pb.RoundTarget:
    x = view.target
    return pb.RoundTarget(
        name=target_name(tenant, round_id, x.target_id), unit=unit_name(tenant, x.unit_id),
        member=member_name(tenant, x.member_id) if x.member_id else "",
        township=unit_name(tenant, x.township_id) if x.township_id else "", display_name=x.display_name,
        progress=[pb.SourceProgress(source=p.source, scored=p.scored, required=p.required) for p in view.progress],
        values=[pb.ScoreValue(source=v.source, indicator=v.indicator, value=float(v.value), note=v.note,
                              submitted_by=v.submitted_by, submit_time=ts(v.submitted_at)) for v in view.values],
        negative_items=[negative_item_to_proto(record, name) for record, name in view.negative_items])


def objection_to_proto(tenant: str, round_id: str, o: Objection) -> pb.Objection:
    adjustment = None
    if o.adjustment is not None:
        adjustment = pb.ScoreAdjustment(source=o.adjustment.source, values=[
            pb.IndicatorValue(indicator=code, value=float(value)) for code, value in sorted(o.adjustment.values.items())])
    return pb.Objection(
        name=objection_name(tenant, round_id, o.id), target=target_name(tenant, round_id, o.target_id),
        reason=o.reason, state=pb.Objection.State.Value(o.state.value), decision_note=o.decision_note,
        adjustment=adjustment, filed_by=o.filed_by, resolved_by=o.resolved_by, file_time=ts(o.filed_at),
        resolve_time=ts(o.resolved_at), etag=etag_of(o.version))


def _struct(data: dict) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(data)
    return message


def event_to_proto(tenant: str, round_id: str, event: RoundEvent) -> pb.RoundEvent:
    return pb.RoundEvent(
        sequence=event.seq, kind=pb.RoundEvent.Kind.Value(event.kind.value), actor=event.actor,
        actor_role=event.actor_role, event_time=ts(event.at), stage=event.stage,
        target=target_name(tenant, round_id, event.target_id) if event.target_id else "", summary=event.summary,
        before=_struct(event.before), after=_struct(event.after))
