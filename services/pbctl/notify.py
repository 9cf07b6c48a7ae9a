"""pbctl notify: a county's notices, weekly task lists (两下两上) and inboxes, and its directory.

Every command is a client of the running server's RPCs, with the token in $TOKEN (see
`pbctl dev-token`): a clerk's token acts for the clerk's unit, a county admin's for the county.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import click

from services.common.clock import DEFAULT_TZ
from services.common.tenancy import tenant_name
from services.pbctl.settings import REQUEST_ID, TARGET, call, channel, fail, token_metadata

UNIT_TYPES = ("TOWNSHIP", "WORK_STATION", "VILLAGE", "COMMUNITY", "BRANCH", "PARTY_GROUP")
POSTS = ("SECRETARY", "DEPUTY_SECRETARY", "COMMITTEE_MEMBER", "VILLAGE_DIRECTOR", "FIRST_SECRETARY", "STATION_CHIEF",
         "STATION_DEPUTY", "PARTY_AFFAIRS_WORKER", "RESERVE_CADRE", "REVITALIZATION_SPECIALIST")
SELECTOR = [
    click.option("--to", "subtrees", multiple=True, required=True, help="A subtree's root unit, tenants/{code}/units/{id}. Repeatable."),
    click.option("--unit-type", "unit_types", multiple=True, type=click.Choice(UNIT_TYPES), help="Only units of this type. Repeatable."),
    click.option("--post", "posts", multiple=True, type=click.Choice(POSTS), help="Only units with this post held, addressed to its holder. Repeatable."),
    click.option("--due", default="", help="Deadline, e.g. 2026-12-11T18:00 (Asia/Shanghai unless an offset is given)."),
]


def _with(options):
    def wrap(command):
        for option in reversed(options):
            command = option(command)
        return command
    return wrap


def _pb():
    from partybuilding.notify.v1 import notify_notices_pb2

    return notify_notices_pb2


def _stub(opened):
    from partybuilding.notify.v1 import notify_service_pb2_grpc as pb_grpc

    return pb_grpc.NotifyServiceStub(opened)


def _rpc(target: str, method: str, request, tenant: str = "", request_id: str = ""):
    md = token_metadata(tenant)
    with channel(target, request_id) as opened:
        return call(getattr(_stub(opened), method), request, md)


def _selectors(subtrees, unit_types, posts) -> list:
    from partybuilding.organization.v1 import organization_resources_pb2 as opb

    return [_pb().RecipientSelector(subtree=s, unit_types=[opb.UnitType.Value(t) for t in unit_types],
                                    post_types=[opb.PostType.Value(p) for p in posts]) for s in subtrees]


def _due(text: str, option: str = "--due"):
    """A Timestamp from the command line's local time, or None."""
    if not text:
        return None
    from google.protobuf.timestamp_pb2 import Timestamp

    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option}: 时间格式应为 2026-12-11T18:00 / must be a date and time like 2026-12-11T18:00, got {text!r}", 2)
    stamp = Timestamp()
    stamp.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(DEFAULT_TZ)))
    return stamp


def _form(path: str):
    """A report form from a YAML list of fields (name, label_zh, label_en, kind, required, choices)."""
    from pathlib import Path

    import yaml
    from google.protobuf import json_format

    try:
        fields = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return json_format.ParseDict({"fields": fields}, _pb().ReportForm())
    except (OSError, yaml.YAMLError, json_format.ParseError, TypeError) as exc:
        fail(f"{path}: 不是有效的汇报表 / not a valid report form: {exc}", 2)


def _state(recipient) -> str:
    state = _pb().Recipient.State.Name(recipient.state)
    return state + (" OVERDUE" if recipient.overdue else "")


@click.group()
def notify() -> None:
    """Notices, weekly task lists (两下两上) and inboxes (NotifyService)."""


@notify.command("send")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--title", required=True)
@click.option("--body", default="")
@click.option("--from", "sender", default="", help="The sending unit; default: the county (a clerk: their unit).")
@_with(SELECTOR)
@click.option("--ack", is_flag=True, help="Recipients must acknowledge (签收).")
@click.option("--form", "form_file", default="", help="YAML report form: recipients must report with it.")
@REQUEST_ID
@TARGET
def send(tenant, title, body, sender, subtrees, unit_types, posts, due, ack, form_file, request_id, target) -> None:
    """Send a notice to the units the selectors name now (they are frozen with it)."""
    pb = _pb()
    notice = pb.Notice(sender=sender, title=title, body=body, recipients=_selectors(subtrees, unit_types, posts),
                       requires_ack=ack, requires_report=bool(form_file), due_time=_due(due),
                       report_form=_form(form_file) if form_file else None)
    sent = _rpc(target, "SendNotice", pb.SendNoticeRequest(parent=tenant_name(tenant), notice=notice), tenant,
                request_id)
    click.echo(f"sent {sent.name} to {sent.recipient_count} units")


@notify.command("forward")
@click.argument("copy")
@_with(SELECTOR)
@click.option("--note", default="", help="The forwarding unit's own instructions.")
@REQUEST_ID
@TARGET
def forward(copy, subtrees, unit_types, posts, due, note, request_id, target) -> None:
    """Forward your unit's copy (tenants/{code}/notices/{id}/recipients/{unit}) to units below it."""
    pb = _pb()
    child = _rpc(target, "ForwardNotice", pb.ForwardNoticeRequest(
        name=copy, recipients=_selectors(subtrees, unit_types, posts), note=note, due_time=_due(due)),
        request_id=request_id)
    click.echo(f"forwarded as {child.name} to {child.recipient_count} units")


def _on_copy(method: str, request: str):
    """A command acting on one copy, printing its state afterwards."""
    def run(copy, target) -> None:
        got = _rpc(target, method, getattr(_pb(), request)(name=copy))
        click.echo(f"{got.name} {_state(got)}")
    return run


ack = notify.command("ack", help="签收: acknowledge your unit's copy of a notice.")(
    click.argument("copy")(TARGET(_on_copy("AcknowledgeNotice", "AcknowledgeNoticeRequest"))))
read = notify.command("read", help="Mark your unit's copy of a notice read.")(
    click.argument("copy")(TARGET(_on_copy("MarkRead", "MarkReadRequest"))))


@notify.command("report")
@click.argument("copy")
@click.option("--value", "pairs", multiple=True, help="field=value. Repeatable.")
@click.option("--include-forwarded", is_flag=True, help="Fill the rest from the reports of the units you forwarded to.")
@click.option("--etag", default="", help="The copy's etag when replacing an earlier report.")
@TARGET
def report(copy, pairs, include_forwarded, etag, target) -> None:
    """Report back on your unit's copy of a notice (回执/汇报)."""
    pb = _pb()
    given = [pb.ReportValue(field=p.partition("=")[0], value=p.partition("=")[2]) for p in pairs]
    got = _rpc(target, "SubmitReport", pb.SubmitReportRequest(name=copy, values=given,
                                                              include_forwarded=include_forwarded, etag=etag))
    click.echo(f"{got.name} {_state(got)}")
    for v in got.report.values:
        click.echo(f"  {v.field}: {v.value}" + ("  (汇总 / from forwarded)" if v.field in got.report.aggregated_fields else ""))


def _tree(status, depth: int = 0) -> None:
    c, t = status.counts, status.tree_counts
    pad = "  " * depth
    click.echo(f"{pad}{status.notice.name}  {status.notice.title}  from {status.notice.sender_display_name}: "
               f"{c.recipients} units, {c.read} read, {c.acknowledged} acknowledged, {c.reported} reported, "
               f"{c.overdue} overdue (tree: {t.recipients}/{t.reported} reported)")
    for r in status.recipients:
        click.echo(f"{pad}  - {r.recipient.unit_display_name}  {_state(r.recipient)}")
        if r.HasField("forwarded"):
            _tree(r.forwarded, depth + 2)


@notify.command("status")
@click.argument("notice")
@TARGET
def status(notice, target) -> None:
    """Who received, read, acknowledged, reported and is overdue, down the forwarded tree."""
    found = _rpc(target, "GetNoticeStatus", _pb().GetNoticeStatusRequest(name=notice))
    token = found.next_page_token
    while token:  # a county-wide notice answers its recipients page by page
        more = _rpc(target, "GetNoticeStatus", _pb().GetNoticeStatusRequest(name=notice, page_token=token))
        found.recipients.extend(more.recipients)
        token = more.next_page_token
    _tree(found)


@notify.command("list")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--sent-by", default="", help="A unit, or - for the county itself.")
@click.option("--addressed-to", default="", help="A unit.")
@TARGET
def list_notices(tenant, sent_by, addressed_to, target) -> None:
    """Notices sent by or addressed to a unit, newest first (first 100)."""
    got = _rpc(target, "ListNotices", _pb().ListNoticesRequest(parent=tenant_name(tenant), sent_by=sent_by,
                                                                addressed_to=addressed_to, page_size=100), tenant)
    for n in got.notices:
        click.echo(f"{n.name}  {n.title}  from {n.sender_display_name}  {n.recipient_count} units")


@notify.command("inbox")
@click.argument("unit")
@click.option("--unread", is_flag=True, help="Unread only.")
@TARGET
def inbox(unit, unread, target) -> None:
    """A unit's inbox, unread first (first 100)."""
    got = _rpc(target, "ListInbox", _pb().ListInboxRequest(unit=unit, unread_only=unread, page_size=100))
    click.echo(f"{got.unread_count} unread of {got.total_size}")
    for item in got.items:
        click.echo(f"{item.recipient.name}  {_state(item.recipient)}  {item.notice.title}  "
                   f"from {item.notice.sender_display_name}")


@notify.command("resync")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@TARGET
def resync(tenant: str, target: str) -> None:
    """Rebuild the county's directory of the organization from the organization's listings (operators)."""
    from partybuilding.notify.v1 import notify_service_pb2 as pb

    counts = _rpc(target, "ResyncDirectory", pb.ResyncDirectoryRequest(parent=tenant_name(tenant)), tenant)
    click.echo(f"resynced {tenant_name(tenant)}: {counts.units} units, {counts.members} members, "
               f"{counts.posts} posts, {counts.removed} removed")


def _subcommands() -> None:
    # Each concern's commands live in their own module (services/pbctl/notify_<concern>.py).
    from services.pbctl.notify_channels import COMMANDS as CHANNEL_COMMANDS
    from services.pbctl.notify_events import inbox_messages, template
    from services.pbctl.notify_reminders import sweep
    from services.pbctl.notify_settings import settings

    notify.add_command(settings)
    notify.add_command(sweep)
    for command in CHANNEL_COMMANDS:
        notify.add_command(command)
    notify.add_command(template)
    notify.add_command(inbox_messages)


_subcommands()
