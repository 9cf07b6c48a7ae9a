"""Client-streamed requests (chunked uploads) pass the same guards as unary calls."""

from __future__ import annotations

from concurrent import futures

import grpc
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.auth import TokenVerifier, mint_token
from services.common.grpc.interceptor import PlatformInterceptor
from services.common.policy import ADMINS, Rule

SECRET = "stream-test-secret-that-is-long-enough-for-hs256"
METHOD = "/test.Upload/Send"


@pytest.fixture(scope="module")
def send():
    def count(chunks, context):
        return pb.ListUnitsResponse(next_page_token=str(sum(1 for _ in chunks)))

    handler = grpc.method_handlers_generic_handler("test.Upload", {"Send": grpc.stream_unary_rpc_method_handler(
        count, request_deserializer=pb.ListUnitsRequest.FromString,
        response_serializer=pb.ListUnitsResponse.SerializeToString)})
    interceptor = PlatformInterceptor(TokenVerifier(SECRET), {METHOD: Rule(ADMINS, write=True, tenant_field="parent")})
    server = grpc.server(futures.ThreadPoolExecutor(4), interceptors=[interceptor], handlers=[handler])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield channel.stream_unary(METHOD, request_serializer=pb.ListUnitsRequest.SerializeToString,
                               response_deserializer=pb.ListUnitsResponse.FromString)
    channel.close()
    server.stop(None)


def _admin(code: str = "610222"):
    return [("authorization", f"Bearer {mint_token(SECRET, role='county_admin', tenants=[code])}")]


def _code(send, chunks, metadata) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as info:
        send(iter(chunks), metadata=metadata)
    return info.value.code()


def test_a_good_stream_is_served(send):
    chunks = [pb.ListUnitsRequest(parent="tenants/610222")] + [pb.ListUnitsRequest()] * 4
    assert send(iter(chunks), metadata=_admin()).next_page_token == "5"


def test_streams_are_authenticated_and_authorized_by_their_first_message(send):
    first = pb.ListUnitsRequest(parent="tenants/610222")
    assert _code(send, [first], None) == grpc.StatusCode.UNAUTHENTICATED
    assert _code(send, [first], _admin("610223")) == grpc.StatusCode.PERMISSION_DENIED


def test_a_later_chunk_may_not_switch_tenant_or_break_bounds(send):
    first = pb.ListUnitsRequest(parent="tenants/610222")
    assert _code(send, [first, pb.ListUnitsRequest(parent="tenants/610223")], _admin()) == grpc.StatusCode.INVALID_ARGUMENT
    big = pb.ListUnitsRequest(types=[pb.VILLAGE] * 500)
    assert _code(send, [first, big], _admin()) == grpc.StatusCode.INVALID_ARGUMENT
