"""The results' policy, cell by cell: who may call each results RPC at all (the use cases then
confine a clerk to the results of its subtree's targets)."""

from types import SimpleNamespace

import pytest

from services.assessment.entrypoints.policy import POLICY, SERVICE
from services.common.auth import Principal, Role
from services.common.errors import PermissionDenied
from services.common.policy import authorize

CODE = "610222"
WHO = {
    "operator": Principal("op", Role.OPERATOR, frozenset({"*"})),
    "county": Principal("admin", Role.COUNTY_ADMIN, frozenset({CODE})),
    "other county": Principal("admin", Role.COUNTY_ADMIN, frozenset({"610223"})),
    "clerk": Principal("clerk", Role.CLERK, frozenset({CODE}), unit=f"tenants/{CODE}/units/u-1"),
    "city": Principal("city", Role.CITY, frozenset({"610200"})),
    "other city": Principal("city", Role.CITY, frozenset({"610300"})),
    "system": Principal("svc", Role.SYSTEM, frozenset({CODE}), scopes=frozenset({"assessment.read"})),
    "system without scope": Principal("svc", Role.SYSTEM, frozenset({CODE})),
}
ROUND = f"tenants/{CODE}/rounds/r-1"
READERS = {"operator", "county", "clerk", "city", "system"}
# method: (request field and value, who may call it)
TABLE = {
    "GetResult": (("name", f"{ROUND}/results/u-2"), READERS),
    "ListResults": (("parent", ROUND), READERS),
    "ExportResults": (("parent", ROUND), READERS),
    # A what-if of a scheme change is the county's own tool: not a clerk's, not the city's.
    "PreviewResults": (("round", ROUND), {"operator", "county"}),
}


@pytest.mark.parametrize("method", sorted(TABLE))
@pytest.mark.parametrize("who", sorted(WHO))
def test_each_results_rpc_admits_exactly_its_callers(method, who):
    (field, value), allowed = TABLE[method]
    rule = POLICY[f"/{SERVICE}/{method}"]
    request = SimpleNamespace(**{field: value})
    if who in allowed:
        authorize(WHO[who], rule, method, request)
    else:
        with pytest.raises(PermissionDenied):
            authorize(WHO[who], rule, method, request)


def test_no_results_rpc_writes():
    assert not any(POLICY[f"/{SERVICE}/{method}"].write for method in TABLE)
