"""One server interceptor for the cross-cutting work of every RPC.

Order per call: deadline check, authentication, authorization (default-deny policy, tenant of the
named resource) before the servicer validates anything, then the call; errors become
google.rpc.Status; each call is counted, timed and logged as one JSON line.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import os
import time

import grpc
from sqlalchemy.exc import OperationalError

from services.common.auth import Principal, TokenVerifier
from services.common.errors import PlatformError, Unavailable
from services.common.grpc.status import internal_status, to_status
from services.common.metrics import GRPC_HANDLED, GRPC_SECONDS
from services.common.policy import Rule, _field, authorize
from services.common.tenancy import tenant_of

log = logging.getLogger("partybuilding.rpc")
_principal: contextvars.ContextVar[Principal] = contextvars.ContextVar("principal")

# Calls every client may make without a token: health checks and reflection.
PUBLIC_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


def current_principal() -> Principal:
    """The authenticated caller of the RPC being handled on this thread."""
    return _principal.get()


class PlatformInterceptor(grpc.ServerInterceptor):
    def __init__(self, verifier: TokenVerifier, policy: dict[str, Rule]):
        self.verifier = verifier
        self.policy = policy
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}

    def intercept_service(self, continuation, handler_call_details):
        # grpcio asks for every call; a method's wrapped handler is the same each time.
        method = handler_call_details.method
        wrapped = self._wrapped.get(method)
        if wrapped is None:
            wrapped = self._wrap(method, continuation(handler_call_details))
            if wrapped is not None:
                self._wrapped[method] = wrapped
        return wrapped

    def _wrap(self, method: str, handler):
        if handler is None or method.startswith(PUBLIC_PREFIXES):
            return handler
        _, service, name = method.split("/")
        rule = self.policy.get(method)
        service = service.rsplit(".", 1)[-1]
        empty = handler.request_deserializer(b"") if handler.request_deserializer else None

        def guarded(context: grpc.ServicerContext, first_request, invoke):
            """Deadline, token, policy (on the request, or a stream's first message), then `invoke`."""
            started = time.perf_counter()
            metadata = dict(context.invocation_metadata())
            request_id = metadata.get("x-request-id") or os.urandom(8).hex()
            tenant, code, subject = "-", "OK", "-"
            try:
                remaining = context.time_remaining()
                if remaining is not None and remaining <= 0:
                    code = "DEADLINE_EXCEEDED"
                    context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded before the call started / 请求已超时")
                principal = self.verifier.verify(metadata.get("authorization"))
                subject = principal.subject
                request = first_request()
                authorize(principal, rule, name, request)
                if rule.tenant_field:
                    tenant = tenant_of(_field(request, rule.tenant_field)) or "-"
                _principal.set(principal)
                return invoke()
            except PlatformError as error:
                code = error.code
                context.abort_with_status(to_status(error))
            except OperationalError:
                code = "UNAVAILABLE"
                log.exception("database unavailable", extra={"fields": {"request_id": request_id, "method": method}})
                context.abort_with_status(to_status(Unavailable(
                    "DATABASE_UNAVAILABLE", "数据库暂时不可用，请稍后重试", "the database is unavailable; retry shortly")))
            except Exception:
                if code == "OK":
                    code = _aborted_code(context)
                if code == "OK":
                    code = "INTERNAL"
                    log.exception("unhandled error", extra={"fields": {"request_id": request_id, "method": method}})
                    context.abort_with_status(internal_status(request_id))
                raise
            finally:
                elapsed = time.perf_counter() - started
                GRPC_HANDLED.labels(service, name, code, tenant).inc()
                GRPC_SECONDS.labels(service, name, tenant).observe(elapsed)
                if log.isEnabledFor(logging.INFO):
                    log.info("rpc", extra={"fields": {
                        "method": method, "tenant": tenant, "code": code, "latency_ms": round(elapsed * 1000, 3),
                        "request_id": request_id, "sub": subject,
                    }})

        def peeked(requests):
            """(first message, the whole stream again): a stream is authorized on its first message."""
            first = next(requests, None)
            return (empty if first is None else first), itertools.chain([] if first is None else [first], requests)

        codec = {"request_deserializer": handler.request_deserializer,
                 "response_serializer": handler.response_serializer}
        if handler.unary_unary:
            inner = handler.unary_unary
            return grpc.unary_unary_rpc_method_handler(
                lambda request, context: guarded(context, lambda: request, lambda: inner(request, context)), **codec)
        if handler.unary_stream:
            inner = handler.unary_stream
            # Responses are produced inside the guard (errors mapped, time counted), then sent.
            return grpc.unary_stream_rpc_method_handler(
                lambda request, context: iter(guarded(context, lambda: request,
                                                      lambda: list(inner(request, context)))), **codec)
        streaming = handler.stream_unary or handler.stream_stream

        def call(requests, context):
            state = {}

            def first():
                state["first"], state["stream"] = peeked(requests)
                return state["first"]

            if handler.stream_unary:
                return guarded(context, first, lambda: streaming(state["stream"], context))
            return iter(guarded(context, first, lambda: list(streaming(state["stream"], context))))

        make = grpc.stream_unary_rpc_method_handler if handler.stream_unary else grpc.stream_stream_rpc_method_handler
        return make(call, **codec)


def _aborted_code(context) -> str:
    """The code a servicer already aborted with (context.abort raises after setting it)."""
    code = getattr(context, "_state", None) and context._state.code
    return code.name if code else "OK"
