"""Proto <-> domain for the ledger's messages (points_ledger.proto)."""

from __future__ import annotations

import datetime as dt

from partybuilding.points.v1 import points_ledger_pb2 as pb

from services.common.errors import InvalidArgument
from services.common.tenancy import etag_of
from services.points.domain.ledger import Entry
from services.points.domain.names import (
    MEMBERS,
    UNITS,
    entry_name,
    member_name,
    revision_name,
    unit_name,
)
from services.points.entrypoints.mapping import ts
from services.points.service_layer import ledger_reads as reads


def timestamp(request, field: str) -> dt.datetime | None:
    """A Timestamp field as an aware UTC datetime; None when unset."""
    if not request.HasField(field):
        return None
    try:
        return getattr(request, field).ToDatetime(dt.UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument.field(field, "时间超出范围", "is not a valid time") from None


def member_ref(name: str, field_path: str) -> tuple[str, str]:
    """(tenant, member id) of a member name."""
    parsed = MEMBERS.parse(name, field_path)
    return parsed.tenant, parsed.id


def optional_unit_id(name: str, tenant: str, field_path: str) -> str:
    if not name:
        return ""
    parsed = UNITS.parse(name, field_path)
    if parsed.tenant != tenant:
        raise InvalidArgument.field(field_path, f"组织不属于 {tenant}", f"must be a unit of tenants/{tenant}")
    return parsed.id


def status_filter(number: int) -> str:
    if number == 0:
        return ""
    return pb.Entry.Status.Name(number)


def entry_to_proto(entry: Entry) -> pb.Entry:
    t = entry.tenant
    return pb.Entry(
        name=entry_name(t, entry.id), member=member_name(t, entry.member_id), unit=unit_name(t, entry.unit_id),
        rule_set_revision=revision_name(t, entry.rule_set_id, entry.revision), rule_code=entry.rule_code,
        kind=pb.Entry.Kind.Value(entry.kind), quantity=entry.quantity, requested_points=entry.requested_points,
        points=entry.points, exchange_points=entry.exchange_points, capped=entry.capped,
        cap_reason_zh=entry.cap_reason_zh, cap_reason_en=entry.cap_reason_en, occurred_time=ts(entry.occurred_at),
        year=entry.year, status=pb.Entry.Status.Value(entry.status.value),
        reverses=entry_name(t, entry.reverses) if entry.reverses else "",
        reversed_by=entry_name(t, entry.reversed_by) if entry.reversed_by else "",
        note=entry.note, evidence_ref=entry.evidence_ref, recorded_by=entry.recorded_by,
        decided_by=entry.decided_by, decision_reason=entry.decision_reason, create_time=ts(entry.created_at),
        decide_time=ts(entry.decided_at), chain_position=entry.seq, hash=entry.hash, etag=etag_of(entry.version),
    )


def balance_to_proto(tenant: str, view: reads.BalanceView) -> pb.Balance:
    return pb.Balance(
        member=member_name(tenant, view.member_id), member_display_name=view.member_display_name, year=view.year,
        balance=view.balance, base=view.base, mode=pb.Balance.Mode.Value(view.mode.value) if view.mode else 0,
        status=view.status, status_name_zh=view.status_name_zh, status_name_en=view.status_name_en,
        rules=[pb.RuleTotal(rule_code=line.use.rule_code, name_zh=line.name_zh, name_en=line.name_en,
                            points=line.use.points, quantity=line.use.quantity, yearly_cap=line.use.yearly_cap,
                            near_cap=line.use.near_cap, pending_points=line.use.pending) for line in view.rules],
        rules_near_cap=view.rules_near_cap, pending_count=view.pending_count,
    )


def standings_to_proto(tenant: str, view: reads.StandingsView) -> pb.GetStandingsResponse:
    def line(item: reads.StandingLine) -> pb.Standing:
        return pb.Standing(rank=item.standing.rank, member=member_name(tenant, item.standing.member_id),
                           member_display_name=item.display_name, unit=unit_name(tenant, item.unit_id),
                           balance=item.standing.balance, status=item.status)

    return pb.GetStandingsResponse(year=view.year, member_count=view.member_count,
                                   top=[line(s) for s in view.top], bottom=[line(s) for s in view.bottom])


def summary_to_proto(tenant: str, view: reads.UnitSummaryView) -> pb.GetUnitSummaryResponse:
    def line(counts, display_name: str) -> pb.UnitSummary:
        return pb.UnitSummary(
            unit=unit_name(tenant, counts.unit_id) if counts.unit_id else "", display_name=display_name,
            member_count=counts.members, average_balance=counts.average,
            statuses=[pb.StatusCount(status=s, member_count=n) for s, n in sorted(counts.by_status.items())])

    return pb.GetUnitSummaryResponse(year=view.year, total=line(view.total, view.total_name),
                                     children=[line(counts, name) for counts, name in view.children])


def verification_to_proto(view: reads.Verification) -> pb.VerifyLedgerResponse:
    return pb.VerifyLedgerResponse(ok=view.ok, links_checked=view.links_checked, entries_checked=view.entries_checked,
                                   balances_checked=view.balances_checked, first_broken=view.first_broken,
                                   problem_zh=view.problem_zh, problem_en=view.problem_en)
