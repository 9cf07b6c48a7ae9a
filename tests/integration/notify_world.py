"""A county for the notify tests: a township with two work stations and their villages, village
secretaries, clerk tokens per unit, and the notify directory filled (ResyncDirectory)."""

from __future__ import annotations

import datetime as dt

from google.protobuf.timestamp_pb2 import Timestamp
from partybuilding.notify.v1 import notify_notices_pb2 as npb
from partybuilding.notify.v1 import notify_service_pb2 as nspb
from partybuilding.organization.v1 import organization_service_pb2 as opb

from tests.helpers import County

KIND = npb.ReportField


def in_days(days: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(dt.datetime.now(dt.UTC) + dt.timedelta(days=days))
    return stamp


def weekly_form() -> npb.ReportForm:
    """The week's report: what a village did (两上)."""
    return npb.ReportForm(fields=[
        npb.ReportField(name="meetings", label_zh="召开会议次数", label_en="Meetings held", kind=KIND.NUMBER,
                        required=True),
        npb.ReportField(name="summary", label_zh="工作情况", label_en="Summary", kind=KIND.TEXT, required=True),
        npb.ReportField(name="done_on", label_zh="完成日期", label_en="Done on", kind=KIND.DATE),
        npb.ReportField(name="status", label_zh="完成情况", label_en="Status", kind=KIND.CHOICE,
                        choices=["已完成", "未完成"]),
    ])


def selector(unit: str, unit_types=(), post_types=()) -> npb.RecipientSelector:
    return npb.RecipientSelector(subtree=unit, unit_types=list(unit_types), post_types=list(post_types))


def values(**given) -> list[npb.ReportValue]:
    return [npb.ReportValue(field=k, value=str(v)) for k, v in given.items()]


def copy_name(notice: str, unit: str) -> str:
    """The recipient name of `unit`'s copy of `notice`."""
    return f"{notice}/recipients/{unit.rsplit('/', 1)[-1]}"


class NotifyWorld:
    """彭镇 with 第一工作站 (村0..村2) and 第二工作站 (村3, 村4); 村0..村3 have secretaries."""

    def __init__(self, platform):
        self.p, self.s = platform, platform.notify
        c = self.county = County(platform)
        self.code, self.parent, self.admin = c.code, c.parent, c.admin
        self.town = c.unit(opb.TOWNSHIP, "彭镇")
        self.stations = [c.unit(opb.WORK_STATION, f"第{n}工作站", self.town.name) for n in ("一", "二")]
        self.villages = [c.unit(opb.VILLAGE, f"村{i}", self.stations[0 if i < 3 else 1].name) for i in range(5)]
        self.secretaries = []
        for village in self.villages[:4]:
            member = c.member(village.name, f"{village.display_name}书记")
            c.post(opb.SECRETARY, village.name, member.name)
            self.secretaries.append(member)
        self.other_town = c.unit(opb.TOWNSHIP, "尧生镇")
        self.other_village = c.unit(opb.VILLAGE, "尧生村", self.other_town.name)
        self.resync()

    def resync(self) -> None:
        self.s.ResyncDirectory(nspb.ResyncDirectoryRequest(parent=self.parent), metadata=self.p.operator())

    def clerk(self, unit) -> list:
        return self.p.as_("clerk", [self.code], unit=unit.name, subject=f"clerk-{unit.display_name}")

    def send(self, md=None, request_id: str = "", **fields) -> npb.Notice:
        fields.setdefault("title", "本周任务清单")
        fields.setdefault("body", "请各工作站按时完成本周任务。")
        fields.setdefault("recipients", [selector(self.town.name, [opb.WORK_STATION])])
        return self.s.SendNotice(npb.SendNoticeRequest(parent=self.parent, notice=npb.Notice(**fields),
                                                       request_id=request_id), metadata=md or self.admin)

    def task_list(self, md=None, **fields) -> npb.Notice:
        """The township's weekly task list to its stations, acknowledged and reported, due in 3 days."""
        fields.setdefault("sender", self.town.name)
        return self.send(md=md or self.clerk(self.town), requires_ack=True, requires_report=True,
                         report_form=weekly_form(), due_time=in_days(3), **fields)

    def status(self, notice: str, md=None) -> npb.NoticeStatus:
        return self.s.GetNoticeStatus(npb.GetNoticeStatusRequest(name=notice), metadata=md or self.admin)




def outbox(platform, tenant: str) -> list[tuple[str, dict]]:
    """The notify service's events for one county, in order: (type, payload)."""
    import json

    from sqlalchemy import select

    from services.notify.adapters import tables

    with platform.runtime("notify").uow_factory(tenant, write=False) as uow:
        rows = uow.conn.execute(select(tables.outbox.c.type, tables.outbox.c.payload).where(
            tables.outbox.c.tenant == tenant).order_by(tables.outbox.c.seq)).all()
    return [(row.type, json.loads(row.payload)) for row in rows]


def stored_messages(platform, tenant: str) -> list:
    """Notify's messages for one county, oldest first: (channel, source kind, source type,
    recipient id, unit id, status, body)."""
    from sqlalchemy import select

    from services.notify.adapters import tables

    m = tables.messages
    with platform.runtime("notify").uow_factory(tenant, write=False) as uow:
        rows = uow.conn.execute(select(m).where(m.c.tenant == tenant).order_by(m.c.created_at, m.c.id)).all()
    return [(r.channel, r.source_kind, r.source_type, r.recipient_id, r.unit_id, r.status, r.body) for r in rows]
