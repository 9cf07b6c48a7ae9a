"""pbctl notify messages / sms-sink / webhooks / deliver: delivery status, the SMS sink, webhook
endpoints with their delivery log, and the delivery process (docs/notify-channels.md).

All but `deliver` are clients of the running server's RPCs, with the token in $TOKEN (a county
admin's or an operator's). `deliver` is a process role, like `pbctl events relay`.
"""

from __future__ import annotations

import contextlib

import click

from services.common.tenancy import tenant_name
from services.pbctl.settings import REQUEST_ID, TARGET, call, channel, token_metadata

CHANNELS = ("INBOX", "SMS", "WEBHOOK")
STATUSES = ("QUEUED", "SENT", "DELIVERED", "FAILED", "CANCELLED")


def _rpc(target: str, method: str, request, tenant: str = "", request_id: str = ""):
    from partybuilding.notify.v1 import notify_service_pb2_grpc as pb_grpc

    with channel(target, request_id) as opened:
        return call(getattr(pb_grpc.NotifyServiceStub(opened), method), request, token_metadata(tenant))


def _pages(target: str, method: str, request, field: str, limit: int, tenant: str):
    """Items of a listing, page after page, at most `limit`."""
    shown = 0
    while True:
        page = _rpc(target, method, request, tenant)
        for item in getattr(page, field):
            if shown >= limit:
                return
            shown += 1
            yield item
        if not page.next_page_token:
            return
        request.page_token = page.next_page_token


def _when(stamp) -> str:
    return stamp.ToDatetime().strftime("%Y-%m-%d %H:%M:%S") if stamp.seconds else "-"


def _tenant_of(name: str) -> str:
    return name.split("/")[1] if name.startswith("tenants/") else ""


LIMIT = click.option("--limit", default=50, show_default=True, help="Show at most this many.")


@click.command("messages")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--channel", "channel_", type=click.Choice(CHANNELS), help="Only this channel.")
@click.option("--status", type=click.Choice(STATUSES), help="Only this delivery status.")
@click.option("--recipient", default="", help="Only to this unit, member or webhook endpoint (resource name).")
@click.option("--body/--no-body", default=False, help="Print each message's text too.")
@LIMIT
@TARGET
def messages(tenant, channel_, status, recipient, body, limit, target) -> None:
    """The county's messages, newest first, with their delivery status."""
    from partybuilding.notify.v1 import notify_channels_pb2 as pb
    from partybuilding.notify.v1 import notify_messages_pb2 as mpb

    request = pb.ListMessagesRequest(parent=tenant_name(tenant), recipient=recipient, page_size=min(limit, 200),
                                     channel=mpb.Message.Channel.Value(channel_) if channel_ else 0,
                                     status=mpb.Message.Status.Value(status) if status else 0)
    for m in _pages(target, "ListMessages", request, "messages", limit, tenant):
        click.echo("\t".join([m.name, mpb.Message.Channel.Name(m.channel), mpb.Message.Status.Name(m.status),
                              str(m.attempts), m.recipient_display_name or m.recipient, m.address or "-",
                              m.source_type, m.status_reason or "-"]))
        if body:
            click.echo(f"\t{m.subject}：{m.body}")


@click.command("message")
@click.argument("name")
@TARGET
def message(name, target) -> None:
    """One message (tenants/{code}/messages/{id}) in full."""
    from google.protobuf import json_format
    from partybuilding.notify.v1 import notify_channels_pb2 as pb

    found = _rpc(target, "GetMessage", pb.GetMessageRequest(name=name), _tenant_of(name))
    import yaml

    click.echo(yaml.safe_dump(json_format.MessageToDict(found, preserving_proto_field_name=True),
                              allow_unicode=True, sort_keys=False), nl=False)


@click.command("sms-sink")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@LIMIT
@TARGET
def sms_sink(tenant, limit, target) -> None:
    """What the sink took instead of an SMS gateway: time, masked phone, parts, text."""
    from partybuilding.notify.v1 import notify_channels_pb2 as pb

    request = pb.ListSmsSinkRequest(parent=tenant_name(tenant), page_size=min(limit, 200))
    for e in _pages(target, "ListSmsSink", request, "entries", limit, tenant):
        click.echo("\t".join([_when(e.create_time), e.phone, f"{e.segments}条", e.text]))


@click.group("webhooks")
def webhooks() -> None:
    """Webhook endpoints of other government systems (推送接口) and their delivery log."""


def _print_endpoint(e) -> None:
    state = "enabled" if e.enabled else f"DISABLED: {e.disabled_reason}"
    click.echo("\t".join([e.name, e.display_name, e.url, ",".join(e.event_types) or "*", state,
                          f"failures={e.consecutive_failures}"]))


@webhooks.command("create")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--display-name", required=True, help="Whose system, e.g. 县纪委监督平台.")
@click.option("--url", required=True, help="http(s) URL the events are POSTed to.")
@click.option("--event", "events", multiple=True, help="An event type or prefix (assessment.*). Repeatable; none: all.")
@REQUEST_ID
@TARGET
def create(tenant, display_name, url, events, request_id, target) -> None:
    """Create an endpoint; its signing secret is printed once, keep it."""
    from partybuilding.notify.v1 import notify_channels_pb2 as pb

    found = _rpc(target, "CreateWebhookEndpoint", pb.CreateWebhookEndpointRequest(
        parent=tenant_name(tenant), webhook_endpoint=pb.WebhookEndpoint(
            display_name=display_name, url=url, event_types=list(events))), tenant, request_id)
    _print_endpoint(found)
    click.echo(f"secret (shown once, HMAC-SHA256 key): {found.secret}", err=True)


@webhooks.command("list")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@LIMIT
@TARGET
def list_(tenant, limit, target) -> None:
    """The county's endpoints."""
    from partybuilding.notify.v1 import notify_channels_pb2 as pb

    request = pb.ListWebhookEndpointsRequest(parent=tenant_name(tenant), page_size=min(limit, 200))
    for e in _pages(target, "ListWebhookEndpoints", request, "webhook_endpoints", limit, tenant):
        _print_endpoint(e)


@webhooks.command("update")
@click.argument("name")
@click.option("--display-name", default=None)
@click.option("--url", default=None)
@click.option("--event", "events", multiple=True, help="Replaces the filters. Repeatable.")
@click.option("--enable/--disable", "enabled", default=None, help="Enabling clears the failures and the reason.")
@TARGET
def update(name, display_name, url, events, enabled, target) -> None:
    """Change an endpoint (tenants/{code}/webhookEndpoints/{id}); only the options given."""
    from partybuilding.notify.v1 import notify_channels_pb2 as pb

    given = {"display_name": display_name, "url": url, "enabled": enabled}
    fields = {k: v for k, v in given.items() if v is not None}
    paths = [*fields, *(["event_types"] if events else [])]
    endpoint = pb.WebhookEndpoint(name=name, event_types=list(events), **fields)
    _print_endpoint(_rpc(target, "UpdateWebhookEndpoint", pb.UpdateWebhookEndpointRequest(
        webhook_endpoint=endpoint, update_mask={"paths": paths}), _tenant_of(name)))


@webhooks.command("delete")
@click.argument("name")
@TARGET
def delete(name, target) -> None:
    """Delete an endpoint; its queued messages fail."""
    from partybuilding.notify.v1 import notify_channels_pb2 as pb

    _rpc(target, "DeleteWebhookEndpoint", pb.DeleteWebhookEndpointRequest(name=name), _tenant_of(name))
    click.echo(f"deleted {name}")


@webhooks.command("deliveries")
@click.argument("name")
@LIMIT
@TARGET
def deliveries(name, limit, target) -> None:
    """An endpoint's calls, newest first: time, status code, milliseconds, outcome, attempt, message."""
    from partybuilding.notify.v1 import notify_channels_pb2 as pb

    request = pb.ListWebhookDeliveriesRequest(parent=name, page_size=min(limit, 200))
    for d in _pages(target, "ListWebhookDeliveries", request, "deliveries", limit, _tenant_of(name)):
        click.echo("\t".join([_when(d.attempt_time), str(d.status_code or "-"), f"{d.duration_ms}ms", d.outcome,
                              f"#{d.attempt}", d.message, d.error or "-"]))


@webhooks.command("listen")
@click.option("--port", default=8099, show_default=True, help="Port on 127.0.0.1 to receive on.")
@click.option("--secret", default="", help="The endpoint's secret: each call's signature is checked.")
def listen(port, secret) -> None:
    """A local receiver for `make run`: prints every call (event, signature check, body) and answers 200."""
    import hmac
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from services.notify.domain.webhooks import (
        EVENT_HEADER,
        SIGNATURE_HEADER,
        TIMESTAMP_HEADER,
        sign,
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            stamp = self.headers.get(TIMESTAMP_HEADER, "")
            given = self.headers.get(SIGNATURE_HEADER, "")
            check = "-" if not secret else (
                "signature ok" if stamp.isdigit() and hmac.compare_digest(sign(secret, int(stamp), body), given)
                else "SIGNATURE WRONG")
            click.echo("\t".join([self.headers.get(EVENT_HEADER, "?"), check, body.decode(errors="replace")]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    click.echo(f"listening on http://127.0.0.1:{port}/ (Ctrl-C stops)", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        HTTPServer(("127.0.0.1", port), Handler).serve_forever()


@click.command("deliver")
@click.option("--poll-interval", default=1.0, show_default=True, help="Seconds between rounds when idle.")
@click.option("--batch-size", default=100, show_default=True)
@click.option("--timeout", default=5.0, show_default=True, help="Seconds a gateway or endpoint may take.")
def deliver(poll_interval, batch_size, timeout) -> None:
    """Run the delivery process until stopped (make run-distributed starts it; `pbctl serve`
    without a broker runs it as a thread). Replicas may run side by side on PostgreSQL."""
    import signal

    from services.common import logs
    from services.common.metrics import serve_metrics
    from services.notify.entrypoints.delivery import DeliveryLoop
    from services.notify.entrypoints.runtime import delivery_process
    from services.pbctl.settings import load_settings

    settings = load_settings()
    logs.configure(settings.log_level)
    serve_metrics(settings.metrics_port)
    uows, channels = delivery_process(settings, timeout)
    loop = DeliveryLoop(uows, channels, poll_seconds=poll_interval, batch=batch_size)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: loop.stopped.set())
    click.echo("delivering notify's queued messages (SMS, webhooks)", err=True)
    loop.run()


COMMANDS = (messages, message, sms_sink, webhooks, deliver)
