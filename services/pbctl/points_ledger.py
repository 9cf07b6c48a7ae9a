"""pbctl points record / batch-record / approve / reject / reverse / balance / entries / standings /
summary / verify: the members' points ledger (党员积分台账) from a shell, through the RPCs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from services.common.clock import DEFAULT_TZ
from services.common.spelling import normalize
from services.common.tenancy import tenant_name
from services.pbctl.points import INT32, _call, _stub, points
from services.pbctl.settings import REQUEST_ID, TARGET, channel, fail, token_metadata

BATCH_MAX = 1000
TENANT = click.option("--tenant", required=True, help="County code, e.g. 610222.")
YEAR = click.option("--year", type=INT32, default=0, help="Calendar year (default: this year).")


def _member(tenant: str, member: str) -> str:
    return member if member.startswith("tenants/") else f"{tenant_name(tenant)}/members/{member}"


def _unit(tenant: str, unit: str) -> str:
    return unit if not unit or unit.startswith("tenants/") else f"{tenant_name(tenant)}/units/{unit}"


def _entry(tenant: str, entry: str) -> str:
    return entry if entry.startswith("tenants/") else f"{tenant_name(tenant)}/entries/{entry}"


def _occurred(value: str):
    """--occurred as a Timestamp: ISO date or date-time; without an offset, in Asia/Shanghai."""
    from google.protobuf.timestamp_pb2 import Timestamp

    # ２０２６－０５－０１ as a Chinese input method types it; a space (full-width too) between date and time
    value = "T".join(normalize(part) for part in value.split())
    try:
        moment = dt.datetime.fromisoformat(value) if value else dt.datetime.now(dt.UTC)
    except ValueError:
        fail(f"--occurred 应为 YYYY-MM-DD[THH:MM] / must be YYYY-MM-DD[THH:MM], got {value!r}", 2)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(DEFAULT_TZ))
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(dt.UTC))
    return stamp


def entry_line(entry) -> str:
    from partybuilding.points.v1 import points_ledger_pb2 as pb

    capped = f"  capped: {entry.cap_reason_en} / {entry.cap_reason_zh}" if entry.capped else ""
    return (f"{entry.name}  {entry.member}  {entry.rule_code} x{entry.quantity}  {entry.points:+d}  "
            f"{pb.Entry.Status.Name(entry.status)}  {entry.year}{capped}")


@points.command("record")
@TENANT
@click.option("--member", required=True, help="Member id or name.")
@click.option("--rule", "rule_code", required=True, help="Rule code of the rules in force.")
@click.option("--quantity", type=INT32, default=1, show_default=True)
@click.option("--occurred", default="", help="When (YYYY-MM-DD[THH:MM], Asia/Shanghai); default now.")
@click.option("--note", default="")
@click.option("--evidence", default="", help="Evidence reference (document number, file).")
@REQUEST_ID
@TARGET
def record(tenant, member, rule_code, quantity, occurred, note, evidence, request_id, target) -> None:
    """Record one entry for a member."""
    from partybuilding.points.v1 import points_ledger_pb2 as pb

    request = pb.RecordEntryRequest(parent=tenant_name(tenant), member=_member(tenant, member), rule_code=rule_code,
                                    quantity=quantity, occurred_time=_occurred(occurred), note=note,
                                    evidence_ref=evidence)
    with channel(target, request_id) as opened:
        click.echo(entry_line(_call(_stub(opened).RecordEntry, request, token_metadata(tenant))))


@points.command("batch-record")
@TENANT
@click.option("--rule", "rule_code", required=True)
@click.option("--csv", "csv_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Lines of member,quantity (member id or name; a header line member,quantity is skipped).")
@click.option("--occurred", default="")
@click.option("--note", default="")
@click.option("--evidence", default="")
@REQUEST_ID
@TARGET
def batch_record(tenant, rule_code, csv_file, occurred, note, evidence, request_id, target) -> None:
    """Record one rule for many members at once (a meeting's attendance): all or nothing."""
    from partybuilding.points.v1 import points_ledger_pb2 as pb

    from services.common.spreadsheet import TooManyRows, UnreadableSheet, read_csv

    try:
        table = read_csv(Path(csv_file).read_bytes(), BATCH_MAX + 1)
    except (TooManyRows, UnreadableSheet) as exc:
        fail(f"{Path(csv_file).name}: {exc}", 2)
    rows = table.rows[1:] if table.rows and table.rows[0][:1] == ["member"] else table.rows
    items = []
    for line, row in zip(table.lines[len(table.rows) - len(rows):], rows, strict=True):
        quantity = normalize(row[1]) if len(row) > 1 else "1"  # a full-width ２ is 2
        if not (quantity.isascii() and quantity.isdigit()) or len(quantity) > 9:
            fail(f"{Path(csv_file).name}:{line + 1}: 数量应为正整数 / quantity must be a whole number: {quantity!r}", 2)
        items.append(pb.BatchEntryItem(member=_member(tenant, row[0]), quantity=int(quantity)))
    request = pb.BatchRecordEntriesRequest(parent=tenant_name(tenant), rule_code=rule_code, items=items,
                                           occurred_time=_occurred(occurred), note=note, evidence_ref=evidence)
    with channel(target, request_id) as opened:
        done = _call(_stub(opened).BatchRecordEntries, request, token_metadata(tenant))
    for entry in done.entries:
        click.echo(entry_line(entry))
    click.echo(f"recorded {len(done.entries)} entries")


def _decide(method: str, tenant: str, entry: str, reason: str, target: str) -> None:
    from partybuilding.points.v1 import points_ledger_pb2 as pb

    request = getattr(pb, f"{method}Request")(name=_entry(tenant, entry), reason=reason)
    with channel(target) as opened:
        click.echo(entry_line(_call(getattr(_stub(opened), method), request, token_metadata(tenant))))


@points.command("approve")
@TENANT
@click.argument("entry")
@click.option("--reason", default="")
@TARGET
def approve(tenant, entry, reason, target) -> None:
    """Approve a PENDING entry (never one you recorded)."""
    _decide("ApproveEntry", tenant, entry, reason, target)


@points.command("reject")
@TENANT
@click.argument("entry")
@click.option("--reason", default="")
@TARGET
def reject(tenant, entry, reason, target) -> None:
    """Reject a PENDING entry."""
    _decide("RejectEntry", tenant, entry, reason, target)


@points.command("reverse")
@TENANT
@click.argument("entry")
@click.option("--reason", required=True, help="Why (an appeal upheld, a mistake).")
@REQUEST_ID
@TARGET
def reverse(tenant, entry, reason, request_id, target) -> None:
    """Cancel a counted entry with a new entry; the original stays."""
    from partybuilding.points.v1 import points_ledger_pb2 as pb

    request = pb.ReverseEntryRequest(name=_entry(tenant, entry), reason=reason)
    with channel(target, request_id) as opened:
        click.echo(entry_line(_call(_stub(opened).ReverseEntry, request, token_metadata(tenant))))


@points.command("balance")
@TENANT
@click.argument("member")
@YEAR
@TARGET
def balance(tenant, member, year, target) -> None:
    """A member's balance, status, per-rule breakdown and rules near their cap."""
    from partybuilding.points.v1 import points_ledger_pb2 as pb

    with channel(target) as opened:
        found = _call(_stub(opened).GetBalance, pb.GetBalanceRequest(member=_member(tenant, member), year=year),
                      token_metadata(tenant))
    click.echo(f"{found.member_display_name}  {found.year}: {found.balance} (base {found.base})  "
               f"{found.status} {found.status_name_zh}  pending {found.pending_count}")
    for rule in found.rules:
        cap = f" / cap {rule.yearly_cap}" if rule.yearly_cap else ""
        near = "  near cap" if rule.near_cap else ""
        pending = f"  pending {rule.pending_points:+d} 待审核" if rule.pending_points else ""
        click.echo(f"  {rule.rule_code}  {rule.name_zh}  {rule.points:+d} ({rule.quantity}){cap}{near}{pending}")


@points.command("entries")
@TENANT
@click.option("--member", default="")
@click.option("--unit", default="", help="Entries of the members in this unit's subtree.")
@YEAR
@click.option("--rule", "rule_code", default="")
@click.option("--status", type=click.Choice(["PENDING", "COUNTED", "REJECTED", "REVERSED"]), default=None)
@click.option("--limit", type=INT32, default=100, show_default=True)
@TARGET
def entries(tenant, member, unit, year, rule_code, status, limit, target) -> None:
    """List entries, newest first."""
    from partybuilding.points.v1 import points_ledger_pb2 as pb

    request = pb.ListEntriesRequest(parent=tenant_name(tenant), member=_member(tenant, member) if member else "",
                                    unit=_unit(tenant, unit), year=year, rule_code=rule_code,
                                    status=pb.Entry.Status.Value(status) if status else 0, page_size=min(limit, 1000))
    shown, md = 0, token_metadata(tenant)
    with channel(target) as opened:
        while shown < limit:
            page = _call(_stub(opened).ListEntries, request, md)
            for entry in page.entries[:limit - shown]:
                click.echo(entry_line(entry))
                shown += 1
            if not page.next_page_token:
                break
            request.page_token = page.next_page_token


@points.command("standings")
@TENANT
@click.option("--unit", default="", help="Rank within this unit's subtree (default: the county).")
@YEAR
@click.option("--top", type=INT32, default=10, show_default=True)
@click.option("--bottom", type=INT32, default=0, show_default=True)
@TARGET
def standings(tenant, unit, year, top, bottom, target) -> None:
    """Ranking for a year; ties share a rank."""
    from partybuilding.points.v1 import points_ledger_pb2 as pb

    request = pb.GetStandingsRequest(parent=tenant_name(tenant), unit=_unit(tenant, unit), year=year, top_n=top,
                                     bottom_n=bottom)
    with channel(target) as opened:
        found = _call(_stub(opened).GetStandings, request, token_metadata(tenant))
    click.echo(f"{found.year}: {found.member_count} members")
    for title, lines in (("top", found.top), ("bottom", found.bottom)):
        if lines:
            click.echo(title)
        for s in lines:
            click.echo(f"  {s.rank:>4}  {s.balance:>4}  {s.member_display_name}  {s.status}  {s.member}  {s.unit}")


@points.command("summary")
@TENANT
@click.option("--unit", default="", help="A township or any unit (default: the county).")
@YEAR
@TARGET
def summary_(tenant, unit, year, target) -> None:
    """Members per status and the average balance, per child unit."""
    from partybuilding.points.v1 import points_ledger_pb2 as pb

    request = pb.GetUnitSummaryRequest(parent=tenant_name(tenant), unit=_unit(tenant, unit), year=year)
    with channel(target) as opened:
        found = _call(_stub(opened).GetUnitSummary, request, token_metadata(tenant))
    for line in [found.total, *found.children]:
        statuses = ", ".join(f"{s.status} {s.member_count}" for s in line.statuses)
        click.echo(f"{line.display_name}: {line.member_count} members, average {line.average_balance:.1f}  ({statuses})"
                   f"  {line.unit}".rstrip())


@points.command("verify")
@TENANT
@TARGET
def verify(tenant, target) -> None:
    """Recompute the county's hash chain; exit status 1 naming the first broken entry."""
    from partybuilding.points.v1 import points_ledger_pb2 as pb

    with channel(target) as opened:
        found = _call(_stub(opened).VerifyLedger, pb.VerifyLedgerRequest(parent=tenant_name(tenant)),
                      token_metadata(tenant))
    counts = f"{found.links_checked} links, {found.entries_checked} entries, {found.balances_checked} balances"
    if not found.ok:
        fail(f"BROKEN {found.first_broken}: {found.problem_en} / {found.problem_zh} ({counts})", 1)
    click.echo(f"ok: {counts}")
