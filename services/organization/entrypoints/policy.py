"""Who may call each OrganizationService RPC. Anything not listed is refused (default deny)."""

from __future__ import annotations

from services.common.auth import Role
from services.common.policy import ADMINS, READERS, WRITERS, Clerk, Rule, with_clerks

SERVICE = "partybuilding.organization.v1.OrganizationService"
OPERATOR = frozenset({Role.OPERATOR})
# Structure of the tree is set by the county, clerks maintain their own subtree.
TREE_WRITERS = frozenset({Role.OPERATOR, Role.COUNTY_ADMIN, Role.CLERK})

_RULES: dict[str, Rule] = {
    "CreateTenant": Rule(OPERATOR, write=True),
    "GetTenant": Rule(READERS, scope="org.read", tenant_field="name"),
    "ListTenants": Rule(READERS, scope="org.read"),
    "UpdateTenant": Rule(ADMINS, write=True, tenant_field="tenant.name"),
    "ValidateTenant": Rule(READERS, scope="org.read", tenant_field="name"),
    "CreateUnit": Rule(TREE_WRITERS, write=True, tenant_field="parent"),
    "GetUnit": Rule(READERS, scope="org.read", tenant_field="name"),
    "ListUnits": Rule(READERS, scope="org.read", tenant_field="parent"),
    "UpdateUnit": Rule(TREE_WRITERS, write=True, tenant_field="unit.name"),
    "MoveUnit": Rule(ADMINS, write=True, tenant_field="name"),
    "MergeUnits": Rule(ADMINS, write=True, tenant_field="target"),
    "ArchiveUnit": Rule(ADMINS, write=True, tenant_field="name"),
    "GetUnitPath": Rule(READERS, scope="org.read", tenant_field="name"),
    "ListUnitHistory": Rule(READERS, scope="org.read", tenant_field="name"),
    "CreateMember": Rule(WRITERS, scope="org.write", write=True, tenant_field="parent"),
    "GetMember": Rule(READERS, scope="org.read", tenant_field="name"),
    "ListMembers": Rule(READERS, scope="org.read", tenant_field="parent"),
    "UpdateMember": Rule(WRITERS, scope="org.write", write=True, tenant_field="member.name"),
    "TransferMember": Rule(TREE_WRITERS, write=True, tenant_field="name"),
    "ListMemberHistory": Rule(READERS, scope="org.read", tenant_field="name"),
    "AssignPost": Rule(TREE_WRITERS, write=True, tenant_field="parent"),
    "EndPost": Rule(TREE_WRITERS, write=True, tenant_field="name"),
    "ListPosts": Rule(READERS, scope="org.read", tenant_field="parent"),
    "CreateAlliance": Rule(ADMINS, write=True, tenant_field="parent"),
    "ListAlliances": Rule(READERS, scope="org.read", tenant_field="parent"),
    "CreatePairing": Rule(ADMINS, write=True, tenant_field="parent"),
    "ListPairings": Rule(READERS, scope="org.read", tenant_field="parent"),
    "ImportOrganization": Rule(ADMINS, write=True, tenant_field="parent"),
    "ExportOrganization": Rule(ADMINS, tenant_field="parent"),
    "GetOperation": Rule(ADMINS, tenant_field="name"),
}


# The clerk's rights, one row per RPC; an RPC not listed is NEVER. NEVER keeps clerks out here;
# COUNTY_READ is for the tree and its groupings, which hold no personal data;
# the use cases confine SUBTREE_* calls with scope.check_within, on every unit the request
# names: a post's unit and its holder's unit, a transfer's source and destination, a replayed
# request's first answer. UpdateUnit / CreateUnit: the county's judgement of a unit (软弱涣散,
# 示范点, star level; units.COUNTY_JUDGEMENT) is refused to clerks.
CLERK: dict[str, Clerk] = {
    "CreateTenant": Clerk.NEVER,
    "GetTenant": Clerk.COUNTY_READ,
    "ListTenants": Clerk.COUNTY_READ,
    "UpdateTenant": Clerk.NEVER,
    "ValidateTenant": Clerk.COUNTY_READ,
    "CreateUnit": Clerk.SUBTREE_WRITE,
    "GetUnit": Clerk.COUNTY_READ,
    "ListUnits": Clerk.COUNTY_READ,
    "UpdateUnit": Clerk.SUBTREE_WRITE,
    "MoveUnit": Clerk.NEVER,
    "MergeUnits": Clerk.NEVER,
    "ArchiveUnit": Clerk.NEVER,
    "GetUnitPath": Clerk.COUNTY_READ,
    "ListUnitHistory": Clerk.COUNTY_READ,
    "CreateMember": Clerk.SUBTREE_WRITE,
    "GetMember": Clerk.SUBTREE_READ,
    "ListMembers": Clerk.SUBTREE_READ,
    "UpdateMember": Clerk.SUBTREE_WRITE,
    "TransferMember": Clerk.SUBTREE_WRITE,
    "ListMemberHistory": Clerk.SUBTREE_READ,
    "AssignPost": Clerk.SUBTREE_WRITE,
    "EndPost": Clerk.SUBTREE_WRITE,
    "ListPosts": Clerk.SUBTREE_READ,
    "CreateAlliance": Clerk.NEVER,
    "ListAlliances": Clerk.COUNTY_READ,
    "CreatePairing": Clerk.NEVER,
    "ListPairings": Clerk.COUNTY_READ,
    # The county sheet holds ID numbers and phones in clear: the county's own admins only.
    "ImportOrganization": Clerk.NEVER,
    "ExportOrganization": Clerk.NEVER,
    "GetOperation": Clerk.NEVER,
}

POLICY: dict[str, Rule] = with_clerks(SERVICE, _RULES, CLERK)
