"""The notify service's resource collections; names are formatted and parsed by the kernel (tenancy)."""

from __future__ import annotations

from services.common.tenancy import Collection, SubCollection

NOTICES = Collection("notices")
RECIPIENTS = SubCollection(NOTICES, "recipients")  # tenants/{code}/notices/{id}/recipients/{unit id}
UNITS = Collection("units")  # the organization's unit, by the same name
MEMBERS = Collection("members")  # the organization's member, by the same name

notice_name = NOTICES.name
recipient_name = RECIPIENTS.name
unit_name = UNITS.name
member_name = MEMBERS.name
