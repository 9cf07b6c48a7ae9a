"""Who an event's message goes to, found in notify's directory of the organization.

A member's branch secretary is the SECRETARY of the member's unit, or of the nearest unit above
it up to the village (a party group's member answers to their branch); a unit's station chief is
the STATION_CHIEF of the work station it lies under. Nothing here fails for a unit or member the
directory does not know yet: the message then goes to whom it can name.

SMS goes to members only, addressed by member id: notify's directory holds no phone (the
organization conceals phones in its events); the delivery process reads the number from the
organization at send time with notify's `org.phone` scope (docs/notify-channels.md), and a
member without one ends FAILED "no phone". Inbox messages reach everyone named.
"""

from __future__ import annotations

from services.common.directory.model import id_of
from services.notify.domain.messages import Channel, Recipient, RecipientKind

# A member's branch: their unit, or the units above it up to (and including) these.
_BRANCH_TYPES = ("PARTY_GROUP", "BRANCH", "VILLAGE", "COMMUNITY")
_MAX_UP = 8  # county → township → station → village → branch → group: a bound, not a shape


def unit_record(uow, unit_id: str):
    """A unit of the directory, read once per unit of work (an event names the same unit again
    as a recipient, an ancestor, a station)."""
    key = ("directory_unit", unit_id)
    if key not in uow.loaded:
        uow.loaded[key] = uow.directory.unit(unit_id)
    return uow.loaded[key]


def unit(uow, unit_ref: str) -> Recipient | None:
    """The unit (a name or an id) as an inbox recipient; its name as the directory has it."""
    unit_id = id_of(unit_ref) if "/" in unit_ref else unit_ref
    if not unit_id:
        return None
    found = unit_record(uow, unit_id)
    return Recipient(RecipientKind.UNIT, unit_id, found.display_name if found else "")


def member(uow, member_ref: str, display_name: str = "") -> Recipient | None:
    member_id = id_of(member_ref) if "/" in member_ref else member_ref
    if not member_id:
        return None
    found = uow.directory.member(member_id)
    return Recipient(RecipientKind.MEMBER, member_id, found.display_name if found else display_name)


def _ancestors(uow, unit_id: str):
    """The unit and the units above it, nearest first, as the directory holds them."""
    seen = 0
    current = unit_record(uow, unit_id) if unit_id else None
    while current is not None and seen < _MAX_UP:
        yield current
        seen += 1
        current = unit_record(uow, current.parent_id) if current.parent_id else None


def _holders(uow, unit_id: str, post_type: str) -> list[Recipient]:
    return [Recipient(RecipientKind.MEMBER, p.member_id, p.member_display_name)
            for p in uow.directory.current_posts(unit_id=unit_id) if p.type == post_type and p.member_id]


def branch_secretaries(uow, unit_id: str) -> list[Recipient]:
    """The secretary of the member's branch: of their unit or the nearest one above it that has one."""
    for found in _ancestors(uow, unit_id):
        if found.type not in _BRANCH_TYPES:
            break
        holders = _holders(uow, found.id, "SECRETARY")
        if holders:
            return holders
    return []


def work_station(uow, unit_id: str):
    """The work station the unit lies under (or is); None when it lies under none."""
    return next((u for u in _ancestors(uow, unit_id) if u.type == "WORK_STATION"), None)


def station_chiefs(uow, station) -> list[Recipient]:
    return [] if station is None else _holders(uow, station.id, "STATION_CHIEF")


def _once(recipients) -> list[Recipient]:
    seen: dict[tuple, Recipient] = {}
    for r in recipients:
        if r is not None:
            seen.setdefault((r.kind, r.id), r)
    return list(seen.values())


def inbox(*recipients: Recipient | None) -> list[tuple[Channel, Recipient]]:
    """Inbox messages to each named recipient, each once."""
    return [(Channel.INBOX, r) for r in _once(recipients)]


def sms(*recipients: Recipient | None) -> list[tuple[Channel, Recipient]]:
    """Text messages to each named member (the phone is found at delivery, see the module's note)."""
    return [(Channel.SMS, r) for r in _once(recipients) if r.kind is RecipientKind.MEMBER]
