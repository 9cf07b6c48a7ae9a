"""What the organization consumes: a finalized assessment round's results (issue 9), which set
the judged units' star level and 软弱涣散 flag and enter their history
(service_layer/assessment_results.py). Imports no grpc: the nameko worker loads it."""

from __future__ import annotations

from partybuilding.assessment.v1.assessment_events_pb2 import ResultsFinalizedEvent

from services.common.auth import Principal, Role
from services.common.directory.model import id_of, tenant_of_name
from services.common.events.envelope import typed_payload
from services.organization.entrypoints.runtime import uow_factory
from services.organization.service_layer.assessment_results import (
    ApplyAssessmentResults,
    AssessedUnit,
    apply_assessment_results,
)

__all__ = ["HANDLERS", "uow_factory"]

ASSESSMENT = Principal("assessment", Role.SYSTEM, frozenset())  # the actor the unit history names


def on_results_finalized(env, uows) -> None:
    e = typed_payload(env, ResultsFinalizedEvent, ignore_unknown_fields=True)
    # A secretary's result (member set) judges the person, not the village's organization; a unit
    # of another county cannot be in this county's round and is never touched from here.
    units = tuple(AssessedUnit(id_of(r.unit), r.grade_display_name, r.stars, r.weak) for r in e.results
                  if r.unit and not r.member and tenant_of_name(r.unit) == env.tenant)
    if not units:
        return
    cmd = ApplyAssessmentResults(env.tenant, e.round, e.round_display_name, e.sets_star_level,
                                 e.decides_weak_and_lax, units)
    apply_assessment_results(cmd, uows, ASSESSMENT)


HANDLERS = {("assessment", "assessment.results_finalized"): on_results_finalized}
