"""Rule(city_writes=True): the one kind of write a city token makes (市级复核), inside its counties."""

from types import SimpleNamespace

import pytest

from services.common.auth import Principal, Role
from services.common.errors import PermissionDenied
from services.common.policy import READERS, Rule, authorize

CITY = Principal("city", Role.CITY, frozenset({"610200"}))
RECHECK = Rule(READERS, write=True, city_writes=True, tenant_field="name")
OTHER_WRITE = Rule(READERS, write=True, tenant_field="name")


def request(tenant):
    return SimpleNamespace(name=f"tenants/{tenant}/rounds/r-1")


def refusal(who, rule, req):
    with pytest.raises(PermissionDenied) as info:
        authorize(who, rule, "M", req)
    return info.value.reason


def test_a_city_writes_through_a_city_writes_rule_in_its_own_counties():
    authorize(CITY, RECHECK, "M", request("610222"))
    authorize(CITY, RECHECK, "M", request("610203"))


def test_a_city_never_writes_in_another_citys_county():
    assert refusal(CITY, RECHECK, request("610322")) == "TENANT_ACCESS_DENIED"


def test_every_other_write_stays_read_only_for_a_city():
    assert refusal(CITY, OTHER_WRITE, request("610222")) == "READ_ONLY"


def test_city_writes_changes_nothing_for_the_other_roles():
    county = Principal("admin", Role.COUNTY_ADMIN, frozenset({"610222"}))
    authorize(county, RECHECK, "M", request("610222"))
    assert refusal(county, RECHECK, request("610223")) == "TENANT_ACCESS_DENIED"


def test_a_city_writes_rule_still_needs_the_city_role_listed():
    county_only = Rule(frozenset({Role.COUNTY_ADMIN}), write=True, city_writes=True, tenant_field="name")
    assert refusal(CITY, county_only, request("610222")) == "METHOD_NOT_ALLOWED"
