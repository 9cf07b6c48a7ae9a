"""The rounds' policy, cell by cell: who may call each rounds RPC at all (the use cases then check
the stage, the subtree and the county)."""

from types import SimpleNamespace

import pytest

from services.assessment.entrypoints.policy import POLICY, SERVICE
from services.common.auth import Principal, Role
from services.common.errors import PermissionDenied
from services.common.policy import authorize

CODE = "610222"
WHO = {
    "county": Principal("admin", Role.COUNTY_ADMIN, frozenset({CODE})),
    "clerk": Principal("clerk", Role.CLERK, frozenset({CODE}), unit=f"tenants/{CODE}/units/u-1"),
    "city": Principal("city", Role.CITY, frozenset({"610200"})),
    "system": Principal("svc", Role.SYSTEM, frozenset({CODE}), scopes=frozenset({"assessment.read"})),
}
ROUND = f"tenants/{CODE}/rounds/r-1"
TARGET = f"{ROUND}/targets/u-2"
# method: (request field, who may call it)
TABLE = {
    "CreateRound": ("parent", {"county"}),
    "GetRound": ("name", {"county", "clerk", "city", "system"}),
    "ListRounds": ("parent", {"county", "clerk", "city", "system"}),
    "ListRoundTargets": ("parent", {"county", "clerk", "city", "system"}),
    "SubmitScores": ("target", {"county", "clerk", "city"}),
    "RecordNegativeItem": ("target", {"county", "clerk", "city"}),
    "WithdrawNegativeItem": ("target", {"county", "clerk", "city"}),
    "AdvanceRound": ("name", {"county", "city"}),
    "FileObjection": ("target", {"county", "clerk"}),
    "ResolveObjection": ("name", {"county"}),
    "ListObjections": ("parent", {"county", "clerk", "city", "system"}),
    "ListRoundEvents": ("parent", {"county", "clerk", "city", "system"}),
}


@pytest.mark.parametrize("method", sorted(TABLE))
@pytest.mark.parametrize("who", sorted(WHO))
def test_each_rounds_rpc_admits_exactly_its_callers(method, who):
    field, allowed = TABLE[method]
    rule = POLICY[f"/{SERVICE}/{method}"]
    request = SimpleNamespace(**{field: {"parent": ROUND, "name": ROUND, "target": TARGET}[field]})
    if who in allowed:
        authorize(WHO[who], rule, method, request)
    else:
        with pytest.raises(PermissionDenied):
            authorize(WHO[who], rule, method, request)


def test_a_city_writes_only_where_the_rule_says_so():
    city_writes = {method for method in TABLE if POLICY[f"/{SERVICE}/{method}"].city_writes}
    assert city_writes == {"SubmitScores", "RecordNegativeItem", "WithdrawNegativeItem", "AdvanceRound"}
    assert not any(rule.city_writes for name, rule in POLICY.items() if name.rsplit("/", 1)[-1] not in TABLE)
