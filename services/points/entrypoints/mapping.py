"""Proto <-> domain: the only place that knows both. The ledger and the exchange map their own
messages in their servicer modules' mapping sections."""

from __future__ import annotations

import datetime as dt

from google.protobuf.timestamp_pb2 import Timestamp
from partybuilding.points.v1 import points_service_pb2 as pb

from services.common.clock import iso_date
from services.common.tenancy import etag_of, parse_name
from services.common.uow import fingerprint
from services.points.domain import rule_sets as rs
from services.points.domain.names import rule_set_name
from services.points.domain.templates import Template


def ts(value: dt.datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def request_fingerprint(request) -> str:
    """Hash of the request minus its request_id: the same body retried hashes the same."""
    clone = type(request)()
    clone.CopyFrom(request)
    clone.ClearField("request_id")
    return fingerprint(clone.SerializeToString(deterministic=True))


def tenant_code(name: str, field_path: str = "name") -> str:
    return parse_name(name, field_path, None).tenant


def _enum(domain_enum, proto_enum, number: int):
    """Proto enum number -> domain enum; 0 is None; an undefined number stays visible as `#n` for
    check_rule_set to refuse with the field's path."""
    if number == 0:
        return None
    try:
        return domain_enum[proto_enum.Name(number)]
    except (ValueError, KeyError):
        return f"#{number}"


def _to_number(proto_enum, value) -> int:
    return proto_enum.Value(value.name) if isinstance(value, rs.enum.Enum) else 0


# ---------------------------------------------------------------- from proto

def threshold_from_proto(t: pb.Threshold) -> rs.Threshold:
    return rs.Threshold(t.code, t.name_zh, t.name_en, _enum(rs.Comparison, pb.Threshold.Comparison, t.comparison),
                        t.value, t.severity)


def rule_from_proto(r: pb.Rule) -> rs.Rule:
    roles = tuple(_enum(rs.RecorderRole, pb.Rule.RecorderRole, role) for role in r.recorder_roles)
    return rs.Rule(r.code, r.name_zh, r.name_en, _enum(rs.Kind, pb.Rule.Kind, r.kind), r.points,
                   _enum(rs.Unit, pb.Rule.Unit, r.unit), r.yearly_cap, r.needs_approval, roles, r.exchange_points,
                   r.lift_above_base, r.description)


def mode_from_proto(number: int):
    return _enum(rs.Mode, pb.RuleSet.Mode, number)


def content_from_proto(message: pb.RuleSet) -> rs.RuleSetContent:
    return rs.RuleSetContent(
        mode=mode_from_proto(message.mode), base=message.base if message.HasField("base") else None,
        floor=message.floor, max_quantity=message.max_quantity,
        thresholds=tuple(threshold_from_proto(t) for t in message.thresholds),
        rules=tuple(rule_from_proto(r) for r in message.rules))


def content_changes(message: pb.RuleSet, changes: dict) -> dict:
    """An update mask's values of RuleSet as the domain's: enums, thresholds, rules, an unset base."""
    converted = dict(changes)
    if "mode" in changes:
        converted["mode"] = mode_from_proto(message.mode)
    if "base" in changes:
        converted["base"] = message.base if message.HasField("base") else None
    if "thresholds" in changes:
        converted["thresholds"] = tuple(threshold_from_proto(t) for t in message.thresholds)
    if "rules" in changes:
        converted["rules"] = tuple(rule_from_proto(r) for r in message.rules)
    return type(changes)(converted, changes.resource, changes.unknown, changes.elsewhere)


# ---------------------------------------------------------------- to proto

def threshold_to_proto(t: rs.Threshold) -> pb.Threshold:
    return pb.Threshold(code=t.code, name_zh=t.name_zh, name_en=t.name_en,
                        comparison=_to_number(pb.Threshold.Comparison, t.comparison), value=t.value,
                        severity=t.severity)


def rule_to_proto(r: rs.Rule) -> pb.Rule:
    return pb.Rule(code=r.code, name_zh=r.name_zh, name_en=r.name_en, kind=_to_number(pb.Rule.Kind, r.kind),
                   points=r.points, unit=_to_number(pb.Rule.Unit, r.unit), yearly_cap=r.yearly_cap,
                   needs_approval=r.needs_approval,
                   recorder_roles=[_to_number(pb.Rule.RecorderRole, role) for role in r.recorder_roles],
                   exchange_points=r.exchange_points, lift_above_base=r.lift_above_base, description=r.description)


def _content_into(message: pb.RuleSet, content: rs.RuleSetContent) -> None:
    message.mode = _to_number(pb.RuleSet.Mode, content.mode)
    if content.base is not None:
        message.base = content.base
    message.floor, message.max_quantity = content.floor, content.max_quantity
    message.thresholds.extend(threshold_to_proto(t) for t in content.thresholds)
    message.rules.extend(rule_to_proto(r) for r in content.rules)


def rule_set_to_proto(rule_set: rs.RuleSet, revision: rs.RuleSetRevision) -> pb.RuleSet:
    """The rule set as `revision` states it; the etag is the rule set's (it guards the latest revision)."""
    message = pb.RuleSet(
        name=rule_set_name(rule_set.tenant, rule_set.id), display_name=rule_set.display_name,
        description=rule_set.description, revision=revision.revision,
        state=pb.RuleSet.State.Value(revision.state.value), effective_from=iso_date(revision.effective_from),
        publish_time=ts(revision.published_at), published_by=revision.published_by, template=rule_set.template,
        create_time=ts(revision.created_at), update_time=ts(revision.updated_at), etag=etag_of(rule_set.version))
    _content_into(message, revision.content)
    return message


def template_to_proto(template: Template) -> pb.RuleSet:
    message = pb.RuleSet(display_name=template.display_name, description=template.description,
                         template=template.id)
    _content_into(message, template.content)
    return message
