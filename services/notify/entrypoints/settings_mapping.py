"""Proto <-> domain for the county's notify settings and for messages."""

from __future__ import annotations

from google.protobuf import json_format
from partybuilding.notify.v1 import notify_messages_pb2 as mpb
from partybuilding.notify.v1 import notify_settings_pb2 as spb

from services.common.grpc.messages import ts
from services.common.identifiers import mask_phone
from services.common.tenancy import etag_of
from services.notify.domain.messages import Channel, Message, RecipientKind
from services.notify.domain.names import MEMBERS, UNITS, message_name, recipient_name, settings_name
from services.notify.domain.settings import NotifySettings

ENDPOINTS = "webhookEndpoints"


def settings_to_pb(tenant: str, found: NotifySettings, stamp: dict) -> spb.NotifySettings:
    out = json_format.ParseDict(found.sections, spb.NotifySettings(), ignore_unknown_fields=True)
    out.name, out.etag = settings_name(tenant), etag_of(found.version)
    if stamp:
        out.updated_by = stamp["updated_by"]
        out.update_time.CopyFrom(ts(stamp["updated_at"]))
    return out


def _value_at(message, path: str):
    """The JSON value a mask path points at in `message`; None when it is unset there."""
    value, fd = message, None
    for part in path.split("."):
        fd = value.DESCRIPTOR.fields_by_name.get(part)
        if fd is None:
            return None
        if fd.has_presence and not value.HasField(part):
            return None
        value = getattr(value, part)
    if isinstance(value, (int, float, bool)) and fd is not None and fd.has_presence:
        return value  # a proto3 `optional` set to 0 or false is a value, not the default
    if hasattr(value, "DESCRIPTOR"):  # a message: its set fields, None when none is
        data = json_format.MessageToDict(value, preserving_proto_field_name=True)
        return data or None
    if isinstance(value, (str, bytes, int, float, bool)):
        return value or None
    # A repeated field, whole (AIP-161): its items as JSON data, None when empty.
    return [json_format.MessageToDict(v, preserving_proto_field_name=True) if hasattr(v, "DESCRIPTOR") else v
            for v in value] or None


def settings_changes(request: spb.UpdateNotifySettingsRequest) -> dict:
    return {path: _value_at(request.settings, path) for path in request.update_mask.paths}


def _recipient_name(msg: Message) -> str:
    r = msg.recipient
    if r.kind is RecipientKind.UNIT:
        return UNITS.name(msg.tenant, r.id)
    if r.kind is RecipientKind.MEMBER:
        return MEMBERS.name(msg.tenant, r.id)
    return f"tenants/{msg.tenant}/{ENDPOINTS}/{r.id}"


def _shown_address(msg: Message) -> str:
    """A phone is personal data: shown as 138****0000; an endpoint's URL as it is."""
    address = msg.recipient.address
    if msg.channel is Channel.SMS:
        return mask_phone(address)
    return address if msg.channel is Channel.WEBHOOK else ""


def message_to_pb(msg: Message) -> mpb.Message:
    out = mpb.Message(
        name=message_name(msg.tenant, msg.id), channel=mpb.Message.Channel.Value(msg.channel.value),
        recipient_kind=mpb.Message.RecipientKind.Value(msg.recipient.kind.value), recipient=_recipient_name(msg),
        recipient_display_name=msg.recipient.display_name, address=_shown_address(msg),
        source_kind=mpb.Message.SourceKind.Value(msg.source_kind.value), source_key=msg.source_key,
        source_type=msg.source_type, subject=msg.subject, body=msg.body, urgent=msg.urgent,
        status=mpb.Message.Status.Value(msg.status.value), status_reason=msg.status_reason, attempts=msg.attempts,
        etag=etag_of(msg.version))
    for field, value in (("create_time", msg.created_at), ("next_attempt_time", msg.next_attempt_at),
                         ("send_time", msg.sent_at), ("deliver_time", msg.delivered_at), ("read_time", msg.read_at)):
        if value is not None:
            getattr(out, field).CopyFrom(ts(value))
    if msg.notice_id and msg.unit_id:
        out.notice_recipient = recipient_name(msg.tenant, msg.notice_id, msg.unit_id)
    return out
