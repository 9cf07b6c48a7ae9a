"""Who may act where: a clerk (经办人) is confined to the subtree of the unit their token names.

Units and their paths come from the assessment service's directory of the organization
(`uow.directory`, services/common/directory), never from the organization's tables.
"""

from __future__ import annotations

from services.assessment.domain.names import unit_name
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWork
from services.common import clerks
from services.common.auth import Principal


def clerk_root(uow: AssessmentUnitOfWork, who: Principal):
    """The subtree a clerk is confined to; None for roles that see the whole county."""
    return clerks.clerk_root(uow, who, uow.directory.unit)


def check_unit_within(uow: AssessmentUnitOfWork, who: Principal, unit) -> None:
    """A clerk may act only on units (and their members) inside their own subtree."""
    root = clerk_root(uow, who)
    if root is not None and not unit.path.startswith(root.path):
        raise clerks.outside_subtree(unit_name(uow.tenant, unit.id), unit.display_name)
