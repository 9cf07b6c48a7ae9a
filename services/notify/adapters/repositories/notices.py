"""Notices and their recipients' copies, tenant-scoped; JSON columns (de)serialised here only."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import Connection, insert, select, update

from services.common.clock import as_utc
from services.notify.adapters import tables
from services.notify.domain.notices import (
    Addressee,
    FieldKind,
    Notice,
    Recipient,
    RecipientSelector,
    Report,
    ReportField,
)

n, r = tables.notices, tables.notice_recipients
CHUNK = 1000  # rows per INSERT: well under both databases' parameter limits


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _utc(value):
    return None if value is None else as_utc(value)


def notice_from_row(row) -> Notice:
    selectors = tuple(RecipientSelector(s["subtree"], tuple(s["unit_types"]), tuple(s["post_types"]))
                      for s in json.loads(row.selectors))
    form = tuple(ReportField(f["name"], f["label_zh"], f["label_en"], FieldKind(f["kind"]), f["required"],
                             tuple(f["choices"])) for f in json.loads(row.report_form))
    return Notice(row.tenant, row.id, row.sender_unit_id, row.sender_display_name, row.title, row.body, selectors,
                  row.requires_ack, row.requires_report, form, _utc(row.due_at), row.created_by,
                  as_utc(row.created_at), row.recipient_count, row.parent_notice_id, row.parent_unit_id, row.note,
                  row.version)


def recipient_from_row(row) -> Recipient:
    addressees = tuple(Addressee(a["post_type"], a["member_id"], a["display_name"]) for a in json.loads(row.addressees))
    report = None
    if row.report is not None:
        data = json.loads(row.report)
        report = Report(data["values"], tuple(data["aggregated"]), data["forwarded_reported"], data["forwarded_total"])
    return Recipient(row.tenant, row.notice_id, row.unit_id, row.unit_display_name, row.unit_type, row.parent_unit_id,
                     row.parent_display_name, addressees, as_utc(row.sent_at), _utc(row.read_at), row.read_by,
                     _utc(row.acknowledged_at), row.acknowledged_by, report, _utc(row.reported_at), row.reported_by,
                     row.forwarded_notice_id, row.version)


def _progress(rec: Recipient) -> dict:
    """The columns of a copy that change after sending."""
    report = None if rec.report is None else _json({
        "values": rec.report.values, "aggregated": list(rec.report.aggregated),
        "forwarded_reported": rec.report.forwarded_reported, "forwarded_total": rec.report.forwarded_total})
    return {"read_at": rec.read_at, "read_by": rec.read_by, "acknowledged_at": rec.acknowledged_at,
            "acknowledged_by": rec.acknowledged_by, "report": report, "reported_at": rec.reported_at,
            "reported_by": rec.reported_by, "forwarded_notice_id": rec.forwarded_notice_id, "version": rec.version}


class NoticeRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def add(self, notice: Notice, recipients: list[Recipient]) -> None:
        """The notice and its frozen recipients, in the caller's transaction."""
        self.conn.execute(insert(n).values(
            tenant=self.tenant, id=notice.id, sender_unit_id=notice.sender_unit_id,
            sender_display_name=notice.sender_display_name, title=notice.title, body=notice.body,
            selectors=_json([{"subtree": s.subtree_id, "unit_types": list(s.unit_types),
                              "post_types": list(s.post_types)} for s in notice.selectors]),
            requires_ack=notice.requires_ack, requires_report=notice.requires_report,
            report_form=_json([{"name": f.name, "label_zh": f.label_zh, "label_en": f.label_en,
                                "kind": f.kind.value if f.kind else "", "required": f.required,
                                "choices": list(f.choices)} for f in notice.report_form]),
            due_at=notice.due_at, parent_notice_id=notice.parent_notice_id, parent_unit_id=notice.parent_unit_id,
            note=notice.note, recipient_count=notice.recipient_count, created_by=notice.created_by,
            created_at=notice.created_at, version=notice.version))
        rows = [{"tenant": self.tenant, "notice_id": rec.notice_id, "unit_id": rec.unit_id,
                 "unit_display_name": rec.unit_display_name, "unit_type": rec.unit_type,
                 "parent_unit_id": rec.parent_unit_id, "parent_display_name": rec.parent_display_name,
                 "addressees": _json([{"post_type": a.post_type, "member_id": a.member_id,
                                       "display_name": a.display_name} for a in rec.addressees]),
                 "sent_at": rec.sent_at, **_progress(rec)} for rec in recipients]
        for start in range(0, len(rows), CHUNK):
            self.conn.execute(insert(r), rows[start:start + CHUNK])

    def get(self, notice_id: str) -> Notice | None:
        row = self.conn.execute(select(n).where(n.c.tenant == self.tenant, n.c.id == notice_id)).first()
        return None if row is None else notice_from_row(row)

    def get_many(self, notice_ids: Iterable[str]) -> dict[str, Notice]:
        ids = sorted(set(notice_ids))
        rows = self.conn.execute(select(n).where(n.c.tenant == self.tenant, n.c.id.in_(ids))) if ids else []
        return {row.id: notice_from_row(row) for row in rows}

    def recipient(self, notice_id: str, unit_id: str, for_update: bool = False) -> Recipient | None:
        """One copy; locked until commit when the caller is about to change it."""
        query = select(r).where(r.c.tenant == self.tenant, r.c.notice_id == notice_id, r.c.unit_id == unit_id)
        row = self.conn.execute(query.with_for_update() if for_update else query).first()
        return None if row is None else recipient_from_row(row)

    def recipients(self, notice_ids: Iterable[str]) -> dict[str, list[Recipient]]:
        """Every copy of these notices, by notice, grouped by parent unit and by name (as sent)."""
        ids = sorted(set(notice_ids))
        found: dict[str, list[Recipient]] = {notice_id: [] for notice_id in ids}
        for start in range(0, len(ids), CHUNK):
            rows = self.conn.execute(select(r).where(r.c.tenant == self.tenant, r.c.notice_id.in_(
                ids[start:start + CHUNK])).order_by(r.c.notice_id, r.c.parent_display_name, r.c.unit_display_name,
                                                    r.c.unit_id))
            for row in rows:
                found[row.notice_id].append(recipient_from_row(row))
        return found

    def save_recipient(self, rec: Recipient) -> None:
        """Write a changed copy (loaded for update in this transaction)."""
        self.conn.execute(update(r).where(r.c.tenant == self.tenant, r.c.notice_id == rec.notice_id,
                                          r.c.unit_id == rec.unit_id).values(**_progress(rec)))
