"""A unit graded weak (软弱涣散) gets a rectification case (问题台账) when its round is finalized.

One case per weak unit, in the finalize transaction, through the cases' own `open_cases` (the
same checks as one case, one insert per table, one assessment.case_opened each). The units and
their secretaries are read in bulk (adapters/case_owners.py); a unit or member the directory
does not hold is asked for one by one (read through to the organization), as `open_case` does. The case's content follows the
articles: a one-village plan (一村一策) within 90 days, owned by the village's current secretary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from services.assessment.domain.names import round_name
from services.assessment.domain.rectification import Owner, ProblemDraft
from services.assessment.domain.rounds import Round
from services.assessment.domain.scheme import Scheme
from services.assessment.domain.scoring import TargetScore
from services.assessment.service_layer.case_access import county_today
from services.assessment.service_layer.cases import CaseOpening, open_cases
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWork
from services.common.auth import Principal

if TYPE_CHECKING:
    from services.assessment.adapters.case_owners import UnitHolder

PLAN_DAYS = 90  # the 一村一策 plan's deadline; a placeholder the county may change with the case
MEASURE = "制定“一村一策”整顿方案，报县委组织部审核备案"
# Cases opened by finalizing are the platform's own act, recorded as such.
FINALIZER = Principal.operator("assessment-finalize")
# The ledger's bounds (rectification.LedgerRules): a long round or village name must not make
# finalizing fail, so the generated texts are cut to fit.
TITLE_MAX, OWNER_MAX = 100, 50


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _owner(uow: AssessmentUnitOfWork, holder: UnitHolder) -> Owner:
    """The secretary; the ledger refuses an owner the directory does not know as a member: then the name only."""
    if not holder.secretary_member_id:
        return Owner("村党组织书记")
    known = holder.member_known or uow.directory.member(holder.secretary_member_id) is not None
    return Owner(_fit(holder.secretary_name or "村党组织书记", OWNER_MAX), holder.secretary_member_id if known else "")


def open_weak_cases(uow: AssessmentUnitOfWork, round_: Round, scheme: Scheme, weak: Sequence[TargetScore],
                    now: dt.datetime) -> None:
    if not weak:
        return
    bands = {band.code: band.name_zh for band in scheme.grades}
    deadline = county_today(uow) + dt.timedelta(days=PLAN_DAYS)
    source = round_name(uow.tenant, round_.id)
    holders = uow.case_owners.holders([result.target.unit_id for result in weak])
    openings = []
    for result in weak:
        holder = holders.get(result.target.unit_id)
        if holder is None:  # merged or dissolved since the round began: no unit to rectify
            continue
        problem = ProblemDraft(f"评定为{bands[result.grade]}，列为软弱涣散基层党组织", (MEASURE,), deadline,
                               _owner(uow, holder))
        title = _fit(f"{round_.display_name}：{result.target.display_name}软弱涣散整顿", TITLE_MAX)
        openings.append(CaseOpening(holder.unit_id, holder.display_name, title, (problem,), source))
    open_cases(uow, openings, now=now, who=FINALIZER)
