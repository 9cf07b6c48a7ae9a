"""A notice's counts from a tally of its copies (SQL counts them; this decides what is overdue):
the same numbers domain/status.py counts over loaded copies, for notices too large to load."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.notify.domain.notices import Notice
from services.notify.domain.status import Counts


@dataclass(frozen=True)
class Tally:
    recipients: int
    read: int
    acknowledged: int
    reported: int
    unacknowledged: int  # neither acknowledged nor reported


def counts_of(notice: Notice, tally: Tally, now: dt.datetime) -> Counts:
    """Overdue is Recipient.overdue counted: past the deadline, the report missing if the notice
    asks for one, else 签收 missing if it asks for that."""
    overdue = 0
    if notice.due_at is not None and now > notice.due_at:
        if notice.requires_report:
            overdue = tally.recipients - tally.reported
        elif notice.requires_ack:
            overdue = tally.unacknowledged
    return Counts(tally.recipients, tally.read, tally.acknowledged, tally.reported, overdue)
