"""Proto <-> domain: the only place that knows both. Answers are the domain's snapshots
(domain/events.py) parsed into their messages: a caller and an event consumer read one shape."""

from __future__ import annotations

import datetime as dt

from google.protobuf import json_format
from partybuilding.notify.v1 import notify_notices_pb2 as pb
from partybuilding.organization.v1 import organization_resources_pb2 as opb

from services.common.errors import InvalidArgument
from services.notify.adapters.queries import InboxItem
from services.notify.domain.events import notice_snapshot, recipient_snapshot
from services.notify.domain.names import UNITS
from services.notify.domain.notices import (
    FieldKind,
    Notice,
    Recipient,
    RecipientSelector,
    ReportField,
)
from services.notify.domain.status import Counts, NoticeTree, UnitCounts, per_parent
from services.notify.service_layer.status_pages import StatusPage


def due(message, field: str, field_path: str) -> dt.datetime | None:
    """An optional Timestamp as an aware UTC datetime; unset is None, one no calendar holds is refused."""
    if not message.HasField(field):
        return None
    try:
        return getattr(message, field).ToDatetime(tzinfo=dt.UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument.field(field_path, "不是有效的时间", "is not a valid point in time") from None


def selectors(items, tenant: str, field_path: str) -> list[RecipientSelector]:
    return [RecipientSelector(UNITS.id_in(s.subtree, tenant, f"{field_path}[{i}].subtree"),
                              tuple(dict.fromkeys(opb.UnitType.Name(t) for t in s.unit_types)),
                              tuple(dict.fromkeys(opb.PostType.Name(t) for t in s.post_types)))
            for i, s in enumerate(items)]


def report_form(form: pb.ReportForm) -> list[ReportField]:
    return [ReportField(f.name, f.label_zh, f.label_en, FieldKind(pb.ReportField.Kind.Name(f.kind)) if f.kind else None,
                        f.required, tuple(f.choices)) for f in form.fields]


def notice_to_proto(notice: Notice) -> pb.Notice:
    return json_format.ParseDict(notice_snapshot(notice), pb.Notice())


def recipient_to_proto(notice: Notice, recipient: Recipient, now: dt.datetime) -> pb.Recipient:
    return json_format.ParseDict(recipient_snapshot(recipient, notice, now), pb.Recipient())


def inbox_item_to_proto(item: InboxItem, now: dt.datetime) -> pb.InboxItem:
    return pb.InboxItem(notice=notice_to_proto(item.notice), recipient=recipient_to_proto(item.notice, item.recipient, now))


def _counts(counts: Counts) -> pb.StatusCounts:
    return pb.StatusCounts(recipients=counts.recipients, read=counts.read, acknowledged=counts.acknowledged,
                           reported=counts.reported, overdue=counts.overdue)


def _unit_counts(tenant: str, groups: list[UnitCounts]) -> list[pb.UnitCounts]:
    return [pb.UnitCounts(unit=UNITS.name(tenant, group.unit_id) if group.unit_id else "",
                          display_name=group.display_name, counts=_counts(group.counts)) for group in groups]


def _recipient_rows(tree: NoticeTree, now: dt.datetime) -> list[pb.RecipientStatus]:
    return [pb.RecipientStatus(
        recipient=recipient_to_proto(tree.notice, r, now),
        forwarded=status_to_proto(tree.forwarded[r.unit_id], now) if r.unit_id in tree.forwarded else None)
        for r in tree.recipients]


def status_page_to_proto(page: StatusPage, now: dt.datetime) -> pb.NoticeStatus:
    """The requested notice: whole counts, one page of its recipients, and their forwarded trees."""
    notice = page.tree.notice
    return pb.NoticeStatus(notice=notice_to_proto(notice), counts=_counts(page.counts),
                           tree_counts=_counts(page.tree_counts), unit_counts=_unit_counts(notice.tenant, page.unit_counts),
                           recipients=_recipient_rows(page.tree, now), next_page_token=page.next_page_token)


def status_to_proto(tree: NoticeTree, now: dt.datetime) -> pb.NoticeStatus:
    notice = tree.notice
    return pb.NoticeStatus(
        notice=notice_to_proto(notice), counts=_counts(tree.counts(now)), tree_counts=_counts(tree.tree_counts(now)),
        unit_counts=_unit_counts(notice.tenant, per_parent(notice, tree.recipients, now)),
        recipients=_recipient_rows(tree, now))
