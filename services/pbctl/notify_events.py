"""pbctl notify template / inbox-messages: a county's message templates and the inbox of messages.

`template put` sends the whole template, checked by the server before anything is stored
(an unknown field, a template that does not compile or leaves the sandbox is refused, exit 2);
`template preview` renders one over the event type's sample data (or --data field=value).
"""

from __future__ import annotations

from pathlib import Path

import click

from services.common.tenancy import tenant_name
from services.pbctl.notify import _with
from services.pbctl.settings import TARGET, call, channel, fail, token_metadata

CHANNELS = ("INBOX", "SMS")
LOCALES = ("zh-CN", "en-US")
WHICH = [
    click.argument("event_type"),
    click.option("--tenant", required=True, help="County code, e.g. 610222."),
    click.option("--channel", "channel_", default="INBOX", type=click.Choice(CHANNELS), show_default=True),
    click.option("--locale", default="zh-CN", type=click.Choice(LOCALES), show_default=True),
]


def _rpc(target: str, method: str, request, tenant: str = ""):
    from partybuilding.notify.v1 import notify_service_pb2_grpc as pb_grpc

    with channel(target) as opened:
        return call(getattr(pb_grpc.NotifyServiceStub(opened), method), request, token_metadata(tenant))


def _tpb():
    from partybuilding.notify.v1 import notify_templates_pb2

    return notify_templates_pb2


def _name(tenant: str, event_type: str, channel_: str, locale: str) -> str:
    return f"{tenant_name(tenant)}/templates/{event_type}.{channel_}.{locale}"


def _body(body: str, body_file: str) -> str:
    if body and body_file:
        fail("--body 与 --body-file 只能给一个 / give --body or --body-file, not both", 2)
    if body_file:
        try:
            return Path(body_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{body_file}: {exc}", 2)
    return body


def _show(t) -> None:
    origin = "shipped default" if t.shipped_default else f"county's own, etag {t.etag}, by {t.updated_by}"
    click.echo(f"{t.name}  ({origin})")
    click.echo(f"fields: {', '.join(t.fields)}")
    click.echo(f"subject: {t.subject}")
    click.echo(t.body)


@click.group("template")
def template() -> None:
    """A county's message templates per event type, channel and locale."""


@template.command("list")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--event-type", default="", help="Only this event type's templates.")
@TARGET
def list_templates(tenant, event_type, target) -> None:
    """Every template in force: the county's own and the shipped defaults."""
    token = ""
    while True:
        got = _rpc(target, "ListTemplates", _tpb().ListTemplatesRequest(
            parent=tenant_name(tenant), event_type=event_type, page_size=200, page_token=token), tenant)
        for t in got.templates:
            click.echo(f"{t.name}  {'default' if t.shipped_default else 'own ' + t.etag}  {t.subject}")
        token = got.next_page_token
        if not token:
            return


@template.command("get")
@_with(WHICH)
@TARGET
def get(event_type, tenant, channel_, locale, target) -> None:
    """The county's template, else the shipped default."""
    _show(_rpc(target, "GetTemplate", _tpb().GetTemplateRequest(name=_name(tenant, event_type, channel_, locale)),
               tenant))


@template.command("put")
@_with(WHICH)
@click.option("--subject", default="", help="Jinja2; may be empty for SMS.")
@click.option("--body", default="", help="Jinja2 (or --body-file).")
@click.option("--body-file", default="", type=click.Path(dir_okay=False), help="A UTF-8 file holding the body.")
@click.option("--etag", default="", help="The etag you read: refuses to overwrite a newer template.")
@TARGET
def put(event_type, tenant, channel_, locale, subject, body, body_file, etag, target) -> None:
    """Create or replace the county's template (checked whole first)."""
    t = _tpb().Template(event_type=event_type, channel=channel_, locale=locale, subject=subject,
                        body=_body(body, body_file), etag=etag)
    done = _rpc(target, "PutTemplate", _tpb().PutTemplateRequest(parent=tenant_name(tenant), template=t), tenant)
    click.echo(f"saved {done.name}; etag {done.etag}")


@template.command("preview")
@_with(WHICH)
@click.option("--subject", default="", help="Preview these sources instead of the template in force.")
@click.option("--body", default="")
@click.option("--body-file", default="", type=click.Path(dir_okay=False))
@click.option("--data", "pairs", multiple=True, help="field=value laid over the sample data. Repeatable.")
@TARGET
def preview(event_type, tenant, channel_, locale, subject, body, body_file, pairs, target) -> None:
    """Render a template over the event type's sample data (or the data given)."""
    data = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep:
            fail(f"--data {pair!r}: 应为 字段=值 / must be field=value", 2)
        data[field] = value
    t = _tpb().Template(event_type=event_type, channel=channel_, locale=locale, subject=subject,
                        body=_body(body, body_file))
    got = _rpc(target, "PreviewTemplate", _tpb().PreviewTemplateRequest(
        parent=tenant_name(tenant), template=t, data=data), tenant)
    click.echo(f"subject: {got.subject}")
    click.echo(got.body)


@template.command("delete")
@_with(WHICH)
@click.option("--etag", default="", help="The etag you read.")
@TARGET
def delete(event_type, tenant, channel_, locale, etag, target) -> None:
    """Remove the county's template: the shipped default speaks again."""
    got = _rpc(target, "DeleteTemplate", _tpb().DeleteTemplateRequest(
        name=_name(tenant, event_type, channel_, locale), etag=etag), tenant)
    click.echo(f"deleted; now in force: {got.name} ({'shipped default' if got.shipped_default else 'own'})")


@click.group("inbox-messages")
def inbox_messages() -> None:
    """The inbox of messages: what events told a unit or a member (`notify messages` lists every
    channel's messages of the county, with their delivery status)."""


@inbox_messages.command("list")
@click.argument("parent")
@click.option("--unread", is_flag=True, help="Unread only.")
@TARGET
def inbox(parent, unread, target) -> None:
    """A unit's (tenants/{code}/units/{id}) or member's inbox of messages, unread first (first 100)."""
    from partybuilding.notify.v1 import notify_inbox_messages_pb2 as ipb

    got = _rpc(target, "ListInboxMessages", ipb.ListInboxMessagesRequest(parent=parent, unread_only=unread,
                                                                           page_size=100))
    click.echo(f"{got.unread_count} unread of {got.total_size}")
    for m in got.messages:
        state = "read  " if m.read_time.seconds else "unread"
        click.echo(f"{m.name}  {state}  {m.create_time.ToDatetime():%Y-%m-%d %H:%M}  {m.subject}")


@inbox_messages.command("read")
@click.argument("message")
@click.option("--etag", default="", help="The message's etag.")
@TARGET
def read(message, etag, target) -> None:
    """Open an inbox message (tenants/{code}/messages/{id}) and print it."""
    from partybuilding.notify.v1 import notify_inbox_messages_pb2 as ipb

    m = _rpc(target, "MarkMessageRead", ipb.MarkMessageReadRequest(name=message, etag=etag))
    click.echo(f"{m.subject}\n{m.body}")
