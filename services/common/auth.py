"""Who is calling: JWT bearer tokens verified with PyJWT, turned into a Principal.

Claims: sub, role, tenants (county codes; a city token names its city; "*" for an operator),
unit (a clerk's subtree root), scopes (system accounts), exp.
"""

from __future__ import annotations

import enum
import re
import time
from collections import OrderedDict
from dataclasses import dataclass

import jwt

from services.common.config import split_public_keys
from services.common.errors import PermissionDenied, Unauthenticated
from services.common.tenancy import ALL_TENANTS, TENANT_CODE, city_of, tenant_name, tenant_of
from services.common.text import text_problem


class Role(enum.StrEnum):
    OPERATOR = "operator"  # 平台运营方
    CITY = "city"  # 市委组织部, read-only over its counties
    COUNTY_ADMIN = "county_admin"  # 县委组织部
    CLERK = "clerk"  # 乡镇/工作站/村党务工作者, limited to a subtree
    SYSTEM = "system"  # another government system, limited by scopes


ALL_ROLES = frozenset(Role)
_UNIT_NAME = re.compile(r"tenants/[1-9][0-9]{5}/units/[0-9a-z-]{1,40}")


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    tenants: frozenset[str]
    unit: str | None = None
    scopes: frozenset[str] = frozenset()

    @classmethod
    def operator(cls, subject: str) -> Principal:
        """The platform acting on its own behalf (jobs, demo data, benchmarks): an operator of every county."""
        return cls(subject, Role.OPERATOR, frozenset({ALL_TENANTS}))

    @property
    def all_tenants(self) -> bool:
        return "*" in self.tenants

    def may_read_tenant(self, code: str) -> bool:
        if self.all_tenants:
            return True
        if self.role is Role.CITY:
            return city_of(code) in self.tenants
        return code in self.tenants

    def may_write_tenant(self, code: str) -> bool:
        return self.role is not Role.CITY and self.may_read_tenant(code)

    @property
    def sees_personal_data(self) -> bool:
        """ID numbers and phones in clear: county staff, and systems granted org.pii."""
        if self.role in (Role.COUNTY_ADMIN, Role.CLERK):
            return True
        return self.role is Role.SYSTEM and "org.pii" in self.scopes

    @property
    def sees_phones(self) -> bool:
        """Phones in clear (not ID numbers): whoever sees personal data, and systems granted
        org.phone, the narrowest right notify's SMS needs to text a member."""
        return self.sees_personal_data or (self.role is Role.SYSTEM and "org.phone" in self.scopes)

    def check_tenant(self, code: str, write: bool) -> None:
        """Raise PERMISSION_DENIED when this principal may not touch the tenant."""
        ok = self.may_write_tenant(code) if write else self.may_read_tenant(code)
        if not ok:
            raise tenant_denied(code)

    def check_name(self, name: str, write: bool) -> None:
        code = tenant_of(name)
        if code is not None:
            self.check_tenant(code, write)


def tenant_denied(code: str) -> PermissionDenied:
    return PermissionDenied(
        "TENANT_ACCESS_DENIED",
        f"无权访问 {tenant_name(code)}（或该资源不存在）",
        f"permission denied on {tenant_name(code)} (or it might not exist)",
        {"tenant": code},
    )


class TokenVerifier:
    """Verifies HS256 (dev secret) or RS256 (production public keys) tokens, with a small cache.

    `public_key` may hold several PEM keys: a token signed by any of them is accepted, which is
    how the signing key rotates without downtime (the new key is added, tokens move to it, the
    old one is removed). The cache keys on the token string and honours `exp`, so a hot client
    pays for one signature check per token, not per call.
    """

    def __init__(self, secret: str | None = None, public_key: str | None = None, cache_size: int = 4096):
        if public_key:
            self._keys, self._algorithms = split_public_keys(public_key) or [public_key], ["RS256"]
        else:
            self._keys, self._algorithms = [secret], ["HS256"]
        self._cache: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._cache_size = cache_size

    def verify(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthenticated(
                "MISSING_CREDENTIALS",
                "缺少 authorization 元数据（Bearer 令牌）",
                "missing authorization metadata: send 'authorization: Bearer <JWT>'",
            )
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated(
                "MALFORMED_CREDENTIALS",
                "authorization 应为 'Bearer <令牌>'",
                "authorization must be 'Bearer <token>'",
            )
        hit = self._cache.get(token)
        now = time.time()
        if hit is not None and hit[0] > now:
            return hit[1]
        principal, exp = self._decode(token)
        self._cache[token] = (exp, principal)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal

    def _decode(self, token: str) -> tuple[Principal, float]:
        try:
            claims = self._claims(token)
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("TOKEN_EXPIRED", "令牌已过期，请重新获取", "the token has expired; get a new one") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(
                "INVALID_TOKEN", f"令牌无效：{exc}", f"the token is not valid: {exc}"
            ) from None
        principal = principal_from_claims(claims)
        return principal, float(claims["exp"])

    def _claims(self, token: str) -> dict:
        """The claims under the first key whose signature matches; the last key's error otherwise."""
        for key in self._keys[:-1]:
            try:
                return jwt.decode(token, key, algorithms=self._algorithms, options={"require": ["sub", "role", "exp"]})
            except jwt.InvalidSignatureError:
                continue
        return jwt.decode(token, self._keys[-1], algorithms=self._algorithms,
                          options={"require": ["sub", "role", "exp"]})


SUBJECT_MAX = 100  # recorded as the actor of every history entry
_LIST_MAX = 1000  # tenants or scopes one token may name


def _bad_claim(claim: str, zh: str, en: str) -> Unauthenticated:
    return Unauthenticated("INVALID_TOKEN_CLAIM", f"令牌声明 {claim} {zh}", f"the token's {claim!r} claim {en}",
                           {"claim": claim})


def _strings(claims: dict, claim: str) -> frozenset[str]:
    """A claim that lists names: absent, or a JSON array of short strings."""
    value = claims.get(claim, [])
    if not isinstance(value, list) or len(value) > _LIST_MAX:
        raise _bad_claim(claim, f"应为不超过{_LIST_MAX}项的字符串数组", f"must be an array of at most {_LIST_MAX} strings")
    for item in value:
        if not isinstance(item, str) or not item or text_problem(item, max_len=100):
            raise _bad_claim(claim, "只能包含非空的普通字符串", f"must hold only plain non-empty strings, not {item!r:.40}")
    return frozenset(value)


def principal_from_claims(claims: dict) -> Principal:
    """The caller a verified token names; a claim of the wrong type or shape is UNAUTHENTICATED, never a crash."""
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject.strip() or text_problem(subject, max_len=SUBJECT_MAX):
        raise _bad_claim("sub", f"应为不超过{SUBJECT_MAX}个字符的普通字符串",
                         f"must be a non-empty plain string of at most {SUBJECT_MAX} characters")
    if not isinstance(claims["role"], str):
        raise _bad_claim("role", "应为字符串", "must be a string")
    try:
        role = Role(claims["role"])
    except ValueError:
        raise Unauthenticated(
            "UNKNOWN_ROLE", f"未知角色：{claims['role']:.40}", f"unknown role in token: {claims['role']:.40}"
        ) from None
    tenants = _strings(claims, "tenants")
    if any(code != "*" and not TENANT_CODE.fullmatch(code) for code in tenants):
        raise _bad_claim("tenants", "只能包含6位区划代码或 *", "must hold only 6-digit division codes or '*'")
    if "*" in tenants and role not in (Role.OPERATOR, Role.SYSTEM):
        raise Unauthenticated("INVALID_TOKEN", "只有运营方可访问全部县", "only an operator may name every tenant ('*')")
    unit = claims.get("unit")
    if unit is not None and not (isinstance(unit, str) and _UNIT_NAME.fullmatch(unit)):
        raise _bad_claim("unit", "应为组织资源名 tenants/{县}/units/{id}", "must be a unit name tenants/{code}/units/{id}")
    return Principal(subject=subject, role=role, tenants=tenants, unit=unit, scopes=_strings(claims, "scopes"))


def mint_token(
    secret: str,
    *,
    role: str,
    tenants: list[str],
    subject: str = "dev",
    unit: str | None = None,
    scopes: list[str] | None = None,
    ttl_seconds: int = 12 * 3600,
    issued_at: float | None = None,
) -> str:
    """An HS256 token for development and tests (pbctl dev-token)."""
    now = time.time() if issued_at is None else issued_at
    claims: dict = {"sub": subject, "role": role, "tenants": tenants, "iat": int(now), "exp": int(now + ttl_seconds)}
    if unit:
        claims["unit"] = unit
    if scopes:
        claims["scopes"] = scopes
    return jwt.encode(claims, secret, algorithm="HS256")
