"""Who may call each PointsService RPC. Anything not listed is refused (default deny).

The ledger's and the exchange's rows are added in their sections of both tables.
"""

from __future__ import annotations

from services.common.auth import Role
from services.common.policy import ADMINS, READERS, WRITERS, Clerk, Rule, with_clerks

SERVICE = "partybuilding.points.v1.PointsService"
OPERATOR = frozenset({Role.OPERATOR})
# A rule set carries up to 200 rules (rule_sets.MAX_RULES), more than the default bound of 100.
RULE_SET_ITEMS = 200
# Ledger: entries are recorded by county staff and other systems (scope points.write), decided
# and reversed by county staff; a batch is one meeting's attendance of up to 1,000 members.
LEDGER_WRITERS = frozenset({Role.OPERATOR, Role.COUNTY_ADMIN, Role.CLERK, Role.SYSTEM})
DECIDERS = frozenset({Role.OPERATOR, Role.COUNTY_ADMIN, Role.CLERK})
BATCH_ITEMS = 1000

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
    # Ledger: county staff and other systems record; who may record a rule is the rule's
    # recorder_roles (checked by the use case); a batch carries up to 1,000 members.
    "RecordEntry": Rule(LEDGER_WRITERS, scope="points.write", write=True, tenant_field="parent"),
    "BatchRecordEntries": Rule(LEDGER_WRITERS, scope="points.write", write=True, tenant_field="parent",
                               max_items=BATCH_ITEMS),
    "ApproveEntry": Rule(DECIDERS, write=True, tenant_field="name"),
    "RejectEntry": Rule(DECIDERS, write=True, tenant_field="name"),
    "ReverseEntry": Rule(DECIDERS, write=True, tenant_field="name"),
    "GetBalance": Rule(READERS, scope="points.read", tenant_field="member"),
    "ListEntries": Rule(READERS, scope="points.read", tenant_field="parent"),
    "GetStandings": Rule(READERS, scope="points.read", tenant_field="parent"),
    "GetUnitSummary": Rule(READERS, scope="points.read", tenant_field="parent"),
    "VerifyLedger": Rule(ADMINS, tenant_field="parent"),

    # Exchange (爱心超市): the county and the clerks of a store's village keep its shelf; the
    # clerk at the counter (or a store's own system) redeems for members they serve.
    "CreateStore": Rule(ADMINS, write=True, tenant_field="parent"),
    "ListStores": Rule(READERS, scope="points.read", tenant_field="parent"),
    "CreateGoods": Rule(ADMINS, write=True, tenant_field="parent"),
    "UpdateGoods": Rule(ADMINS, write=True, tenant_field="goods.name"),
    "RestockGoods": Rule(ADMINS, write=True, tenant_field="name"),
    "ListGoods": Rule(READERS, scope="points.read", tenant_field="parent"),
    "GetWallet": Rule(READERS, scope="points.read", tenant_field="member"),
    # The goods' county is checked by the servicer, before validation, as this rule checks the member's.
    "Redeem": Rule(WRITERS, scope="points.write", write=True, tenant_field="member"),
    "ListRedemptions": Rule(READERS, scope="points.read", tenant_field="parent"),
    "CancelRedemption": Rule(ADMINS, write=True, tenant_field="name"),

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
    # Ledger: a clerk records, decides and reads for the members of their subtree only.
    "RecordEntry": Clerk.SUBTREE_WRITE,
    "BatchRecordEntries": Clerk.SUBTREE_WRITE,
    "ApproveEntry": Clerk.SUBTREE_WRITE,
    "RejectEntry": Clerk.SUBTREE_WRITE,
    "ReverseEntry": Clerk.SUBTREE_WRITE,
    "GetBalance": Clerk.SUBTREE_READ,
    "ListEntries": Clerk.SUBTREE_READ,
    "GetStandings": Clerk.SUBTREE_READ,
    "GetUnitSummary": Clerk.SUBTREE_READ,
    "VerifyLedger": Clerk.NEVER,

    # Exchange: a store's shelf and counter are its village's; the catalogue holds no personal data.
    "CreateStore": Clerk.SUBTREE_WRITE,
    "ListStores": Clerk.COUNTY_READ,
    "CreateGoods": Clerk.SUBTREE_WRITE,
    "UpdateGoods": Clerk.SUBTREE_WRITE,
    "RestockGoods": Clerk.SUBTREE_WRITE,
    "ListGoods": Clerk.COUNTY_READ,
    "GetWallet": Clerk.SUBTREE_READ,
    "Redeem": Clerk.SUBTREE_WRITE,
    "ListRedemptions": Clerk.SUBTREE_READ,
    "CancelRedemption": Clerk.SUBTREE_WRITE,

    # Directory
    "ResyncDirectory": Clerk.NEVER,
}

POLICY: dict[str, Rule] = with_clerks(SERVICE, _RULES, CLERK)
