"""The kernel's guards through a real gRPC channel: token claims, request bounds, metric labels,
page tokens; and database errors answered by their cause (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import json
import time

import grpc
import jwt
import pytest
import sqlalchemy as sa
from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb
from prometheus_client import REGISTRY, generate_latest

from services.common.config import DEV_JWT_SECRET
from services.common.errors import Aborted, InvalidArgument, Unavailable
from services.common.grpc.interceptor import database_error
from tests.helpers import County, expect


@pytest.fixture
def county(platform):
    return County(platform)


def _signed(**claims):
    body = {"sub": "li", "role": "county_admin", "exp": int(time.time()) + 600, **claims}
    return [("authorization", f"Bearer {jwt.encode(body, DEV_JWT_SECRET, algorithm='HS256')}")]


def test_claims_of_the_wrong_type_are_unauthenticated(platform, county):
    town = county.unit(pb.TOWNSHIP, "彭镇")
    get = pb.GetUnitRequest(name=town.name)
    for claims in ({"tenants": int(county.code)}, {"tenants": county.code}, {"tenants": [county.code], "scopes": 3},
                   {"tenants": [county.code], "unit": [town.name]}, {"tenants": [county.code], "role": ["county_admin"]},
                   {"tenants": [county.code], "sub": "x" * 101}, {"tenants": [county.code], "sub": "li\x00"}):
        d = expect(grpc.StatusCode.UNAUTHENTICATED, platform.stub.GetUnit, get, metadata=_signed(**claims))
        assert d.reason in ("INVALID_TOKEN_CLAIM", "INVALID_TOKEN"), claims
    # A write that records history with an over-long subject never gets that far.
    mask = field_mask_pb2.FieldMask(paths=["display_name"])
    expect(grpc.StatusCode.UNAUTHENTICATED, platform.stub.UpdateUnit, pb.UpdateUnitRequest(
        unit=pb.Unit(name=town.name, display_name="新彭镇"), update_mask=mask),
        metadata=_signed(tenants=[county.code], sub="经办人" * 40), reason="INVALID_TOKEN_CLAIM")
    ok = platform.stub.UpdateUnit(pb.UpdateUnitRequest(unit=pb.Unit(name=town.name, display_name="新彭镇"),
                                                       update_mask=mask), metadata=_signed(tenants=[county.code],
                                                                                           sub="经办人" * 33))
    assert ok.display_name == "新彭镇"


def test_repeated_fields_and_strings_are_bounded(platform, county):
    s = platform.stub
    county.tree(1)
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.ListUnits, pb.ListUnitsRequest(
        parent=county.parent, types=[pb.VILLAGE] * 70_000), metadata=county.admin, field="types",
        reason="REQUEST_OUT_OF_BOUNDS")
    assert len(county.units(types=[pb.VILLAGE, pb.TOWNSHIP] * 50)) == 2  # 100 items is still fine
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.MergeUnits, pb.MergeUnitsRequest(
        target=f"{county.parent}/units/u-1", sources=[f"{county.parent}/units/u-{i}" for i in range(2, 200)]),
        metadata=county.admin, field="sources")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.CreateUnit, pb.CreateUnitRequest(
        parent=county.parent, unit=pb.Unit(type=pb.TOWNSHIP, display_name="镇"), request_id="r\x00"),
        metadata=county.admin, field="request_id")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.GetUnit, pb.GetUnitRequest(name=f"{county.parent}/units/u-1\x00"),
           metadata=county.admin, field="name")
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.ArchiveUnit, pb.ArchiveUnitRequest(
        name=f"{county.parent}/units/u-1", reason="因" * 200_000), metadata=county.admin, field="reason")
    # A message over 4 MiB is refused by gRPC itself before it is parsed.
    err = pytest.raises(grpc.RpcError, s.CreateUnit, pb.CreateUnitRequest(
        parent=county.parent, unit=pb.Unit(type=pb.TOWNSHIP, display_name="镇" * 2_000_000)), metadata=county.admin)
    assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def _series() -> list[str]:
    return [line for line in generate_latest(REGISTRY).decode().splitlines()
            if line.startswith("grpc_server_") and not line.startswith("#")]


def test_made_up_tenants_do_not_grow_the_metrics(platform, county):
    """2,000 calls naming counties that do not exist (no test creates 7xxxxx codes) add a bounded few series."""
    s, operator = platform.stub, platform.operator()
    s.ListUnits(pb.ListUnitsRequest(parent=county.parent), metadata=county.admin)
    before = len(_series())
    for i in range(2000):
        made_up = f"7{i % 1000:03d}{i // 1000 + 1:02d}"
        expect(grpc.StatusCode.NOT_FOUND, s.ListUnits, pb.ListUnitsRequest(parent=f"tenants/{made_up}"),
               metadata=operator)
    series = _series()
    assert len(series) - before <= 60, len(series) - before
    labels = {line.split('tenant="')[1].split('"')[0] for line in series if 'tenant="' in line}
    assert not any(label.startswith("7") for label in labels)
    assert {"unknown", county.code} <= labels


def test_a_new_tenant_is_labelled_by_its_code(platform):
    code = platform.new_county()
    platform.stub.GetTenant(pb.GetTenantRequest(name=f"tenants/{code}"), metadata=platform.operator())
    assert any(f'tenant="{code}"' in line for line in _series())


def test_unknown_methods_make_no_series(platform):
    call = platform.channel.unary_unary("/partybuilding.organization.v1.OrganizationService/NoSuchMethod",
                                        request_serializer=lambda x: x, response_deserializer=lambda x: x)
    with pytest.raises(grpc.RpcError) as info:
        call(b"", metadata=platform.operator())
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert not any("NoSuchMethod" in line for line in _series())


def test_page_tokens_stay_in_their_county_and_cannot_be_forged(platform):
    a, b = County(platform), County(platform)
    for c in (a, b):
        c.tree(villages=3)
    operator = platform.operator()
    s = platform.stub
    first = s.ListUnits(pb.ListUnitsRequest(parent=a.parent, page_size=2), metadata=operator)
    token = first.next_page_token
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert first.units[-1].name.rsplit("/", 1)[-1].encode() not in raw  # opaque: the position cannot be read
    expect(grpc.StatusCode.INVALID_ARGUMENT, s.ListUnits, pb.ListUnitsRequest(
        parent=b.parent, page_size=2, page_token=token), metadata=operator, field="page_token", reason="INVALID_PAGE_TOKEN")
    # The old format, JSON behind a 12-byte MAC, and raw bytes: refused, never INTERNAL.
    for forged in (base64.urlsafe_b64encode(b"\0" * 12 + json.dumps({"p": [1, 2], "q": "x"}).encode()).decode(),
                   base64.urlsafe_b64encode(bytes(range(256))).decode(), "%%%"):
        expect(grpc.StatusCode.INVALID_ARGUMENT, s.ListUnits, pb.ListUnitsRequest(
            parent=a.parent, page_size=2, page_token=forged), metadata=operator, field="page_token")
    second = s.ListUnits(pb.ListUnitsRequest(parent=a.parent, page_size=2, page_token=token), metadata=operator)
    assert second.units


def test_database_errors_are_answered_by_cause(platform):
    engine = platform.runtimes[0].engine
    # OperationalError is not "the database is down": SQLite says it for a syntax error too.
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as info:
        conn.execute(sa.text("SELEC 1"))
    assert database_error(info.value) is None  # the statement's fault: INTERNAL, logged; a retry would not help
    if platform.backend == "postgres":
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as info:
            conn.execute(sa.text("SELECT 1 WHERE 1 IN (" + ",".join(f":p{i}" for i in range(70_000)) + ")"),
                         {f"p{i}": i for i in range(70_000)})
        assert database_error(info.value) is None
    if platform.backend == "postgres":
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as info:
            conn.execute(sa.text("SELECT CAST(:v AS varchar(3))::char(1)::int"), {"v": "abc"})
        assert isinstance(database_error(info.value), InvalidArgument)
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as info:
            conn.execute(sa.text("SELECT :v"), {"v": "a\x00b"})
        assert isinstance(database_error(info.value), InvalidArgument)
        refused = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
        with pytest.raises(sa.exc.DBAPIError) as info:
            refused.connect()
        assert isinstance(database_error(info.value), Unavailable)
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as info:
            conn.execute(sa.text("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001'; END $$"))
        assert isinstance(database_error(info.value), Aborted)
    platform.stub.ListTenants(pb.ListTenantsRequest(), metadata=platform.operator())
