"""The demo county's notices for `make run`: 宜君县 (610222) has a week's task list in flight.

The first township sends its weekly task list (两下两上) to its work stations; the first station
forwards it to its villages, two of them have reported and one has acknowledged; the second
station has acknowledged; the others have not opened it yet. The county has also sent a notice
on the month's themed Party day (主题党日) to every village secretary, so each clerk's inbox holds
something. Last week's list is still open in one village: sent nine days ago and due five days
ago, every village of the first station reported but its last, so the sweep run after loading
reminds that village (逾期提醒) and escalates it to its station (督办). The recipients resolve
against notify's directory: the week loads once the platform serves (`load_demo_serving`),
after a resync of the directory through it.

Inbox messages made from events need nothing here: the points demo's threshold crossings, the
assessment demo's finished round (its public notice, reminder letter) and the organization's
post terms expiring reach notify's consumers on the embedded bus like any other event, and
become messages in the units' and members' inboxes (docs/notify-events.md).
"""

from __future__ import annotations

import datetime as dt
import logging

from services.common.auth import Principal, Role
from services.common.clock import utcnow
from services.common.errors import PlatformError
from services.notify.domain.names import unit_name
from services.notify.domain.notices import FieldKind, RecipientSelector, ReportField
from services.notify.service_layer import commands as c
from services.notify.service_layer import directory, progress, reminders, sending
from services.notify.service_layer.unit_of_work import NotifyUnitOfWorkFactory

log = logging.getLogger("partybuilding.notify.demo")
DEMO_CODE = "610222"
WEEKLY_FORM = (
    ReportField("meetings", "本周召开会议次数", "Meetings held this week", FieldKind.NUMBER, True),
    ReportField("members_reached", "走访党员户数", "Member households visited", FieldKind.NUMBER, False),
    ReportField("summary", "工作完成情况", "What was done", FieldKind.TEXT, True),
    ReportField("status", "完成状态", "Status", FieldKind.CHOICE, True, ("已完成", "部分完成", "未完成")),
)
WEEKLY_BODY = ("一、召开支部委员会，传达学习上级会议精神；\n二、开展“主题党日”准备工作；\n"
               "三、走访慰问困难党员；\n四、周五前报送本周工作完成情况。")


def load_demo_serving(uows: NotifyUnitOfWorkFactory, code: str = DEMO_CODE) -> bool:
    """Once the platform serves: the directory from the organization, then the demo week, only if
    the county has no notices yet (a restart adds nothing); True if sent now."""
    try:
        directory.resync(c.ResyncDirectory(code), uows, Principal.operator("demo"))
    except PlatformError as exc:  # no such county (the organization's demo did not run): nothing to show
        log.warning("notify demo: no directory for %s: %s", code, exc)
        return False
    loaded = load_demo_week(uows, code, active_units(uows, code))
    if loaded:  # what the platform's periodic sweep would make a minute later, there at once
        reminders.sweep_county(reminders.SweepReminders(code), uows, Principal.operator("demo"))
    return loaded


def active_units(uows: NotifyUnitOfWorkFactory, code: str) -> list:
    """The county's active units as the directory holds them, in path order."""
    with uows(code, write=False) as uow:
        found = [uow.directory.unit(i) for i in sorted(uow.directory.ids(uow.directory.tables.units))]
        return sorted((u for u in found if u is not None and u.active), key=lambda u: u.path)


def _clerk(code: str, unit) -> Principal:
    return Principal(f"demo-clerk-{unit.display_name}", Role.CLERK, frozenset({code}), unit=unit_name(code, unit.id))


def load_demo_week(uows: NotifyUnitOfWorkFactory, code: str, units: list) -> bool:
    """The demo week, unless the county already has notices; True if sent now."""
    with uows(code, write=False) as uow:
        if uow.queries.notices(None, False, None, None, None, 1):
            return False
    stations = lambda parent: [u for u in units if u.parent_id == parent.id and u.type == "WORK_STATION"]  # noqa: E731
    town = next((u for u in units if u.type == "TOWNSHIP" and len(stations(u)) >= 2), None)
    if town is None:
        return False
    now = utcnow()
    week = now.astimezone(dt.timezone(dt.timedelta(hours=8))).isocalendar().week
    admin = Principal("demo-admin", Role.COUNTY_ADMIN, frozenset({code}))
    sending.send_notice(c.SendNotice(
        code, None, "关于开展本月主题党日活动的通知", "请各村党组织书记于本月固定主题党日组织开展活动，并做好记录。",
        [RecipientSelector(u.id, ("VILLAGE",), ("SECRETARY",)) for u in units if u.type == "TOWNSHIP"],
        True, False, [], now + dt.timedelta(days=10), "demo-party-day"), uows, admin)
    task_list = sending.send_notice(c.SendNotice(
        code, town.id, f"{town.display_name}第{week}周工作任务清单", WEEKLY_BODY,
        [RecipientSelector(town.id, ("WORK_STATION",))], True, True, list(WEEKLY_FORM),
        now + dt.timedelta(days=4), "demo-week"), uows, _clerk(code, town))
    first, second = stations(town)[:2]
    _last_week(uows, code, town, stations(town), [u for u in units if u.parent_id == first.id and u.type == "VILLAGE"],
               now)
    child = sending.forward_notice(c.ForwardNotice(
        code, task_list.id, first.id, [RecipientSelector(first.id, ("VILLAGE",))], "请各村周五前在系统中报送。", None,
        "demo-week-forward"), uows, _clerk(code, first))
    villages = [u for u in units if u.parent_id == first.id and u.type == "VILLAGE"]
    answers = (("2", "12", "召开支委会1次、党员大会1次，走访困难党员12户。", "已完成"),
               ("1", "", "召开支委会1次，主题党日筹备中。", "部分完成"))
    for village, (meetings, reached, summary, status) in zip(villages, answers, strict=False):
        given = [("meetings", meetings), ("summary", summary), ("status", status)] + (
            [("members_reached", reached)] if reached else [])
        progress.submit_report(c.SubmitReport(code, child.id, village.id, given), uows, _clerk(code, village))
    if len(villages) > 2:
        progress.acknowledge_notice(c.RecipientAction(code, child.id, villages[2].id), uows, _clerk(code, villages[2]))
    progress.acknowledge_notice(c.RecipientAction(code, task_list.id, second.id), uows, _clerk(code, second))
    log.info("notify demo: %s in flight (%s)", task_list.title, task_list.id)
    return True


def _last_week(uows: NotifyUnitOfWorkFactory, code: str, town, stations: list, villages: list, now: dt.datetime) -> None:
    """Last week's list, due at 18:00 five days ago and sent four days before: every station and
    village reported but the first station's last village, which is overdue."""
    china = dt.timezone(dt.timedelta(hours=8))
    due = dt.datetime.combine((now - dt.timedelta(days=5)).astimezone(china).date(), dt.time(18), tzinfo=china)
    due = due.astimezone(dt.UTC)  # times are UTC inside the platform
    sent = due - dt.timedelta(days=4, hours=9)
    week = sent.astimezone(china).isocalendar().week
    first, *others = stations
    task_list = sending.send_notice(c.SendNotice(
        code, town.id, f"{town.display_name}第{week}周工作任务清单", WEEKLY_BODY,
        [RecipientSelector(town.id, ("WORK_STATION",))], True, True, list(WEEKLY_FORM), due, "demo-last-week"),
        uows, _clerk(code, town), now=sent)
    child = sending.forward_notice(c.ForwardNotice(
        code, task_list.id, first.id, [RecipientSelector(first.id, ("VILLAGE",))], "请各村周五前在系统中报送。", None,
        "demo-last-week-forward"), uows, _clerk(code, first), now=sent + dt.timedelta(hours=2))
    done = [("meetings", "1"), ("summary", "召开支委会1次，完成走访。"), ("status", "已完成")]
    reported = sent + dt.timedelta(days=3)
    for village in villages[:-1]:
        progress.submit_report(c.SubmitReport(code, child.id, village.id, done), uows, _clerk(code, village),
                               now=reported)
    progress.submit_report(c.SubmitReport(code, task_list.id, first.id, [], include_forwarded=True), uows,
                           _clerk(code, first), now=reported)
    for station in others:
        progress.submit_report(c.SubmitReport(code, task_list.id, station.id, done), uows, _clerk(code, station),
                               now=reported)
