"""Proto <-> domain for the channels: webhook endpoints, their deliveries, the SMS sink, and a
ListMessages request's recipient."""

from __future__ import annotations

from partybuilding.notify.v1 import notify_channels_pb2 as pb

from services.common.errors import InvalidArgument
from services.common.grpc.messages import ts
from services.common.tenancy import check_same_county, etag_of, parse_name
from services.notify.adapters.repositories.deliveries import Attempt, SinkEntry
from services.notify.domain.messages import RecipientKind
from services.notify.domain.names import message_name
from services.notify.domain.webhooks import WebhookEndpoint, endpoint_name

_RECIPIENT_KINDS = {"units": RecipientKind.UNIT, "members": RecipientKind.MEMBER,
                    "webhookEndpoints": RecipientKind.ENDPOINT}


def endpoint_to_pb(e: WebhookEndpoint, secret: str = "") -> pb.WebhookEndpoint:
    return pb.WebhookEndpoint(
        name=endpoint_name(e.tenant, e.id), display_name=e.display_name, url=e.url, event_types=list(e.event_types),
        enabled=e.enabled, disabled_reason=e.disabled_reason, consecutive_failures=e.consecutive_failures,
        secret=secret, create_time=ts(e.created_at), update_time=ts(e.updated_at), etag=etag_of(e.version))


def delivery_to_pb(tenant: str, a: Attempt) -> pb.WebhookDelivery:
    return pb.WebhookDelivery(message=message_name(tenant, a.message_id), event_type=a.event_type, attempt=a.attempt,
                              status_code=a.status_code, duration_ms=a.duration_ms, outcome=a.outcome, error=a.error,
                              attempt_time=ts(a.attempted_at))


def sink_to_pb(tenant: str, s: SinkEntry) -> pb.SmsSinkEntry:
    return pb.SmsSinkEntry(message=message_name(tenant, s.message_id), phone=s.phone_masked, text=s.text,
                           segments=s.segments, create_time=ts(s.created_at))


def recipient_filter(name: str, tenant: str, field_path: str) -> tuple[str, str]:
    """(kind, id) of a unit, member or endpoint name of the county; ("", "") when not given."""
    if not name:
        return "", ""
    parts = name.split("/")
    collection = parts[2] if len(parts) == 4 else ""
    if collection not in _RECIPIENT_KINDS:
        raise InvalidArgument.field(field_path, "应为组织、党员或推送接口的资源名",
                                    "must name a unit, member or webhook endpoint", "MALFORMED_RESOURCE_NAME")
    parsed = parse_name(name, field_path, collection)
    check_same_county(parsed.tenant, tenant, field_path)
    return _RECIPIENT_KINDS[collection].value, parsed.id
