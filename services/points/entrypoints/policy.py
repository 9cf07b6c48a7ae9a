"""Who may call each PointsService RPC. Anything not listed is refused (default deny).

The ledger's and the exchange's rows are added in their sections of both tables.
"""

from __future__ import annotations

from services.common.auth import Role
from services.common.policy import ADMINS, READERS, Clerk, Rule, with_clerks

SERVICE = "partybuilding.points.v1.PointsService"
OPERATOR = frozenset({Role.OPERATOR})
# A rule set carries up to 200 rules (rule_sets.MAX_RULES), more than the default bound of 100.
RULE_SET_ITEMS = 200

_RULES: dict[str, Rule] = {
    # Rule sets: the county decides its rules; everyone who may read the county may read them.
    "CreateRuleSet": Rule(ADMINS, write=True, tenant_field="parent", max_items=RULE_SET_ITEMS),
    "GetRuleSet": Rule(READERS, scope="points.read", tenant_field="name"),
    "ListRuleSets": Rule(READERS, scope="points.read", tenant_field="parent"),
    "UpdateRuleSet": Rule(ADMINS, write=True, tenant_field="rule_set.name", max_items=RULE_SET_ITEMS),
    "PublishRuleSet": Rule(ADMINS, write=True, tenant_field="name"),
    "ListRuleSetRevisions": Rule(READERS, scope="points.read", tenant_field="parent"),
    "GetRuleSetRevision": Rule(READERS, scope="points.read", tenant_field="name"),
    "ListRuleSetTemplates": Rule(READERS, scope="points.read"),
    # Ledger

    # Exchange

    # Directory
    "ResyncDirectory": Rule(OPERATOR, write=True, tenant_field="parent"),
}

# The clerk's rights, one row per RPC; an RPC not listed is NEVER. SUBTREE_* calls are confined by
# service_layer/scope.py to the subtree of the unit the clerk's token names.
CLERK: dict[str, Clerk] = {
    "CreateRuleSet": Clerk.NEVER,
    "GetRuleSet": Clerk.COUNTY_READ,
    "ListRuleSets": Clerk.COUNTY_READ,
    "UpdateRuleSet": Clerk.NEVER,
    "PublishRuleSet": Clerk.NEVER,
    "ListRuleSetRevisions": Clerk.COUNTY_READ,
    "GetRuleSetRevision": Clerk.COUNTY_READ,
    "ListRuleSetTemplates": Clerk.COUNTY_READ,
    # Ledger

    # Exchange

    # Directory
    "ResyncDirectory": Clerk.NEVER,
}

POLICY: dict[str, Rule] = with_clerks(SERVICE, _RULES, CLERK)
