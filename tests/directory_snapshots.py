"""Organization snapshots and event envelopes as the organization sends them, for the directory tests."""

from __future__ import annotations

import uuid

from google.protobuf import json_format
from partybuilding.common.v1.events_pb2 import EventEnvelope
from partybuilding.organization.v1 import organization_events_pb2 as ev
from partybuilding.organization.v1 import organization_service_pb2 as pb


def unit(tenant: str, uid: str, path: str, version: int, *, type_=pb.VILLAGE, display_name: str = "",
         state=pb.ACTIVE, **fields) -> ev.UnitSnapshot:
    """A unit snapshot; its parent and depth follow from the path ("/u-1/u-7/")."""
    ids = path.strip("/").split("/")
    parent = f"tenants/{tenant}/units/{ids[-2]}" if len(ids) > 1 else ""
    return ev.UnitSnapshot(version=version, unit=pb.Unit(
        name=f"tenants/{tenant}/units/{uid}", type=type_, display_name=display_name or uid, parent=parent,
        state=state, path=path, depth=len(ids), etag=f'"{version}"', **fields))


def member(tenant: str, mid: str, unit_id: str, version: int, *, display_name: str = "张三",
           state=pb.MEMBER_ACTIVE, **fields) -> ev.MemberSnapshot:
    fields.setdefault("status", pb.FULL)
    fields.setdefault("category", pb.ORDINARY_FARMER)
    return ev.MemberSnapshot(version=version, member=pb.Member(
        name=f"tenants/{tenant}/members/{mid}", display_name=display_name, unit=f"tenants/{tenant}/units/{unit_id}",
        state=state, personal_data_masked=True, etag=f'"{version}"', **fields))


def post(tenant: str, pid: str, unit_id: str, member_id: str, version: int, *, type_=pb.SECRETARY,
         end_date: str = "", **fields) -> ev.PostSnapshot:
    return ev.PostSnapshot(version=version, post=pb.Post(
        name=f"tenants/{tenant}/posts/{pid}", type=type_, unit=f"tenants/{tenant}/units/{unit_id}",
        member=f"tenants/{tenant}/members/{member_id}", member_display_name="张三", start_date="2026-01-05",
        end_date=end_date, current=not end_date, etag=f'"{version}"', **fields))


def tenant(code: str, version: int, display_name: str = "测试县") -> ev.TenantSnapshot:
    return ev.TenantSnapshot(version=version, tenant=pb.Tenant(
        name=f"tenants/{code}", code=code, display_name=display_name, city_code=code[:4] + "00",
        settings=pb.TenantSettings(time_zone="Asia/Shanghai", locale="zh-CN"), etag=f'"{version}"'))


def envelope(tenant_code: str, event, extra: dict | None = None) -> EventEnvelope:
    """The envelope a relay sends for `event` (type from its message name); `extra` adds payload
    fields as a newer producer would."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in type(event).__name__.removesuffix("Event"))
    env = EventEnvelope(event_id=str(uuid.uuid4()), type=f"organization.{snake.lstrip('_')}", tenant=tenant_code,
                        producer="organization", schema_version=1, sequence=1)
    env.occurred_at.GetCurrentTime()
    env.payload.update({**json_format.MessageToDict(event, preserving_proto_field_name=True), **(extra or {})})
    return env
