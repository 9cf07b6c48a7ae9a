"""One server interceptor for the cross-cutting work of every RPC.

Order per call: deadline check, authentication, authorization (default-deny policy, tenant of the
named resource) before anything is validated, an archived county refused (services/common/archive.py),
request bounds (services/common/bounds.py), then the call; errors become google.rpc.Status, database errors by their cause; each call is counted
(tenant label only for tenants that exist), timed and logged as one JSON line. Unary calls and
client-streamed requests (chunked uploads) are guarded; streamed responses are refused until
they are.
"""

from __future__ import annotations

import contextvars
import logging
import os
import time

import grpc
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError

from services.common.archive import ArchivedTenants
from services.common.auth import Principal, TokenVerifier
from services.common.bounds import check_request_bounds
from services.common.errors import Aborted, InvalidArgument, PlatformError, Unavailable
from services.common.grpc.status import internal_status, to_status
from services.common.metrics import GRPC_HANDLED, GRPC_SECONDS, tenant_label
from services.common.policy import Rule, authorize, request_field
from services.common.tenancy import tenant_of

log = logging.getLogger("partybuilding.rpc")
_principal: contextvars.ContextVar[Principal] = contextvars.ContextVar("principal")

# Calls every client may make without a token: health checks and reflection.
PUBLIC_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


def current_principal() -> Principal:
    """The authenticated caller of the RPC being handled on this thread."""
    return _principal.get()


class PlatformInterceptor(grpc.ServerInterceptor):
    def __init__(self, verifier: TokenVerifier, policy: dict[str, Rule], archived: ArchivedTenants | None = None):
        self.verifier = verifier
        self.policy = policy
        self.archived = archived or ArchivedTenants()
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
        service = service.rsplit(".", 1)[-1]
        rule = self.policy.get(method)
        if handler.unary_unary is not None:
            inner = handler.unary_unary

            def unary(request, context: grpc.ServicerContext):
                return self._guarded(method, service, name, rule, request, context, lambda: inner(request, context))

            return grpc.unary_unary_rpc_method_handler(
                unary, request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)
        if handler.stream_unary is not None:
            inner_stream = handler.stream_unary

            def stream(requests, context: grpc.ServicerContext):
                # Authorization needs the first message (it names the tenant); each later one is
                # bounded and must name the same resource, or a stream could change tenant midway.
                first = next(requests, None)
                if first is None:
                    first = handler.request_deserializer(b"")

                def rest():
                    yield first
                    for later in requests:
                        _same_resource(rule, first, later)
                        check_request_bounds(later, rule.max_items)
                        yield later

                return self._guarded(method, service, name, rule, first, context, lambda: inner_stream(rest(), context))

            return grpc.stream_unary_rpc_method_handler(
                stream, request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)
        if handler.unary_stream is not None:
            inner_responses = handler.unary_stream

            def responses(request, context: grpc.ServicerContext):
                # Produced inside the guard (errors mapped, time counted), then sent: the only
                # streamed answer is an export, bounded by the county's size.
                return iter(self._guarded(method, service, name, rule, request, context,
                                          lambda: list(inner_responses(request, context))))

            return grpc.unary_stream_rpc_method_handler(
                responses, request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)
        return _refuse_bidirectional(method, handler)

    def _guarded(self, method: str, service: str, name: str, rule: Rule | None, request, context, invoke):
        """Deadline, token, policy, request bounds, then `invoke()`; errors to google.rpc.Status; metrics and log."""
        started = time.perf_counter()
        metadata = dict(context.invocation_metadata())
        request_id = _request_id(metadata.get("x-request-id"))
        tenant, code, subject = "-", "OK", "-"
        try:
            remaining = context.time_remaining()
            if remaining is not None and remaining <= 0:
                code = "DEADLINE_EXCEEDED"
                context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded before the call started / 请求已超时")
            principal = self.verifier.verify(metadata.get("authorization"))
            subject = principal.subject
            authorize(principal, rule, name, request)
            if rule.tenant_field:
                code_named = tenant_of(request_field(request, rule.tenant_field))
                tenant = tenant_label(code_named)
                self.archived.check(code_named)
            check_request_bounds(request, rule.max_items)
            _principal.set(principal)
            return invoke()
        except PlatformError as error:
            code = error.code
            context.abort_with_status(to_status(error))
        except DBAPIError as error:
            mapped = database_error(error)
            if mapped is None:
                code = "INTERNAL"
                log.exception("database refused the statement", extra={"fields": {
                    "request_id": request_id, "method": method, "cause": _cause(error)}})
                context.abort_with_status(internal_status(request_id))
            code = mapped.code
            log.warning("database error", extra={"fields": {
                "request_id": request_id, "method": method, "code": code, "cause": _cause(error)}})
            context.abort_with_status(to_status(mapped))
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


def _request_id(given: str | None) -> str:
    """The caller's x-request-id if it is a plain short token (it goes into every log line), else a new one."""
    if given and len(given) <= 64 and given.isascii() and given.isprintable():
        return given
    return os.urandom(8).hex()


def _same_resource(rule: Rule | None, first, later) -> None:
    if rule is not None and rule.tenant_field:
        named = request_field(later, rule.tenant_field)
        if named and named != request_field(first, rule.tenant_field):
            raise InvalidArgument.field(rule.tenant_field, "同一请求流中的各条消息须指向同一资源",
                                        "must name the same resource in every message of the stream")


def _refuse_bidirectional(method: str, handler):
    """No RPC streams both ways; until the interceptor guards such calls, none is served unguarded."""
    def refuse(requests, context):
        context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method}: bidirectional streams are not served / 不支持双向流")

    return grpc.stream_stream_rpc_method_handler(refuse, request_deserializer=handler.request_deserializer,
                                                 response_serializer=handler.response_serializer)


def _cause(error: DBAPIError) -> str:
    return f"{type(error.orig).__name__}: {str(error.orig).splitlines()[0] if str(error.orig) else ''}"[:300]


# SQLSTATE classes where trying again later can work: connection exceptions (08), insufficient
# resources (53), operator intervention such as a restarting server (57P01-57P03).
_RETRY_LATER = ("08", "53", "57P01", "57P02", "57P03")
_SQLITE_RETRY_LATER = ("database is locked", "unable to open database", "disk i/o error")


def database_error(error: DBAPIError) -> PlatformError | None:
    """The answer a database error deserves, by its cause; None: a fault of ours (INTERNAL, logged).

    UNAVAILABLE ("retry") only when retrying can help: the connection was lost or refused, the
    server is starting or out of connections, SQLite is locked. ABORTED for a serialization
    failure or deadlock (retry the whole request). INVALID_ARGUMENT for a value the database
    cannot store (class 22: too long, invalid byte sequence, out of range) that the door let by.
    A statement the database refuses for its shape (too many bind parameters, syntax) is ours.
    """
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    message = str(error.orig).lower()
    if (error.connection_invalidated or error.statement is None or isinstance(error, InterfaceError)
            or sqlstate.startswith(_RETRY_LATER) or any(m in message for m in _SQLITE_RETRY_LATER)):
        return Unavailable("DATABASE_UNAVAILABLE", "数据库暂时不可用，请稍后重试", "the database is unavailable; retry shortly")
    if sqlstate in ("40001", "40P01"):
        return Aborted("TRANSACTION_CONFLICT", "与其他修改冲突，请重试", "the change conflicted with another one; retry it")
    if isinstance(error, DataError) or sqlstate.startswith("22"):
        return InvalidArgument.field("request", "有字段的值无法保存（过长、超出范围或含无效字符）",
                                     "holds a value the database cannot store (too long, out of range or invalid "
                                     "characters)", "VALUE_NOT_STORABLE")
    return None


def _aborted_code(context) -> str:
    """The code a servicer already aborted with (context.abort raises after setting it)."""
    code = getattr(context, "_state", None) and context._state.code
    return code.name if code else "OK"
