"""A county for the rounds' tests: two townships with villages and their secretaries, placed in the
assessment directory as the organization's events place them, and a small published scheme."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from google.rpc import error_details_pb2
from grpc_status import rpc_status
from partybuilding.assessment.v1 import assessment_rounds_pb2 as rpb
from partybuilding.assessment.v1 import assessment_service_pb2_grpc as agrpc
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import select, update

from services.assessment.adapters import tables
from services.assessment.service_layer import commands, schemes
from services.common.auth import Principal
from tests.helpers import County, details, rpc_error
from tests.unit.round_schemes import small_scheme

# Every indicator of the small scheme, per source, with a valid value.
ORGANIZATION_VALUES = {"MEETINGS": 25, "ARCHIVE": 1, "INCOME": 60, "VOLUNTEER": 4}
MASS_VALUES = {"MEETINGS": 20, "INCOME": 50, "VOLUNTEER": 3}


@dataclass(frozen=True)
class Refusal:
    """What a refused call tells a user: code, reason, fields, both messages and the ErrorInfo metadata."""

    reason: str
    fields: list[str]
    zh: str
    en: str
    metadata: dict


def refusal(code, call, *args, field: str | None = None, reason: str | None = None, **kwargs) -> Refusal:
    """`tests.helpers.expect`, with the English message and the ErrorInfo metadata too (one call)."""
    err = rpc_error(call, *args, **kwargs)
    assert err.code() == code, f"expected {code}, got {err.code()}: {err.details()}"
    d = details(err)
    assert field is None or field in d.fields, f"{field!r} not among violations {d.fields}: {err.details()}"
    assert reason is None or d.reason == reason, f"reason {d.reason!r} != {reason!r}: {err.details()}"
    status = rpc_status.from_call(err)
    metadata = {}
    for any_ in status.details:
        if any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            any_.Unpack(info)
            metadata = dict(info.metadata)
    return Refusal(d.reason, d.fields, d.zh, err.details(), metadata)


def values(mapping: dict) -> list[rpb.IndicatorValue]:
    return [rpb.IndicatorValue(indicator=code, value=value) for code, value in mapping.items()]


def known_to_assessment(platform, tenant: str, units, members=(), posts=()) -> None:
    """Put units, members and posts in the assessment directory as the organization's events would
    (the test platform runs no relay; a subtree query reads only what is stored)."""
    with platform.runtime("assessment").uow_factory(tenant) as uow:
        uow.directory.apply_units(units)
        uow.directory.apply_members(members)
        uow.directory.apply_posts(posts)
        uow.commit()


def publish_scheme(platform, tenant: str, scheme_id: str = "stars", **changes) -> str:
    """The small scheme created and published through the scheme use cases; its revision's name."""
    uows = platform.runtime("assessment").uow_factory
    who = Principal.operator("test")
    scheme = small_scheme(tenant=tenant, id=scheme_id, **changes)
    schemes.create_scheme(commands.CreateScheme(tenant, scheme_id, scheme), uows, who)
    schemes.publish_scheme(commands.PublishScheme(tenant, scheme_id), uows, who)
    return f"tenants/{tenant}/schemes/{scheme_id}/revisions/1"


def outbox_types(platform, tenant: str) -> list[str]:
    with platform.runtime("assessment").uow_factory(tenant, write=False) as uow:
        return list(uow.conn.execute(select(tables.outbox.c.type).where(tables.outbox.c.tenant == tenant)
                                     .order_by(tables.outbox.c.seq)).scalars())


class RoundCounty:
    """Township 彭镇 (a station with villages 村0, 村1) and township 太安镇 (village 东村), each
    village with a secretary; a published small scheme (two SCORING stages, review, notice, re-check)."""

    def __init__(self, platform, **scheme_changes):
        self.p = platform
        self.county = County(platform)
        self.code, self.admin, self.parent = self.county.code, self.county.admin, self.county.parent
        self.s = agrpc.AssessmentServiceStub(platform.channel)
        self.town, self.station, self.villages = self.county.tree(villages=2)
        self.town_b = self.county.unit(pb.TOWNSHIP, "太安镇")
        self.village_b = self.county.unit(pb.VILLAGE, "东村", self.town_b.name)
        self.all_villages = [*self.villages, self.village_b]
        self.members = [self.county.member(v.name, f"书记{i}") for i, v in enumerate(self.all_villages)]
        self.posts = [self.county.post(pb.SECRETARY, v.name, m.name) for v, m in zip(self.all_villages, self.members,
                                                                                       strict=True)]
        known_to_assessment(platform, self.code, [self.town, self.station, *self.villages, self.town_b,
                                                  self.village_b], self.members, self.posts)
        self.revision = publish_scheme(platform, self.code, **scheme_changes)

    def clerk(self, unit: pb.Unit):
        return self.p.as_("clerk", [self.code], unit=unit.name)

    def city(self, city: str = ""):
        return self.p.as_("city", [city or self.code[:4] + "00"])

    def create(self, md=None, **fields) -> rpb.Round:
        fields.setdefault("scheme_revision", self.revision)
        fields.setdefault("period", "2026")
        return self.s.CreateRound(rpb.CreateRoundRequest(parent=self.parent, **fields), metadata=md or self.admin)

    def target(self, round_: rpb.Round, unit: pb.Unit) -> str:
        return f"{round_.name}/targets/{unit.name.rsplit('/', 1)[-1]}"

    def score(self, round_: rpb.Round, unit: pb.Unit, source: str, mapping: dict, md=None, **fields):
        return self.s.SubmitScores(rpb.SubmitScoresRequest(
            target=self.target(round_, unit), source=source, values=values(mapping), **fields),
            metadata=md or self.admin)

    def get(self, round_: rpb.Round) -> rpb.Round:
        return self.s.GetRound(rpb.GetRoundRequest(name=round_.name), metadata=self.admin)

    def advance(self, round_: rpb.Round, md=None, **fields) -> rpb.Round:
        fields.setdefault("etag", self.get(round_).etag)
        return self.s.AdvanceRound(rpb.AdvanceRoundRequest(name=round_.name, **fields), metadata=md or self.admin)

    def targets(self, round_: rpb.Round, md=None, **fields) -> list[rpb.RoundTarget]:
        return list(self.s.ListRoundTargets(rpb.ListRoundTargetsRequest(parent=round_.name, page_size=100, **fields),
                                            metadata=md or self.admin).targets)

    def events(self, round_: rpb.Round, md=None, **fields) -> list[rpb.RoundEvent]:
        return list(self.s.ListRoundEvents(rpb.ListRoundEventsRequest(parent=round_.name, page_size=100, **fields),
                                           metadata=md or self.admin).events)

    def township_clerk(self, village: pb.Unit):
        return self.clerk(self.town_b if village.name == self.village_b.name else self.town)

    def score_townships(self, round_: rpb.Round) -> None:
        """街考核: each township's clerk scores its own villages (ORGANIZATION)."""
        for village in self.all_villages:
            self.score(round_, village, "ORGANIZATION", ORGANIZATION_VALUES, self.township_clerk(village))

    def score_mass(self, round_: rpb.Round) -> None:
        """群众测评: the county enters the mass evaluation (MASS)."""
        for village in self.all_villages:
            self.score(round_, village, "MASS", MASS_VALUES)

    def to_notice(self, round_: rpb.Round) -> rpb.Round:
        """Score both SCORING stages in full and advance into the public notice."""
        self.score_townships(round_)
        self.advance(round_)
        self.score_mass(round_)
        self.advance(round_)
        return self.advance(round_)

    def notice_began_days_ago(self, round_: rpb.Round, days: int) -> None:
        """Time passing, for the notice's calendar days: the stage began `days` days earlier."""
        round_id = round_.name.rsplit("/", 1)[-1]
        with self.p.runtime("assessment").uow_factory(self.code) as uow:
            uow.conn.execute(update(tables.rounds).where(tables.rounds.c.tenant == self.code,
                                                         tables.rounds.c.id == round_id)
                             .values(stage_started_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days)))
            uow.commit()
