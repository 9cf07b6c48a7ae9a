"""Scheduled jobs of the assessment service: each a function of the unit-of-work factory that
calls a use case (the platform runs them once at start and every 24 hours).

The rectification ledger's due/overdue sweep is added here by its section.
"""

from __future__ import annotations

from collections.abc import Callable

from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWorkFactory

DAILY_JOBS: tuple[Callable[[AssessmentUnitOfWorkFactory], object], ...] = ()
