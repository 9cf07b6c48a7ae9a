"""Resolving a notice's selectors to the units it reaches, once, at send time (pure).

The units and posts come from the service's directory of the organization; what this module
decides is which of them a selector names and to whom in each unit the notice is addressed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from services.notify.domain.notices import Addressee, Recipient, RecipientSelector


class UnitLike(Protocol):
    id: str
    parent_id: str | None
    path: str
    type: str
    display_name: str
    state: str


@dataclass(frozen=True)
class Candidates:
    """One selector's subtree as the directory holds it (the root first), and the current posts of
    its units (DirectoryPost: type, member_id, member_display_name)."""

    selector: RecipientSelector
    units: list
    posts_by_unit: dict[str, list]


def selected(candidates: Candidates, excluded: str | None) -> Iterable[tuple[UnitLike, tuple[Addressee, ...]]]:
    """The active units a selector names, each with the post holders it is addressed to."""
    s = candidates.selector
    for unit in candidates.units:
        if unit.state != "ACTIVE" or unit.id == excluded or (s.unit_types and unit.type not in s.unit_types):
            continue
        if not s.post_types:
            yield unit, ()
            continue
        holders = tuple(Addressee(p.type, p.member_id, p.member_display_name)
                        for p in candidates.posts_by_unit.get(unit.id, ()) if p.type in s.post_types)
        if holders:  # a vacant post: the selector names holders, and this unit has none
            yield unit, holders


def resolve(tenant: str, notice_id: str, all_candidates: list[Candidates], parents: dict[str, str],
            excluded: str | None, now: dt.datetime) -> list[Recipient]:
    """The recipients of a notice: every unit some selector names, once, with the union of its
    addressees; `parents` gives the display name of each unit's parent; `excluded` is the sender."""
    found: dict[str, tuple[UnitLike, dict[tuple[str, str], Addressee]]] = {}
    for candidates in all_candidates:
        for unit, holders in selected(candidates, excluded):
            _, addressed = found.setdefault(unit.id, (unit, {}))
            for holder in holders:
                addressed.setdefault((holder.post_type, holder.member_id), holder)
    return [
        Recipient(tenant, notice_id, unit.id, unit.display_name, unit.type, unit.parent_id,
                  parents.get(unit.parent_id or "", ""), tuple(addressed.values()), now)
        for unit, addressed in sorted(found.values(), key=lambda item: (item[0].path, item[0].id))
    ]
