"""Retries are safe by default: the client channel gives every create a request_id (AIP-155)."""

from __future__ import annotations

import re
import uuid

import grpc
from click.testing import CliRunner
from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

from services.common.grpc.request_ids import RequestIdInterceptor, idempotent_channel
from services.pbctl.main import cli
from tests.conftest import fresh_county_code, token
from tests.helpers import County, expect


def test_a_retried_create_whose_answer_was_lost_makes_one_unit(platform):
    county = County(platform)
    stub = pb_grpc.OrganizationServiceStub(idempotent_channel(platform.channel))
    request = pb.CreateUnitRequest(parent=county.parent, unit=pb.Unit(type=pb.TOWNSHIP, display_name="彭镇"))
    first = stub.CreateUnit(request, metadata=county.admin)
    assert uuid.UUID(request.request_id), "the caller's message carries the id it was sent with"
    # The answer is lost (UNAVAILABLE after the commit); the caller sends the same message again.
    retried = stub.CreateUnit(request, metadata=county.admin)
    assert retried.name == first.name
    assert [u.name for u in county.units()] == [first.name]


def test_a_request_id_with_a_control_or_format_character_is_refused(platform):
    county = County(platform)
    for bad in ("retry-1\n", "retry-\u202e1", "\u200bretry", "retry\x07"):
        expect(grpc.StatusCode.INVALID_ARGUMENT, county.s.CreateUnit, pb.CreateUnitRequest(
            parent=county.parent, unit=pb.Unit(type=pb.TOWNSHIP, display_name="彭镇"), request_id=bad),
            metadata=county.admin, field="request_id")
    assert county.units() == []


def test_separate_creates_get_separate_ids_and_a_given_id_is_kept(platform):
    county = County(platform)
    stub = pb_grpc.OrganizationServiceStub(idempotent_channel(platform.channel))
    towns = [stub.CreateUnit(pb.CreateUnitRequest(parent=county.parent, unit=pb.Unit(
        type=pb.TOWNSHIP, display_name="彭镇")), metadata=county.admin) for _ in range(2)]
    assert len({t.name for t in towns}) == 2, "two creates the caller meant are two units"
    given = pb_grpc.OrganizationServiceStub(idempotent_channel(platform.channel, "retry-of-attempt-1"))
    request = pb.CreateUnitRequest(parent=county.parent, unit=pb.Unit(type=pb.TOWNSHIP, display_name="五里镇"))
    given.CreateUnit(request, metadata=county.admin)
    assert request.request_id == "retry-of-attempt-1"


def test_a_client_stream_carries_the_id_on_its_first_message():
    first, second = (pb.CreateUnitRequest(parent="tenants/610222") for _ in range(2))
    sent = []
    RequestIdInterceptor().intercept_stream_unary(lambda _details, requests: sent.extend(requests), None,
                                                  iter([first, second]))
    assert sent == [first, second] and uuid.UUID(first.request_id) and second.request_id == ""


def test_pbctl_create_tenant_sends_a_request_id_and_retries_with_the_one_given(platform, monkeypatch):
    monkeypatch.setenv("TOKEN", token("operator", ["*"]))
    code, target = fresh_county_code(), f"127.0.0.1:{platform.port}"
    create = ["org", "create-tenant", "--code", code, "--name", "测试县", "--target", target]
    first = CliRunner().invoke(cli, create)
    assert first.exit_code == 0, first.output
    sent = re.search(r"request_id=(\S+)", first.output).group(1)
    assert uuid.UUID(sent), "pbctl made up a request_id"
    retried = CliRunner().invoke(cli, [*create, "--request-id", sent])
    assert retried.exit_code == 0, retried.output
    assert retried.output == first.output, "the retry answers with the tenant the first call made"
    again = CliRunner().invoke(cli, create)
    assert again.exit_code == 1 and "ALREADY_EXISTS" in again.output
