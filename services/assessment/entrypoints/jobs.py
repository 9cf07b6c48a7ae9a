"""Scheduled jobs of the assessment service: each a function of the unit-of-work factory that
calls a use case (the platform runs them once at start and every 24 hours).

The rectification ledger's due/overdue sweep is added here by its section.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from services.assessment.service_layer.case_commands import SweepCases
from services.assessment.service_layer.case_sweep import (
    SweepCounts,
    counties_to_sweep,
    sweep_county,
)
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWorkFactory
from services.common.auth import Principal

log = logging.getLogger("partybuilding.assessment.jobs")


# ---- Rectification (问题台账): the daily due/overdue sweep


def sweep_cases(uows: AssessmentUnitOfWorkFactory) -> SweepCounts:
    """Every county's overdue problems and supervisions due (督办), each announced once; a county
    whose sweep fails is logged and the others are swept all the same."""
    who, overdue, supervisions = Principal.operator("jobs"), 0, 0
    for code in counties_to_sweep(uows):
        try:
            counts = sweep_county(SweepCases(code), uows, who)
        except Exception:
            log.exception("rectification sweep failed", extra={"fields": {"tenant": code}})
            continue
        overdue, supervisions = overdue + counts.overdue, supervisions + counts.supervisions
    if overdue or supervisions:
        log.info("rectification sweep", extra={"fields": {"overdue": overdue, "supervisions": supervisions}})
    return SweepCounts(overdue, supervisions)


DAILY_JOBS: tuple[Callable[[AssessmentUnitOfWorkFactory], object], ...] = (sweep_cases,)
