"""The typed gRPC client a consuming service asks the organization with (on a directory miss, a resync).

A service account token (`sub = service:<svc>`, role system, scope `org.read`), a deadline on
every call, retries on UNAVAILABLE with a short backoff; NOT_FOUND is None. Answers are directory
models. The only module of the directory that imports grpcio: import it inside a runtime's
`build`, never from anything an event worker loads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import grpc
from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

from services.common.auth import Role, mint_token
from services.common.config import DEV_JWT_SECRET, ConfigError, Settings
from services.common.directory.model import (
    DirectoryMember,
    DirectoryPost,
    DirectoryTenant,
    DirectoryUnit,
)
from services.common.errors import FailedPrecondition, Unavailable
from services.common.grpc.channels import balanced_channel
from services.common.pagination import MAX_PAGE_SIZE
from services.common.tenancy import Collection, tenant_name

UNITS, MEMBERS = Collection("units"), Collection("members")
SERVICE_SCOPES = ["org.read"]
SERVICE_TOKEN_TTL = 12 * 3600  # seconds; a minted token is renewed at half its life


def service_token(settings: Settings, service: str, scopes: list[str] | None = None) -> str:
    """The service account's bearer token: PB_SERVICE_TOKEN, else minted from the dev secret."""
    if settings.service_token:
        return settings.service_token
    if settings.jwt_secret != DEV_JWT_SECRET:
        raise ConfigError(
            f"PB_SERVICE_TOKEN 未设置 / set PB_SERVICE_TOKEN: {service} calls the organization service with a "
            f"token of role system, sub service:{service}, tenants [\"*\"], scope org.read (only the built-in dev "
            "secret mints one by itself)")
    return mint_token(DEV_JWT_SECRET, role=Role.SYSTEM.value, tenants=["*"], subject=f"service:{service}",
                      scopes=scopes or SERVICE_SCOPES, ttl_seconds=SERVICE_TOKEN_TTL)


class _RenewedToken:
    """A configured token as it is; a minted one minted again at half its life."""

    def __init__(self, settings: Settings, service: str, scopes: list[str] | None = None):
        self.settings, self.service, self.scopes = settings, service, scopes
        self.token, self.renew_at = service_token(settings, service, scopes), time.monotonic() + SERVICE_TOKEN_TTL / 2

    def __call__(self) -> str:
        if not self.settings.service_token and time.monotonic() >= self.renew_at:
            self.token = service_token(self.settings, self.service, self.scopes)
            self.renew_at = time.monotonic() + SERVICE_TOKEN_TTL / 2
        return self.token


class OrganizationTarget:
    """Where the organization answers: PB_ORGANIZATION_TARGET (one address, or several called
    round robin: services/common/grpc/channels.py), else this process's own gRPC port.

    With PB_GRPC_PORT=0 (tests, a second `make run`) the port is known only once the server is
    bound: hand `bind` to the runtime as `ServiceRuntime(on_server_bound=target.bind)` and the
    platform calls it (services/platform.py build_server).
    """

    def __init__(self, settings: Settings):
        self.fixed = settings.organization_target
        self.port = settings.grpc_port or None

    def bind(self, port: int) -> None:
        self.port = port

    def __call__(self) -> str:
        if self.fixed:
            return self.fixed
        if not self.port:
            raise Unavailable("ORGANIZATION_TARGET_UNKNOWN", "组织服务地址未知：服务尚未开始监听",
                              "the organization's address is not known yet: the server is not bound")
        return f"127.0.0.1:{self.port}"


class OrganizationClient:
    """GetTenant / GetUnit / GetMember and the paged lists, answered as directory models."""

    def __init__(self, target: str | Callable[[], str], token: str | Callable[[], str], deadline: float = 2.0,
                 attempts: int = 3, backoff: float = 0.1, page_size: int = MAX_PAGE_SIZE):
        self.target, self.deadline, self.attempts, self.backoff = target, deadline, attempts, backoff
        self.page_size = page_size
        self._token = token if callable(token) else (lambda: token)
        self._lock = threading.Lock()
        self._channel: grpc.Channel | None = None
        self._stub: pb_grpc.OrganizationServiceStub | None = None

    @classmethod
    def for_service(cls, settings: Settings, service: str, scopes: list[str] | None = None,
                    **options) -> OrganizationClient:
        """The client of `service`'s account (scope org.read, or `scopes`); wire `client.target.bind`
        as the runtime's on_server_bound."""
        return cls(OrganizationTarget(settings), _RenewedToken(settings, service, scopes), **options)

    # ------------------------------------------------------------ reads

    def get_tenant(self, tenant: str) -> DirectoryTenant | None:
        found = self._call("GetTenant", pb.GetTenantRequest(name=tenant_name(tenant)))
        return None if found is None else DirectoryTenant.from_proto(found)

    def get_unit(self, tenant: str, unit_id: str) -> DirectoryUnit | None:
        found = self._call("GetUnit", pb.GetUnitRequest(name=UNITS.name(tenant, unit_id)))
        return None if found is None else DirectoryUnit.from_proto(found)

    def get_member(self, tenant: str, member_id: str) -> DirectoryMember | None:
        found = self._call("GetMember", pb.GetMemberRequest(name=MEMBERS.name(tenant, member_id)))
        return None if found is None else DirectoryMember.from_proto(found)

    def member_phone(self, tenant: str, member_id: str) -> str | None:
        """A member's mobile as the organization answers it to this account (masked unless the
        account holds org.phone); "" when none is on record, None when the member is unknown."""
        found = self._call("GetMember", pb.GetMemberRequest(name=MEMBERS.name(tenant, member_id)))
        return None if found is None else found.phone

    def list_units(self, tenant: str) -> Iterator[DirectoryUnit]:
        """Every unit of the county, archived and merged ones too."""
        request = pb.ListUnitsRequest(parent=tenant_name(tenant), page_size=self.page_size, show_inactive=True)
        for unit in self._pages("ListUnits", request, "units"):
            yield DirectoryUnit.from_proto(unit)

    def list_members(self, tenant: str) -> Iterator[DirectoryMember]:
        """Every member of the county, transferred-out ones too."""
        request = pb.ListMembersRequest(parent=tenant_name(tenant), page_size=self.page_size,
                                     show_transferred=True)
        for member in self._pages("ListMembers", request, "members"):
            yield DirectoryMember.from_proto(member)

    def list_posts(self, tenant: str, unit_id: str) -> Iterator[DirectoryPost]:
        """The current posts of one unit (ListPosts takes a unit or a member, not the county)."""
        request = pb.ListPostsRequest(parent=tenant_name(tenant), unit=UNITS.name(tenant, unit_id),
                                      page_size=self.page_size)
        for post in self._pages("ListPosts", request, "posts"):
            yield DirectoryPost.from_proto(post)

    def close(self) -> None:
        with self._lock:
            if self._channel is not None:
                self._channel.close()
            self._channel = self._stub = None

    # ------------------------------------------------------------ transport

    def _pages(self, method: str, request, field: str) -> Iterator:
        while True:
            page = self._call(method, request)
            if page is None:  # the county or unit is gone: nothing to list
                return
            yield from getattr(page, field)
            if not page.next_page_token:
                return
            request.page_token = page.next_page_token

    def _stub_for_call(self) -> pb_grpc.OrganizationServiceStub:
        with self._lock:
            if self._stub is None:
                target = self.target() if callable(self.target) else self.target
                self._channel = balanced_channel(target)
                self._stub = pb_grpc.OrganizationServiceStub(self._channel)
            return self._stub

    def _call(self, method: str, request):
        """One RPC with a deadline, retried on UNAVAILABLE; None for NOT_FOUND (or a name the
        organization cannot parse, which names nothing it holds)."""
        attempt = 1
        while True:
            try:
                return getattr(self._stub_for_call(), method)(
                    request, timeout=self.deadline, metadata=[("authorization", f"Bearer {self._token()}")])
            except grpc.RpcError as err:
                code = err.code()
                if code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                    return None
                if code is not grpc.StatusCode.UNAVAILABLE or attempt >= self.attempts:
                    raise _failure(method, err, attempt) from None
            time.sleep(self.backoff * 2 ** (attempt - 1))
            attempt += 1


def _failure(method: str, err: grpc.RpcError, attempts: int) -> Unavailable | FailedPrecondition:
    code, detail = err.code(), err.details() or ""
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return Unavailable(
            "ORGANIZATION_UNAVAILABLE",
            f"组织服务暂不可用（{method}，已尝试{attempts}次），请稍后重试",
            f"the organization service is unavailable ({method}: {code.name} after {attempts} attempt(s): "
            f"{detail}); retry later", {"method": method})
    # The organization refused this service's account: a deployment to fix, not the caller's request.
    return FailedPrecondition(
        "ORGANIZATION_REFUSED", f"组织服务拒绝了本服务的调用（{method}：{code.name}）",
        f"the organization service refused this service's call ({method}: {code.name}: {detail})",
        {"method": method})
