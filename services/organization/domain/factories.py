"""Domain factories the single-item use cases and the bulk import share, so a rule lives once."""

from __future__ import annotations

import datetime as dt

from services.common.errors import Validator
from services.common.text import normalize
from services.organization.domain import personal_data as pd
from services.organization.domain import rules
from services.organization.domain.model import (
    Member,
    MemberCategory,
    MemberStatus,
    PostType,
    Unit,
    child_path,
)


def new_member(member_id: str, tenant: str, unit_id: str, *, display_name: str, id_card_number: str, gender: str = "",
               phone: str = "", status: MemberStatus | None = None, category: MemberCategory | None = None,
               joined_on: dt.date | None = None, education: str = "") -> Member:
    """A member as recorded: the ID number normalised, and from a valid one the birth date and,
    unless given, the gender; whether the fields are valid is `check_member_fields`' to say."""
    number = pd.normalize_id_card(id_card_number)
    member = Member(id=member_id, tenant=tenant, unit_id=unit_id, display_name=normalize(display_name or ""),
                    gender=gender or "", id_card_number=number, phone=(phone or "").strip(),
                    status=status or MemberStatus.FULL, category=category or MemberCategory.ORDINARY_FARMER,
                    joined_on=joined_on, education=normalize(education or ""), birth_date="")
    if not pd.id_card_problem(number):
        member.birth_date = pd.birth_date_of(number).isoformat()
        member.gender = member.gender or pd.gender_of(number)
    return member


def place_unit(unit: Unit, parent: Unit | None, field_path: str) -> None:
    """Hang a new unit under its parent (None: the county root): a legal parent type, then path and depth."""
    rules.check_parent(unit.type, parent, field_path)
    unit.parent_id = parent.id if parent else None
    unit.path = child_path(parent, unit.id)
    unit.depth = parent.depth + 1 if parent else 1


def check_post_term(v: Validator, post_type: PostType | None, start: dt.date | None, end: dt.date | None,
                    dispatching_organ: str, prefix: str = "post") -> None:
    """A term ends after it starts; a first secretary is dispatched by an organ for a term with an end."""
    if start and end:
        v.require(end > start, f"{prefix}.term_end_date", "任期结束日期应晚于开始日期", "must be after the start date")
    if post_type is PostType.FIRST_SECRETARY:
        v.text(dispatching_organ, f"{prefix}.dispatching_organ", max_len=100)
        # A malformed end date has already been named; do not also call it missing.
        if not any(x.field == f"{prefix}.term_end_date" for x in v.violations):
            v.require(end is not None, f"{prefix}.term_end_date", "第一书记须填写任期结束日期",
                      "a first secretary is dispatched for a term: give its end date")
    else:
        v.text(dispatching_organ, f"{prefix}.dispatching_organ", max_len=100, required=False)
