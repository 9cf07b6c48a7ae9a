"""Helpers shared by the tests: valid personal data, waiting for a condition, trees, error details."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import subprocess
import time
import uuid
from dataclasses import dataclass

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.organization.domain.personal_data import id_card_check_digit
from services.organization.domain.sheet import format_posts, split_posts

_seq = itertools.count(100)


def id_card(born: str = "", region: str = "610222", male: bool = True, seq: int | None = None) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit); born YYYYMMDD.

    Fresh on every call, or the same number for the same `seq` (for tests that need a repeat).
    """
    seq = next(_seq) if seq is None else seq
    if not born:
        born = (dt.date(1980, 1, 1) + dt.timedelta(days=seq // 500)).strftime("%Y%m%d")
    first17 = f"{region}{born}{(seq * 2 + male) % 1000:03d}"
    return first17 + id_card_check_digit(first17)


def wait_for(check, timeout: float = 60.0, what: str = "condition"):
    """Poll `check` until it returns something truthy, and return that; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


def rpc_error(call, *args, **kwargs) -> grpc.RpcError:
    """Call and return the RpcError it raised (failing the test if it succeeded)."""
    with pytest.raises(grpc.RpcError) as info:
        call(*args, **kwargs)
    return info.value


@dataclass
class Details:
    code: grpc.StatusCode
    reason: str
    domain: str
    fields: list[str]
    zh: str


def details(err: grpc.RpcError) -> Details:
    """The google.rpc.Status details the server attached to an error."""
    status = rpc_status.from_call(err)
    assert status is not None, f"no google.rpc.Status on {err.code()}: {err.details()}"
    reason = domain = zh = ""
    fields: list[str] = []
    for any_ in status.details:
        if any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            any_.Unpack(info)
            reason, domain = info.reason, info.domain
        elif any_.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            any_.Unpack(bad)
            fields += [v.field for v in bad.field_violations]
        elif any_.Is(error_details_pb2.LocalizedMessage.DESCRIPTOR):
            msg = error_details_pb2.LocalizedMessage()
            any_.Unpack(msg)
            assert msg.locale == "zh-CN"
            zh = msg.message
    return Details(err.code(), reason, domain, fields, zh)


def expect(code: grpc.StatusCode, call, *args, field: str | None = None, reason: str | None = None,
           **kwargs) -> Details:
    """Call, expect it to fail with `code`; check the named field / reason; return the details."""
    err = rpc_error(call, *args, **kwargs)
    assert err.code() == code, f"expected {code}, got {err.code()}: {err.details()}"
    d = details(err)
    if field is not None:
        assert field in d.fields, f"{field!r} not among violations {d.fields}: {err.details()}"
    if reason is not None:
        assert d.reason == reason, f"reason {d.reason!r} != {reason!r}: {err.details()}"
    return d


class County:
    """One fresh tenant with its admin's credentials and short-hand calls."""

    def __init__(self, platform, **settings):
        self.p = platform
        self.code = platform.new_county(**settings)
        self.parent = f"tenants/{self.code}"
        self.admin = platform.as_("county_admin", [self.code])
        self.s = platform.stub

    def unit(self, type_, name: str, parent: str = "", md=None, **fields) -> pb.Unit:
        return self.s.CreateUnit(pb.CreateUnitRequest(
            parent=self.parent, unit=pb.Unit(type=type_, display_name=name, parent=parent, **fields)),
            metadata=md or self.admin)

    def member(self, unit: str, name: str = "张三", md=None, **fields) -> pb.Member:
        fields.setdefault("id_card_number", id_card())
        return self.s.CreateMember(pb.CreateMemberRequest(
            parent=self.parent, member=pb.Member(display_name=name, unit=unit, **fields)), metadata=md or self.admin)

    def post(self, type_, unit: str, member: str, md=None, **fields) -> pb.Post:
        return self.s.AssignPost(pb.AssignPostRequest(
            parent=self.parent, post=pb.Post(type=type_, unit=unit, member=member, **fields)), metadata=md or self.admin)

    def tree(self, villages: int = 3):
        """A township, one work station under it, and `villages` villages in the station."""
        town = self.unit(pb.TOWNSHIP, "彭镇")
        station = self.unit(pb.WORK_STATION, "第一工作站", town.name)
        vs = [self.unit(pb.VILLAGE, f"村{i}", station.name) for i in range(villages)]
        return town, station, vs

    def units(self, **req) -> list[pb.Unit]:
        return list(self.s.ListUnits(pb.ListUnitsRequest(parent=self.parent, page_size=1000, **req),
                                     metadata=self.admin).units)

    def members(self, md=None, **req) -> list[pb.Member]:
        return list(self.s.ListMembers(pb.ListMembersRequest(parent=self.parent, page_size=1000, **req),
                                       metadata=md or self.admin).members)


def comparable_rows(rows: list[dict]) -> list[dict]:
    """Rows with unit ids replaced by the path of display names, member ids dropped: comparable across counties."""
    units = {r["ref"]: r for r in rows if r["record"] == "unit"}

    def path(ref: str) -> str:
        return path(units[ref]["parent_ref"]) + "/" + units[ref]["display_name"] if ref in units else ""

    out = []
    for r in rows:
        r = dict(r)
        if r["record"] == "unit":
            r["ref"], r["parent_ref"] = path(r["ref"]), path(r["parent_ref"])
            r["division_code"] = r.get("division_code", "")[6:]  # within the county; see `recoded`
        elif r["record"] == "member":
            r["ref"], r["parent_ref"] = "", path(r["parent_ref"])
            entries = [e[:1] + [path(e[1]) if len(e) > 1 else ""] + e[2:] for e in split_posts(r["posts"])]
            r["posts"] = format_posts(sorted(entries))
        out.append(r)
    return sorted(out, key=lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True))


def recoded(rows: list[dict], old: str, new: str) -> list[dict]:
    """Rows of county `old` with its units' division codes moved to county `new`: a round trip into
    a second county of one platform needs this, as a division code must begin with its county's."""
    return [{**r, "division_code": new + r["division_code"][len(old):]}
            if r.get("record") == "unit" and r.get("division_code", "").startswith(old) else r for r in rows]


def as_if_moved_away(platform, code: str) -> None:
    """Release county `code`'s members from the platform-wide person registry, as if that county
    had moved to another platform: one person is active in one county of a platform, so a round
    trip into a second county of the same platform needs this first."""
    from sqlalchemy import delete

    from services.organization.adapters import tables

    with platform.org_uow(code) as uow:
        uow.conn.execute(delete(tables.person_registry).where(tables.person_registry.c.county == code))
        uow.commit()


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, timeout=120, capture_output=True)


def on_running_broker(*args: str) -> None:
    # Other test runs stop and start the shared broker: wait until it runs.
    rabbitmqctl("await_startup")
    rabbitmqctl(*args)


@contextlib.contextmanager
def private_vhost(prefix: str = "pb-test"):
    """A RabbitMQ vhost of this test run only: the platform's queues have fixed names (one per
    consumer), so two runs on one vhost would take each other's events."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    on_running_broker("add_vhost", name)
    on_running_broker("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield name
    finally:
        on_running_broker("delete_vhost", name)
