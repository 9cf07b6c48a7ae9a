"""The audit trail of a round (who, when, what, before/after): appended by every write, read by
ListRoundEvents. A clerk reads the round's own lines and those of targets in their subtree."""

from __future__ import annotations

from services.assessment.domain.rounds import EventKind, Round, RoundEvent
from services.assessment.service_layer import round_access as access
from services.assessment.service_layer import round_commands as c
from services.assessment.service_layer.unit_of_work import (
    AssessmentUnitOfWork,
    AssessmentUnitOfWorkFactory,
)
from services.common import identifiers
from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.pagination import Page


def trail(uow: AssessmentUnitOfWork, who: Principal, round_: Round, stage: str, kind: EventKind,
          target_id: str = "", summary: str = "", before: dict | None = None, after: dict | None = None) -> None:
    """Append one line to the round's audit trail (the caller holds the round's lock)."""
    uow.rounds.append_events(round_, [RoundEvent(kind, who.subject, who.role.value, utcnow(), stage, target_id,
                                                 summary, before or {}, after or {})])


def list_round_events(cmd: c.ListRoundEvents, uows: AssessmentUnitOfWorkFactory,
                      who: Principal) -> tuple[list[RoundEvent], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(int,))
    with uows(cmd.tenant, write=False) as uow:
        round_ = access.load_round(uow, cmd.round_id)
        target_id = ""
        if cmd.target_id:
            target_id = access.load_target(uow, who, round_, identifiers.require(cmd.target_id, "target")).target_id
        found = uow.rounds.list_events(round_.id, target_id, access.subtree_path(uow, who), page.after_one(),
                                       page.fetch)
        return page.cut(found, lambda event: [event.seq])
