"""Who may call each OrganizationService RPC. Anything not listed is refused (default deny)."""

from __future__ import annotations

from services.common.auth import Role
from services.common.policy import ADMINS, READERS, WRITERS, Rule

SERVICE = "/partybuilding.organization.v1.OrganizationService/"
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
    # The county sheet holds ID numbers and phones in clear: the county's own admins, never a clerk.
    "ImportOrganization": Rule(ADMINS, write=True, tenant_field="parent"),
    "ExportOrganization": Rule(ADMINS, tenant_field="parent"),
    "GetOperation": Rule(ADMINS, tenant_field="name"),
}

POLICY: dict[str, Rule] = {SERVICE + method: rule for method, rule in _RULES.items()}
