"""A county with a tree, members the points directory knows, and published test rules."""

from __future__ import annotations

import datetime as dt
import json

from google.protobuf.timestamp_pb2 import Timestamp
from partybuilding.organization.v1 import organization_service_pb2 as opb
from partybuilding.points.v1 import points_ledger_pb2 as lpb
from partybuilding.points.v1 import points_service_pb2 as ppb
from sqlalchemy import select

from services.points.adapters import tables
from tests.helpers import County

R = ppb.Rule


def rule(code: str, kind, points: int = 1, **fields) -> ppb.Rule:
    return ppb.Rule(code=code, name_zh=f"规则{code}", name_en=f"rule {code}", kind=kind, points=points,
                    unit=R.TIMES, **fields)


TEST_RULES = [
    rule("ABSENT", R.DEDUCT, 2, yearly_cap=6),
    rule("LATE", R.DEDUCT, 3),
    rule("GRAVE", R.DEDUCT_ALL, 1, needs_approval=True),
    rule("REVIEW", R.DEDUCT, 3, needs_approval=True),
    rule("URGENT", R.AWARD, 2, yearly_cap=4, exchange_points=5),
    rule("STUDY", R.AWARD, 1, lift_above_base=True),
    rule("SYSTEM_ONLY", R.AWARD, 1, recorder_roles=[R.SYSTEM]),
]


def ago(**delta) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(dt.datetime.now(dt.UTC) - dt.timedelta(**delta))
    return stamp


class LedgerCounty(County):
    """County + 彭镇 / 第一工作站 / 村0, 村1; four members in 村0, one in 村1; rules in force since 2020."""

    def __init__(self, platform, villages: int = 2, members=("甲", "乙", "丙", "丁")):
        super().__init__(platform)
        self.points = platform.points
        self.town, self.station, self.villages = self.tree(villages)
        self.members = [self.member(self.villages[0].name, name) for name in members]
        self.other = self.member(self.villages[1].name, "戊")
        self.sync()
        rule_set = ppb.RuleSet(display_name="测试十二分制", mode=ppb.RuleSet.DEDUCT_FROM_BASE, thresholds=[
            ppb.Threshold(code="REMINDER_TALK", name_zh="提醒谈话", name_en="Reminder talk",
                          comparison=ppb.Threshold.BELOW, value=6, severity=1),
            ppb.Threshold(code="UNQUALIFIED", name_zh="不合格党员", name_en="Unqualified member",
                          comparison=ppb.Threshold.AT_OR_BELOW, value=0, severity=2)], rules=TEST_RULES)
        created = self.points.CreateRuleSet(ppb.CreateRuleSetRequest(parent=self.parent, rule_set=rule_set,
                                                                     rule_set_id="twelve"), metadata=self.admin)
        self.points.PublishRuleSet(ppb.PublishRuleSetRequest(name=created.name, effective_from="2020-01-01"),
                                   metadata=self.admin)
        self.clerk = self.as_clerk(self.villages[0].name, "clerk-0")

    def as_clerk(self, unit: str, subject: str):
        return self.p.as_("clerk", [self.code], unit=unit, subject=subject)

    def sync(self) -> None:
        """Put the organization's units and members into the points directory (as events would)."""
        units = self.units()
        by_name = {u.name: u for u in units}

        def path(unit) -> str:  # as the organization's events carry it (docs/directory.md)
            if unit.path:
                return unit.path
            return (path(by_name[unit.parent]) if unit.parent else "/") + unit.name.rsplit("/", 1)[-1] + "/"

        for unit in units:
            unit.path = path(unit)
        members = self.s.ListMembers(opb.ListMembersRequest(parent=self.parent, page_size=1000),
                                     metadata=self.p.operator()).members
        tenant = self.s.GetTenant(opb.GetTenantRequest(name=self.parent), metadata=self.admin)
        with self.p.runtime("points").uow_factory(self.code) as uow:
            uow.directory.apply_tenant(tenant)
            uow.directory.apply_units(units)
            uow.directory.apply_members(members)
            uow.commit()

    def record(self, member: str, rule_code: str, quantity: int = 1, md=None, **fields) -> lpb.Entry:
        fields.setdefault("occurred_time", ago(hours=1))
        return self.points.RecordEntry(lpb.RecordEntryRequest(
            parent=self.parent, member=member, rule_code=rule_code, quantity=quantity, **fields),
            metadata=md or self.admin)

    def balance(self, member: str, md=None) -> lpb.Balance:
        return self.points.GetBalance(lpb.GetBalanceRequest(member=member), metadata=md or self.admin)

    def reverse(self, entry: str, reason: str = "申诉成立", md=None, **fields) -> lpb.Entry:
        return self.points.ReverseEntry(lpb.ReverseEntryRequest(name=entry, reason=reason, **fields),
                                        metadata=md or self.admin)

    def approve(self, entry: str, md=None, **fields) -> lpb.Entry:
        return self.points.ApproveEntry(lpb.ApproveEntryRequest(name=entry, **fields), metadata=md or self.admin)

    def verify(self) -> lpb.VerifyLedgerResponse:
        return self.points.VerifyLedger(lpb.VerifyLedgerRequest(parent=self.parent), metadata=self.admin)

    def events(self, type_: str) -> list[dict]:
        """The points outbox's payloads of one event type for this county, in order."""
        t = tables.outbox
        with self.p.runtime("points").engine.connect() as conn:
            rows = conn.execute(select(t.c.payload).where(t.c.tenant == self.code, t.c.type == type_)
                                .order_by(t.c.seq)).scalars()
            return [json.loads(row) for row in rows]

    def entry_count(self) -> int:
        t = tables.entries
        with self.p.runtime("points").engine.connect() as conn:
            return len(conn.execute(select(t.c.id).where(t.c.tenant == self.code)).all())
