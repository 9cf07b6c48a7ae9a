"""The notify service's resource collections; names are formatted and parsed by the kernel (tenancy)."""

from __future__ import annotations

from services.common.errors import InvalidArgument
from services.common.tenancy import Collection, SubCollection, parse_name, tenant_name

NOTICES = Collection("notices")
RECIPIENTS = SubCollection(NOTICES, "recipients")  # tenants/{code}/notices/{id}/recipients/{unit id}
UNITS = Collection("units")  # the organization's unit, by the same name
MEMBERS = Collection("members")  # the organization's member, by the same name
MESSAGES = Collection("messages")

notice_name = NOTICES.name
recipient_name = RECIPIENTS.name
unit_name = UNITS.name
member_name = MEMBERS.name
message_name = MESSAGES.name
SETTINGS = "notifySettings"  # tenants/{code}/notifySettings: the county's one settings resource


def settings_name(tenant: str) -> str:
    return f"{tenant_name(tenant)}/{SETTINGS}"


def parse_settings_name(name: str, field_path: str) -> str:
    """The county code of `tenants/{code}/notifySettings`."""
    head, _, last = (name or "").rpartition("/")
    if last != SETTINGS:
        raise InvalidArgument.field(field_path, f"资源名格式应为 tenants/{{code}}/{SETTINGS}，收到 {name!r}",
                                    f"must be a resource name of the form tenants/{{code}}/{SETTINGS}, got {name!r}",
                                    "MALFORMED_RESOURCE_NAME")
    return parse_name(head, field_path, None).tenant
