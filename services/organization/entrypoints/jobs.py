"""Scheduled jobs of the organization service."""

from __future__ import annotations

import logging

from services.common.tenancy import ALL_TENANTS
from services.organization.service_layer import posts, tenants
from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory

log = logging.getLogger("partybuilding.organization.jobs")


def sweep_all_terms(uow: OrgUnitOfWorkFactory) -> int:
    """The daily sweep: for every county, announce post terms ending within 30 days."""
    announced = 0
    for code in tenants.list_tenant_codes(uow(ALL_TENANTS, write=False)):
        announced += len(posts.sweep_expiring_terms(code, uow(code)))
    if announced:
        log.info("post terms expiring announced", extra={"fields": {"count": announced}})
    return announced
