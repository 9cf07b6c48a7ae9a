"""A year of the demo county's ledger for `make run`: absences, awards, approvals pending, some
members below 6 (提醒谈话) and one judged unqualified (不合格党员).

The entries need the county's members in the points directory: points' demo records them once
the platform serves, after resyncing the directory (demo.load_demo_serving).
"""

from __future__ import annotations

import datetime as dt
import logging
import random

from services.common.auth import Principal, Role
from services.common.clock import utcnow
from services.common.errors import PlatformError
from services.points.adapters.ledger_queries import EntryFilter
from services.points.service_layer import ledger
from services.points.service_layer import ledger_commands as c
from services.points.service_layer.unit_of_work import PointsUnitOfWorkFactory

log = logging.getLogger("partybuilding.points.demo")
MEMBERS = 300  # of the demo county's members, those whose year is shown
ORDINARY_LOSS = 4  # an ordinary member loses at most this much (stays NORMAL)
SHOWN = 18  # members with a story: below 6, unqualified, pending, earned back, appealed


def record_demo_year_once(uows: PointsUnitOfWorkFactory, code: str) -> int:
    """The demo year, unless the county's ledger already holds entries (a restart adds nothing)."""
    with uows(code, write=False) as uow:
        if uow.ledger_queries.entries(EntryFilter(), None, 1):
            return 0
        members = [m.id for m in uow.ledger_queries.active_members(None)]
    return record_demo_year(uows, code, members[:MEMBERS])


def record_demo_year(uows: PointsUnitOfWorkFactory, code: str, members: list[str]) -> int:
    """Record the demo entries from 1 January to today; returns how many were recorded."""
    clerk = Principal("demo-clerk", Role.COUNTY_ADMIN, frozenset({code}))
    admin = Principal("demo-admin", Role.COUNTY_ADMIN, frozenset({code}))
    rnd = random.Random(610222)
    now = utcnow()
    start = dt.datetime(now.year, 1, 1, 2, tzinfo=dt.UTC)
    days = max((now - start).days, 1)

    def when(fraction: float) -> dt.datetime:
        return min(start + dt.timedelta(days=days * fraction, hours=rnd.randint(0, 8)), now - dt.timedelta(hours=1))

    def record(member: str, rule: str, quantity: int = 1, at: float | None = None, note: str = ""):
        cmd = c.RecordEntry(code, code, member, rule, quantity, when(rnd.random() if at is None else at), note)
        return ledger.record_entry(cmd, uows, clerk)

    count = 0
    try:
        # The first 18 members tell the stories below; the others miss a meeting now and then.
        ordinary = members[SHOWN:] or members
        lost: dict[str, int] = {}
        for month in range(now.month):  # 主题党日 and 三会一课: a few absences each month so far
            for member in rnd.sample(ordinary, max(len(ordinary) // 25, 1)):
                if lost.get(member, 0) >= ORDINARY_LOSS:
                    continue
                entry = record(member, rnd.choice(["THEMED_DAY_ABSENT", "MEETING_ABSENT", "STUDY_NEGLECTED"]),
                               at=(month + rnd.random()) / now.month, note="无故缺席")
                lost[member] = lost.get(member, 0) - entry.points
                count += 1
        if len(members) < SHOWN:
            return count
        below_six = members[:3]  # 提醒谈话
        for member in below_six:
            record(member, "MEETING_ABSENT", 2, at=0.3, note="连续两次无故缺席三会一课")
            record(member, "DUES_UNPAID", 2, at=0.5, note="两次未按时交纳党费")
            count += 2
        unqualified = members[3]
        grave = record(unqualified, "SERIOUS_DISCIPLINE", at=0.6, note="受到党内严重警告处分")
        ledger.approve_entry(c.DecideEntry(code, grave.id, True, "经县委组织部审核属实"), uows, admin)
        for member in members[4:7]:  # waiting for the county's decision
            record(member, "TASK_REFUSED", at=0.9, note="拒不参加防汛值守")
        for member in members[7:17]:  # 急难险重: earned back, approved
            award = record(member, "URGENT_TASK", at=0.7, note="参加抗洪抢险")
            ledger.approve_entry(c.DecideEntry(code, award.id, True, "属实"), uows, admin)
        appealed = record(members[17], "GAMBLING", at=0.4, note="参与赌博")
        ledger.approve_entry(c.DecideEntry(code, appealed.id, True, ""), uows, admin)
        ledger.reverse_entry(c.ReverseEntry(code, appealed.id, "申诉成立：系误认"), uows, admin)
        count += 1 + 3 + 10 + 2
    except PlatformError as exc:  # the demo is an illustration: say what stopped it, keep serving
        log.warning("points demo entries stopped: %s", exc)
    log.info("points demo: %d entries for %d members of %s", count, len(members), code)
    return count
