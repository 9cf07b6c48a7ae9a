"""The rounds' domain events; each mirrors `<Name>Event` in assessment_events.proto (rounds section)
field for field. Names are resource names; the audit trail (RoundEvent rows) holds the detail."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoundCreated:
    """A round started (e.g. the county's 2026 评星定级): its targets are frozen."""

    round: str  # tenants/{t}/rounds/{id}
    scheme: str  # tenants/{t}/schemes/{id}/revisions/{n}
    display_name: str
    period: str
    scope: str  # tenants/{t}/units/{id}, or "" for the whole county
    target_count: int
    stage: str  # the first stage's code
    created_by: str


@dataclass(frozen=True)
class RoundAdvanced:
    """A round left a stage: into the next one, or (to_stage "") finalized."""

    round: str
    from_stage: str
    to_stage: str
    to_stage_kind: str  # SCORING | REVIEW | PUBLIC_NOTICE | RECHECK, "" when finalized
    finalized: bool
    notice_end_date: str  # YYYY-MM-DD when entering PUBLIC_NOTICE (a reminder for the notify service)
    advanced_by: str
    round_display_name: str = ""
    # Entering PUBLIC_NOTICE: the judged units' names, each once (the notify service tells each).
    target_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectionFiled:
    """An objection (异议) to a target's provisional result, during public notice."""

    objection: str  # tenants/{t}/rounds/{id}/objections/{id}
    round: str
    target: str  # tenants/{t}/rounds/{id}/targets/{target_id}
    unit: str  # tenants/{t}/units/{id}: the target's unit
    filed_by: str


@dataclass(frozen=True)
class ObjectionResolved:
    objection: str
    round: str
    target: str
    decision: str  # UPHELD | REJECTED
    adjusted: bool  # the decision changed the target's scores
    resolved_by: str
