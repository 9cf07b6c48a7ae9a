"""The organization's resource collections; names are formatted and parsed by the kernel (tenancy)."""

from __future__ import annotations

from services.common.tenancy import Collection

UNITS = Collection("units")
MEMBERS = Collection("members")
POSTS = Collection("posts")
ALLIANCES = Collection("alliances")
PAIRINGS = Collection("pairings")
OPERATIONS = Collection("operations")

unit_name = UNITS.name
member_name = MEMBERS.name
post_name = POSTS.name
alliance_name = ALLIANCES.name
pairing_name = PAIRINGS.name
operation_name = OPERATIONS.name
