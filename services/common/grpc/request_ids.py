"""Client side of idempotent creates (AIP-155): every request that can carry a request_id does.

A client that loses the answer to a create (UNAVAILABLE after the commit) and retries without a
request_id makes a second resource and a second event. The interceptor fills an empty
`request_id` with a uuid4 in the caller's own message, so retrying that same message sends
the same id and the server answers with the first resource.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import grpc

from services.common.uow import fingerprint


def fill_request_id(request, request_id: str = "") -> None:
    """Set `request_id` (given, or a fresh uuid4) on a request that has the field and left it empty."""
    if "request_id" in request.DESCRIPTOR.fields_by_name and not request.request_id:
        request.request_id = request_id or str(uuid.uuid4())


class RequestIdInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.StreamUnaryClientInterceptor):
    """Fills request_id on unary requests and on the first message of a client stream (an upload)."""

    def __init__(self, request_id: str = ""):
        self.request_id = request_id

    def intercept_unary_unary(self, continuation, client_call_details, request):
        fill_request_id(request, self.request_id)
        return continuation(client_call_details, request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return continuation(client_call_details, self._first_filled(request_iterator))

    def _first_filled(self, requests: Iterator) -> Iterator:
        for position, request in enumerate(requests):
            if position == 0:
                fill_request_id(request, self.request_id)
            yield request


def idempotent_channel(channel: grpc.Channel, request_id: str = "") -> grpc.Channel:
    """`channel` with request ids filled in on every create it carries."""
    return grpc.intercept_channel(channel, RequestIdInterceptor(request_id))


def request_fingerprint(request) -> str:
    """Server side: the hash of a request minus its request_id, which `Idempotency.claim` compares
    (the same body retried hashes the same; another body under the same id is refused)."""
    clone = type(request)()
    clone.CopyFrom(request)
    clone.ClearField("request_id")
    return fingerprint(clone.SerializeToString(deterministic=True))
