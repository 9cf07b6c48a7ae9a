"""Domain events, each mirroring `<Name>Event` in notify_events.proto field for field, and the
snapshots they carry: a notice or a recipient in its proto's JSON form. The gRPC answers are
the same snapshots (entrypoints/mapping.py), so a consumer and a caller read one shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.common.tenancy import etag_of
from services.notify.domain.names import member_name, notice_name, recipient_name, unit_name
from services.notify.domain.notices import Notice, Recipient, Report


def stamp(value: dt.datetime | None) -> str | None:
    """RFC 3339 in UTC, as protobuf's JSON form writes a Timestamp."""
    return None if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _drop_empty(snapshot: dict) -> dict:
    return {key: value for key, value in snapshot.items() if value not in (None, "", [], {})}


def notice_snapshot(n: Notice) -> dict:
    """The Notice message of a notice, as its JSON form."""
    return _drop_empty({
        "name": notice_name(n.tenant, n.id),
        "sender": unit_name(n.tenant, n.sender_unit_id) if n.sender_unit_id else "",
        "sender_display_name": n.sender_display_name, "title": n.title, "body": n.body,
        "recipients": [_drop_empty({"subtree": unit_name(n.tenant, s.subtree_id), "unit_types": list(s.unit_types),
                                    "post_types": list(s.post_types)}) for s in n.selectors],
        "requires_ack": n.requires_ack, "requires_report": n.requires_report,
        "report_form": {"fields": [_drop_empty({
            "name": f.name, "label_zh": f.label_zh, "label_en": f.label_en, "kind": f.kind.value if f.kind else "",
            "required": f.required, "choices": list(f.choices)}) for f in n.report_form]},
        "due_time": stamp(n.due_at),
        "parent_notice": notice_name(n.tenant, n.parent_notice_id) if n.parent_notice_id else "",
        "parent_recipient": recipient_name(n.tenant, n.parent_notice_id, n.parent_unit_id) if n.parent_notice_id else "",
        "note": n.note, "recipient_count": n.recipient_count, "created_by": n.created_by,
        "create_time": stamp(n.created_at), "etag": etag_of(n.version),
    })


def report_snapshot(report: Report, form_order: list[str], who: str, at: dt.datetime | None) -> dict:
    return _drop_empty({
        "values": [{"field": name, "value": report.values[name]} for name in form_order if name in report.values],
        "aggregated_fields": list(report.aggregated), "forwarded_reported": report.forwarded_reported,
        "forwarded_total": report.forwarded_total, "submitted_by": who, "submit_time": stamp(at),
    })


def recipient_snapshot(r: Recipient, notice: Notice, now: dt.datetime) -> dict:
    """The Recipient message of one addressed unit's copy, overdue as of `now`."""
    return _drop_empty({
        "name": recipient_name(r.tenant, r.notice_id, r.unit_id), "unit": unit_name(r.tenant, r.unit_id),
        "unit_display_name": r.unit_display_name, "unit_type": r.unit_type,
        "parent_unit": unit_name(r.tenant, r.parent_unit_id) if r.parent_unit_id else "",
        "addressees": [{"post_type": a.post_type, "member": member_name(r.tenant, a.member_id),
                        "display_name": a.display_name} for a in r.addressees],
        "state": r.state.value, "overdue": r.overdue(notice, now), "read_time": stamp(r.read_at),
        "acknowledge_time": stamp(r.acknowledged_at), "acknowledged_by": r.acknowledged_by,
        "report": report_snapshot(r.report, [f.name for f in notice.report_form], r.reported_by, r.reported_at)
        if r.report is not None else None,
        "forwarded_notice": notice_name(r.tenant, r.forwarded_notice_id) if r.forwarded_notice_id else "",
        "etag": etag_of(r.version),
    })


@dataclass(frozen=True)
class NoticeSent:
    notice: dict

    @classmethod
    def of(cls, notice: Notice) -> NoticeSent:
        return cls(notice_snapshot(notice))


@dataclass(frozen=True)
class NoticeAcknowledged:
    notice: str
    recipient: dict

    @classmethod
    def of(cls, notice: Notice, recipient: Recipient, now: dt.datetime) -> NoticeAcknowledged:
        return cls(notice_name(notice.tenant, notice.id), recipient_snapshot(recipient, notice, now))


@dataclass(frozen=True)
class ReportSubmitted:
    notice: str
    recipient: dict

    @classmethod
    def of(cls, notice: Notice, recipient: Recipient, now: dt.datetime) -> ReportSubmitted:
        return cls(notice_name(notice.tenant, notice.id), recipient_snapshot(recipient, notice, now))


@dataclass(frozen=True)
class NoticeForwarded:
    parent_notice: str
    parent_recipient: str
    notice: dict

    @classmethod
    def of(cls, child: Notice) -> NoticeForwarded:
        return cls(notice_name(child.tenant, child.parent_notice_id),
                   recipient_name(child.tenant, child.parent_notice_id, child.parent_unit_id), notice_snapshot(child))
