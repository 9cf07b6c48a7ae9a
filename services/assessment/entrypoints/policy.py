"""Who may call each AssessmentService RPC. Anything not listed is refused (default deny).

One block of Rules per concern (schemes, rounds, results, cases), in both tables.
"""

from __future__ import annotations

from services.common.auth import Role
from services.common.policy import ADMINS, READERS, Clerk, Rule, with_clerks

SERVICE = "partybuilding.assessment.v1.AssessmentService"
OPERATOR = frozenset({Role.OPERATOR})
READ_SCOPE = "assessment.read"
# Rounds: the county and the city write where a stage names them (checked by the use case);
# clerks are admitted by the clerk table below.
STAGE_ACTORS = frozenset({Role.OPERATOR, Role.COUNTY_ADMIN, Role.CITY})
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

    # ---- Rounds (考核轮次): the county runs them; a stage's actors score in it (the use case
    # checks the stage); the city writes only where its re-check stage lets it (city_writes).
    "CreateRound": Rule(ADMINS, write=True, tenant_field="parent"),
    "GetRound": Rule(READERS, scope=READ_SCOPE, tenant_field="name"),
    "ListRounds": Rule(READERS, scope=READ_SCOPE, tenant_field="parent"),
    "ListRoundTargets": Rule(READERS, scope=READ_SCOPE, tenant_field="parent"),
    "SubmitScores": Rule(STAGE_ACTORS, write=True, city_writes=True, tenant_field="target"),
    "RecordNegativeItem": Rule(STAGE_ACTORS, write=True, city_writes=True, tenant_field="target"),
    "WithdrawNegativeItem": Rule(STAGE_ACTORS, write=True, city_writes=True, tenant_field="target"),
    "AdvanceRound": Rule(STAGE_ACTORS, write=True, city_writes=True, tenant_field="name"),
    "FileObjection": Rule(ADMINS, write=True, tenant_field="target"),
    "ResolveObjection": Rule(ADMINS, write=True, tenant_field="name"),
    "ListObjections": Rule(READERS, scope=READ_SCOPE, tenant_field="parent"),
    "ListRoundEvents": Rule(READERS, scope=READ_SCOPE, tenant_field="parent"),

    # ---- Results: everyone who may read the county reads results (a clerk its subtree's);
    # a preview is the county's tool for weighing a scheme change.
    "GetResult": Rule(READERS, scope="assessment.read", tenant_field="name"),
    "ListResults": Rule(READERS, scope="assessment.read", tenant_field="parent"),
    "ExportResults": Rule(READERS, scope="assessment.read", tenant_field="parent"),
    "PreviewResults": Rule(ADMINS, tenant_field="round"),

    # ---- Rectification (问题台账): the county opens cases (a round's finalize opens those of weak
    # results); the unit's clerks report progress and ask for 销号; the inspection is the
    # work-station chief's or the county's (service_layer/case_access.check_station_chief).
    "CreateCase": Rule(ADMINS, write=True, tenant_field="parent"),
    "GetCase": Rule(READERS, scope="assessment.read", tenant_field="name"),
    "ListCases": Rule(READERS, scope="assessment.read", tenant_field="parent"),
    "UpdateProblem": Rule(ADMINS, write=True, tenant_field="name"),
    "RequestClosure": Rule(ADMINS, write=True, tenant_field="name"),
    "VerifyAndClose": Rule(ADMINS, write=True, tenant_field="name"),
    # Changing the plan itself (a problem added, revised, removed) is the county's decision.
    "AddProblem": Rule(ADMINS, write=True, tenant_field="parent"),
    "ReviseProblem": Rule(ADMINS, write=True, tenant_field="name"),
    "RemoveProblem": Rule(ADMINS, write=True, tenant_field="name"),

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

    # Rounds: a clerk reads a round, and scores, records negative items and files objections
    # for the targets of their own subtree; the county creates, advances and decides.
    "CreateRound": Clerk.NEVER,
    "GetRound": Clerk.COUNTY_READ,
    "ListRounds": Clerk.COUNTY_READ,
    "ListRoundTargets": Clerk.SUBTREE_READ,
    "SubmitScores": Clerk.SUBTREE_WRITE,
    "RecordNegativeItem": Clerk.SUBTREE_WRITE,
    "WithdrawNegativeItem": Clerk.SUBTREE_WRITE,
    "AdvanceRound": Clerk.NEVER,
    "FileObjection": Clerk.SUBTREE_WRITE,
    "ResolveObjection": Clerk.NEVER,
    "ListObjections": Clerk.SUBTREE_READ,
    "ListRoundEvents": Clerk.SUBTREE_READ,

    # ---- Results: a clerk reads the results of the targets in its subtree; never previews.
    "GetResult": Clerk.SUBTREE_READ,
    "ListResults": Clerk.SUBTREE_READ,
    "ExportResults": Clerk.SUBTREE_READ,
    "PreviewResults": Clerk.NEVER,

    # ---- Rectification: a clerk works the cases of their subtree; VerifyAndClose only as the chief
    # of the work station above the case's unit (the use case checks), never as requester or owner.
    "CreateCase": Clerk.NEVER,
    "GetCase": Clerk.SUBTREE_READ,
    "ListCases": Clerk.SUBTREE_READ,
    "UpdateProblem": Clerk.SUBTREE_WRITE,
    "RequestClosure": Clerk.SUBTREE_WRITE,
    "VerifyAndClose": Clerk.SUBTREE_WRITE,
    "AddProblem": Clerk.NEVER,
    "ReviseProblem": Clerk.NEVER,
    "RemoveProblem": Clerk.NEVER,

    # ---- Directory
    "ResyncDirectory": Clerk.NEVER,
}

POLICY: dict[str, Rule] = with_clerks(SERVICE, _RULES, CLERK)
