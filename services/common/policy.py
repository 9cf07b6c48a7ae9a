"""Default-deny authorization: each RPC names who may call it; anything unnamed is refused."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from services.common.auth import ALL_ROLES, Principal, Role
from services.common.bounds import MAX_ITEMS
from services.common.errors import PermissionDenied

READERS = ALL_ROLES
WRITERS = frozenset({Role.OPERATOR, Role.COUNTY_ADMIN, Role.CLERK, Role.SYSTEM})
ADMINS = frozenset({Role.OPERATOR, Role.COUNTY_ADMIN})


@dataclass(frozen=True)
class Rule:
    """Who may call one RPC.

    roles: the roles allowed at all. scope: what a system account must hold.
    write: whether the call changes data (city tokens are read-only).
    city_writes: a write a city token may make all the same, inside its counties (市级复核: the
    city re-checks a county's round); the use case decides where, e.g. only in a stage whose
    actors include the city. Every other write stays read-only for a city.
    tenant_field: dotted path of the request field holding a resource name whose tenant
    must be one the caller may see; checked before any validation of the request.
    max_items: the most items any repeated field of the request may hold (services/common/bounds.py).
    """

    roles: frozenset[Role]
    scope: str | None = None
    write: bool = False
    city_writes: bool = False
    tenant_field: str | None = None
    max_items: int = MAX_ITEMS


def request_field(message, path: str) -> str:
    """The value at a dotted path of a request, e.g. the resource name a Rule's tenant_field names."""
    for part in path.split("."):
        message = getattr(message, part)
    return message


def authorize(principal: Principal, rule: Rule | None, method: str, request) -> None:
    """Raise PERMISSION_DENIED unless the rule lets this principal make this request."""
    if rule is None or principal.role not in rule.roles:
        raise PermissionDenied(
            "METHOD_NOT_ALLOWED",
            f"角色 {principal.role.value} 无权调用 {method}",
            f"role {principal.role.value} may not call {method}",
            {"method": method},
        )
    if principal.role is Role.SYSTEM and rule.scope and rule.scope not in principal.scopes:
        raise PermissionDenied(
            "SCOPE_MISSING",
            f"系统账号缺少权限范围 {rule.scope}",
            f"system account lacks scope {rule.scope}",
            {"scope": rule.scope},
        )
    city_writing = principal.role is Role.CITY and rule.city_writes
    if rule.write and principal.role is Role.CITY and not city_writing:
        raise PermissionDenied("READ_ONLY", "市级账号只读", "city accounts are read-only")
    if rule.tenant_field:
        # A city writes where it reads: in the counties of its city, never in another city's.
        principal.check_name(request_field(request, rule.tenant_field), rule.write and not city_writing)


def check_names_visible(principal: Principal, *names: str, write: bool) -> None:
    """Every resource name a request carries besides its rule's tenant_field is of a county the
    caller may act in: another county's unit is PERMISSION_DENIED, before validation."""
    for name in names:
        if name:
            principal.check_name(name, write)


class Clerk(enum.Enum):
    """What a clerk (党务工作者, the token's `unit` claim names their subtree) may do with one RPC."""

    COUNTY_READ = "reads the whole county"
    SUBTREE_READ = "reads inside the subtree only"
    SUBTREE_WRITE = "writes inside the subtree only"
    # A unit's own business (签收, its report, its inbox): the clerk acts for the unit the token
    # names, not for the units below it (services/common/clerks.py: check_own_unit).
    OWN_UNIT = "acts for the unit the token names only"
    NEVER = "never: the county's (or the operator's) decision"


def with_clerks(service: str, rules: dict[str, Rule], clerk: dict[str, Clerk]) -> dict[str, Rule]:
    """A service's POLICY: each RPC's rule with clerks admitted exactly when its clerk table says
    they may call it (an RPC the table does not list is NEVER). The use cases confine SUBTREE_*
    calls to the clerk's subtree."""
    def admit(method: str, rule: Rule) -> Rule:
        others = rule.roles - {Role.CLERK}
        return replace(rule, roles=others if clerk.get(method, Clerk.NEVER) is Clerk.NEVER else others | {Role.CLERK})

    return {f"/{service}/{method}": admit(method, rule) for method, rule in rules.items()}
