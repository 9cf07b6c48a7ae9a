"""INTEGRATOR: a stand-in for assess-scoring's service_layer/results.py until it lands; delete this
file and import `publish_results` / `finalize_results` from `results` in service_layer/rounds.py and
objections.py. Same signatures as agreed in /work/signals/questions; they store nothing yet."""

from __future__ import annotations

import datetime as dt

from services.assessment.domain.rounds import Round


def publish_results(uow, round_: Round, now: dt.datetime) -> None:
    """Provisional results on entering PUBLIC_NOTICE (and again after an objection's adjustment)."""


def finalize_results(uow, round_: Round, now: dt.datetime) -> None:
    """Final results, result rules and their events on leaving the last stage."""
