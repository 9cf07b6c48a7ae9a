"""Who may call each AssessmentService RPC. Anything not listed is refused (default deny).

One block of Rules per concern (schemes, rounds, results, cases), in both tables.
"""

from __future__ import annotations

from services.common.auth import Role
from services.common.policy import ADMINS, READERS, Clerk, Rule, with_clerks

SERVICE = "partybuilding.assessment.v1.AssessmentService"
OPERATOR = frozenset({Role.OPERATOR})
# A scheme's lists hold at most bounds.MAX_ITEMS each; the 50 items of 五个好 fit the default.

_RULES: dict[str, Rule] = {
    # ---- Schemes: the county decides how it assesses; everyone who may read the county may read them.
    "CreateScheme": Rule(ADMINS, write=True, tenant_field="parent"),
    "GetScheme": Rule(READERS, scope="assessment.read", tenant_field="name"),
    "ListSchemes": Rule(READERS, scope="assessment.read", tenant_field="parent"),
    "UpdateScheme": Rule(ADMINS, write=True, tenant_field="scheme.name"),
    "PublishScheme": Rule(ADMINS, write=True, tenant_field="name"),
    "ListSchemeRevisions": Rule(READERS, scope="assessment.read", tenant_field="parent"),
    "GetSchemeRevision": Rule(READERS, scope="assessment.read", tenant_field="name"),
    "ListSchemeTemplates": Rule(READERS, scope="assessment.read"),

    # ---- Rounds

    # ---- Results: everyone who may read the county reads results (a clerk its subtree's);
    # a preview is the county's tool for weighing a scheme change.
    "GetResult": Rule(READERS, scope="assessment.read", tenant_field="name"),
    "ListResults": Rule(READERS, scope="assessment.read", tenant_field="parent"),
    "ExportResults": Rule(READERS, scope="assessment.read", tenant_field="parent"),
    "PreviewResults": Rule(ADMINS, tenant_field="round"),

    # ---- Rectification

    # ---- Directory
    "ResyncDirectory": Rule(OPERATOR, write=True, tenant_field="parent"),
}

# The clerk's rights, one row per RPC; an RPC not listed is NEVER. SUBTREE_* calls are confined by
# service_layer/scope.py to the subtree of the unit the clerk's token names.
CLERK: dict[str, Clerk] = {
    # ---- Schemes are county-wide reading for a clerk, never theirs to write.
    "CreateScheme": Clerk.NEVER,
    "GetScheme": Clerk.COUNTY_READ,
    "ListSchemes": Clerk.COUNTY_READ,
    "UpdateScheme": Clerk.NEVER,
    "PublishScheme": Clerk.NEVER,
    "ListSchemeRevisions": Clerk.COUNTY_READ,
    "GetSchemeRevision": Clerk.COUNTY_READ,
    "ListSchemeTemplates": Clerk.COUNTY_READ,

    # ---- Rounds

    # ---- Results: a clerk reads the results of the targets in its subtree; never previews.
    "GetResult": Clerk.SUBTREE_READ,
    "ListResults": Clerk.SUBTREE_READ,
    "ExportResults": Clerk.SUBTREE_READ,
    "PreviewResults": Clerk.NEVER,

    # ---- Rectification

    # ---- Directory
    "ResyncDirectory": Clerk.NEVER,
}

POLICY: dict[str, Rule] = with_clerks(SERVICE, _RULES, CLERK)
