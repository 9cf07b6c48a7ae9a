"""A finalized assessment round's results, applied to the units it judged (issue 9).

The assessment service decides; the organization keeps the unit's record: its star level
follows a star-rating result (评星定级), its 软弱涣散 flag follows a scheme that decides it,
and every assessed unit's history names the round, whether or not a field changed. Each
changed unit is written through the same optimistic update as UpdateUnit and announced with
unit_updated, so every service's directory follows. A unit archived or merged since the round
froze its targets keeps its record as it is: the result belongs to the unit that was judged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from services.common.auth import Principal
from services.common.errors import stale_etag
from services.organization.domain.events import UnitUpdated
from services.organization.domain.model import UnitState
from services.organization.domain.names import unit_name
from services.organization.domain.snapshots import UnitSnapshot
from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory
from services.organization.service_layer.units import unit_answer, unit_history

log = logging.getLogger(__name__)

ASSESSED = "ASSESSED"  # the history kind of a result applied to a unit


@dataclass(frozen=True)
class AssessedUnit:
    unit_id: str
    grade_display_name: str
    stars: int
    weak: bool


@dataclass(frozen=True)
class ApplyAssessmentResults:
    tenant: str
    round_name: str  # tenants/{t}/rounds/{id}
    round_display_name: str
    sets_star_level: bool
    decides_weak_and_lax: bool
    units: tuple[AssessedUnit, ...]


def _changes(cmd: ApplyAssessmentResults, unit, result: AssessedUnit) -> dict:
    changes = {}
    if cmd.sets_star_level and unit.star_level != result.stars:
        changes["star_level"] = result.stars
    if cmd.decides_weak_and_lax and unit.weak_and_lax != result.weak:
        changes["weak_and_lax"] = result.weak
    return changes


def _detail(cmd: ApplyAssessmentResults, result: AssessedUnit, changes: dict) -> str:
    said = [f"{cmd.round_display_name}（{cmd.round_name}）：{result.grade_display_name}"]
    if "star_level" in changes:
        said.append(f"星级 star_level={result.stars}")
    if "weak_and_lax" in changes:
        said.append("列为软弱涣散 flagged weak_and_lax" if result.weak else "撤销软弱涣散 weak_and_lax cleared")
    return "；".join(said)


def apply_assessment_results(cmd: ApplyAssessmentResults, uows: OrgUnitOfWorkFactory, who: Principal) -> int:
    """Apply one batch in one transaction; returns how many units changed."""
    changed = 0
    with uows(cmd.tenant) as uow:
        for result in cmd.units:
            unit = uow.units.get(result.unit_id, lock=True)
            if unit is None or unit.state is not UnitState.ACTIVE:
                log.info("assessment result for a unit no longer active left alone",
                         extra={"fields": {"unit": result.unit_id, "round": cmd.round_name}})
                continue
            changes = _changes(cmd, unit, result)
            for path, value in changes.items():
                setattr(unit, path, value)
            if changes:
                if not uow.units.update(unit):
                    raise stale_etag(unit_name(cmd.tenant, unit.id))  # the consumer retries the event
                changed += 1
            unit_history(uow, who, unit.id, ASSESSED, _detail(cmd, result, changes))
            if changes:
                view = unit_answer(uow, unit.id)
                uow.emit(UnitUpdated(unit_name(cmd.tenant, unit.id), sorted(changes),
                                     snapshot=UnitSnapshot.of(view)))
        uow.commit()
    return changed
