"""Authentication (JWT) and the default-deny policy, without a server."""

from __future__ import annotations

import time
from types import SimpleNamespace

import jwt
import pytest

from services.common.auth import Principal, Role, TokenVerifier, mint_token
from services.common.errors import PermissionDenied, Unauthenticated
from services.common.policy import Rule, authorize
from services.organization.entrypoints.policy import POLICY, SERVICE

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"


def verify(header):
    return TokenVerifier(SECRET).verify(header)


def reason_of(header) -> str:
    with pytest.raises(Unauthenticated) as info:
        verify(header)
    assert info.value.zh and info.value.en
    return info.value.reason


def test_good_token_becomes_a_principal():
    tok = mint_token(SECRET, role="clerk", tenants=["610222"], subject="li", unit="tenants/610222/units/u-1",
                     scopes=["org.read"])
    p = verify(f"Bearer {tok}")
    assert p == Principal("li", Role.CLERK, frozenset({"610222"}), "tenants/610222/units/u-1", frozenset({"org.read"}))


def test_bad_tokens_say_why():
    assert reason_of(None) == "MISSING_CREDENTIALS"
    assert reason_of("") == "MISSING_CREDENTIALS"
    assert reason_of("Token abc") == "MALFORMED_CREDENTIALS"
    assert reason_of("Bearer ") == "MALFORMED_CREDENTIALS"
    assert reason_of("Bearer abc.def") == "INVALID_TOKEN"
    expired = mint_token(SECRET, role="operator", tenants=["*"], ttl_seconds=10, issued_at=time.time() - 100)
    assert reason_of(f"Bearer {expired}") == "TOKEN_EXPIRED"
    forged = mint_token(SECRET + "-other", role="operator", tenants=["*"])
    assert reason_of(f"Bearer {forged}") == "INVALID_TOKEN"
    no_exp = jwt.encode({"sub": "x", "role": "operator"}, SECRET, algorithm="HS256")
    assert reason_of(f"Bearer {no_exp}") == "INVALID_TOKEN"
    none_alg = jwt.encode({"sub": "x", "role": "operator", "exp": int(time.time()) + 60}, None, algorithm="none")
    assert reason_of(f"Bearer {none_alg}") == "INVALID_TOKEN"
    assert reason_of(f"Bearer {mint_token(SECRET, role='king', tenants=['610222'])}") == "UNKNOWN_ROLE"
    assert reason_of(f"Bearer {mint_token(SECRET, role='city', tenants=['*'])}") == "INVALID_TOKEN"


def test_city_token_reads_its_counties_only():
    city = Principal("c", Role.CITY, frozenset({"610200"}))
    assert city.may_read_tenant("610222") and city.may_read_tenant("610203")
    assert not city.may_read_tenant("610322")
    assert not city.may_write_tenant("610222")
    assert not city.sees_personal_data
    with pytest.raises(PermissionDenied):
        city.check_name("tenants/610222/units/u-1", write=True)
    city.check_name("tenants/610222/units/u-1", write=False)


def test_personal_data_visibility():
    assert Principal("a", Role.COUNTY_ADMIN, frozenset({"610222"})).sees_personal_data
    assert Principal("a", Role.CLERK, frozenset({"610222"})).sees_personal_data
    assert not Principal("a", Role.OPERATOR, frozenset({"*"})).sees_personal_data
    assert not Principal("a", Role.SYSTEM, frozenset({"610222"}), scopes=frozenset({"org.read"})).sees_personal_data
    assert Principal("a", Role.SYSTEM, frozenset({"610222"}), scopes=frozenset({"org.pii"})).sees_personal_data


def test_policy_is_default_deny():
    admin = Principal("a", Role.COUNTY_ADMIN, frozenset({"610222"}))
    with pytest.raises(PermissionDenied) as info:
        authorize(admin, None, "DropEverything", SimpleNamespace())
    assert info.value.reason == "METHOD_NOT_ALLOWED"
    assert POLICY.get(f"/{SERVICE}/DropEverything") is None


def test_policy_checks_role_scope_write_and_tenant():
    rule = Rule(frozenset({Role.COUNTY_ADMIN, Role.SYSTEM, Role.CITY}), scope="org.write", write=True, tenant_field="parent")
    request = SimpleNamespace(parent="tenants/610222")
    authorize(Principal("a", Role.COUNTY_ADMIN, frozenset({"610222"})), rule, "M", request)
    cases = [
        (Principal("a", Role.CLERK, frozenset({"610222"})), "METHOD_NOT_ALLOWED"),
        (Principal("s", Role.SYSTEM, frozenset({"610222"}), scopes=frozenset({"org.read"})), "SCOPE_MISSING"),
        (Principal("c", Role.CITY, frozenset({"610200"})), "READ_ONLY"),
        (Principal("a", Role.COUNTY_ADMIN, frozenset({"610223"})), "TENANT_ACCESS_DENIED"),
    ]
    for who, reason in cases:
        with pytest.raises(PermissionDenied) as info:
            authorize(who, rule, "M", request)
        assert info.value.reason == reason


def test_every_rpc_has_a_rule():
    from partybuilding.organization.v1 import organization_service_pb2 as pb

    methods = {f"/{SERVICE}/{m.name}" for m in pb.DESCRIPTOR.services_by_name["OrganizationService"].methods}
    assert methods == set(POLICY)
    for name, rule in POLICY.items():
        if rule.write:
            assert Role.CITY not in rule.roles, name


def _signed(**claims) -> str:
    body = {"sub": "li", "role": "county_admin", "tenants": ["610222"], "exp": int(time.time()) + 60, **claims}
    return f"Bearer {jwt.encode(body, SECRET, algorithm='HS256')}"


@pytest.mark.parametrize("claims", [
    {"tenants": 610222}, {"tenants": "610222"}, {"tenants": [610222]}, {"tenants": [["610222"]]},
    {"tenants": ["610222\n"]}, {"tenants": ["x" * 5000]}, {"tenants": ["610222"] * 5000},
    {"scopes": 7}, {"scopes": "org.pii"}, {"scopes": [{"a": 1}]},
    {"unit": ["tenants/610222/units/u-1"]}, {"unit": 5}, {"unit": "tenants/610222/units/u-1\x00"},
    {"role": ["county_admin"]}, {"role": 3}, {"role": None},
    {"sub": "x" * 101}, {"sub": "li\x00"}, {"sub": "li\nroot"}, {"sub": ""}, {"sub": 5}, {"sub": ["li"]},
], ids=repr)
def test_signed_tokens_with_claims_of_the_wrong_shape_are_unauthenticated(claims):
    with pytest.raises(Unauthenticated) as info:
        verify(_signed(**claims))
    assert info.value.reason in ("INVALID_TOKEN_CLAIM", "INVALID_TOKEN", "UNKNOWN_ROLE")
    assert info.value.zh and info.value.en


def test_a_subject_of_one_hundred_characters_is_fine():
    assert verify(_signed(sub="系" * 100)).subject == "系" * 100
