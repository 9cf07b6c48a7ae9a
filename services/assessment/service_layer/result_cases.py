"""A unit graded weak (软弱涣散) gets a rectification case (问题台账) when its round is finalized.

One case per weak unit, in the finalize transaction, through the cases' own `open_case` (it
validates, stores and emits assessment.case_opened). The case's content follows the articles:
a one-village plan (一村一策) within 90 days, owned by the village's current secretary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.assessment.domain.names import round_name
from services.assessment.domain.rectification import Owner, ProblemDraft
from services.assessment.domain.rounds import Round
from services.assessment.domain.scheme import Scheme
from services.assessment.domain.scoring import TargetScore
from services.assessment.service_layer.case_access import county_today
from services.assessment.service_layer.cases import open_case
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWork
from services.common.auth import Principal

PLAN_DAYS = 90  # the 一村一策 plan's deadline; a placeholder the county may change with the case
MEASURE = "制定“一村一策”整顿方案，报县委组织部审核备案"
SECRETARY = "SECRETARY"
# Cases opened by finalizing are the platform's own act, recorded as such.
FINALIZER = Principal.operator("assessment-finalize")
# The ledger's bounds (rectification.LedgerRules): a long round or village name must not make
# finalizing fail, so the generated texts are cut to fit.
TITLE_MAX, OWNER_MAX = 100, 50


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def open_weak_cases(uow: AssessmentUnitOfWork, round_: Round, scheme: Scheme, weak: Sequence[TargetScore],
                    now: dt.datetime) -> None:
    if not weak:
        return
    bands = {band.code: band.name_zh for band in scheme.grades}
    deadline = county_today(uow) + dt.timedelta(days=PLAN_DAYS)
    for result in weak:
        unit = result.target
        found = uow.directory.unit(unit.unit_id)
        if found is None or not found.active:  # merged or dissolved since the round began: no unit to rectify
            continue
        secretary = next((p for p in uow.directory.current_posts(unit_id=unit.unit_id) if p.type == SECRETARY), None)
        # The ledger refuses an owner the directory does not know as a member: then the name only.
        known = secretary is not None and uow.directory.member(secretary.member_id) is not None
        owner = (Owner(_fit(secretary.member_display_name or "村党组织书记", OWNER_MAX),
                       secretary.member_id if known else "") if secretary else Owner("村党组织书记"))
        problem = ProblemDraft(f"评定为{bands[result.grade]}，列为软弱涣散基层党组织", (MEASURE,), deadline, owner)
        title = _fit(f"{round_.display_name}：{unit.display_name}软弱涣散整顿", TITLE_MAX)
        open_case(uow, unit.unit_id, source_round=round_name(uow.tenant, round_.id), title=title, problems=[problem],
                  now=now, who=FINALIZER)
