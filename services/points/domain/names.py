"""The points service's resource collections; names are formatted and parsed by the kernel (tenancy)."""

from __future__ import annotations

from services.common.tenancy import Collection, SubCollection

RULE_SETS = Collection("ruleSets")
REVISIONS = SubCollection(RULE_SETS, "revisions")  # tenants/{code}/ruleSets/{id}/revisions/{n}
MEMBERS = Collection("members")  # the organization's member, by the same name
UNITS = Collection("units")  # the organization's unit, by the same name
ENTRIES = Collection("entries")
STORES = Collection("stores")
REDEMPTIONS = Collection("redemptions")

rule_set_name = RULE_SETS.name
revision_name = REVISIONS.name
member_name = MEMBERS.name
unit_name = UNITS.name
entry_name = ENTRIES.name
store_name = STORES.name
redemption_name = REDEMPTIONS.name
