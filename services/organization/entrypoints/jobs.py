"""Scheduled jobs of the organization service."""

from __future__ import annotations

import logging

from services.common.auth import Principal
from services.organization.service_layer import commands, posts, tenants
from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory

log = logging.getLogger("partybuilding.organization.jobs")


def sweep_all_terms(uow: OrgUnitOfWorkFactory) -> int:
    """The daily sweep: for every county, announce post terms ending within 30 days."""
    announced, who = 0, Principal.operator("jobs")
    for code in tenants.codes_to_sweep(uow):
        announced += len(posts.sweep_expiring_terms(commands.SweepExpiringTerms(code), uow, who))
    if announced:
        log.info("post terms expiring announced", extra={"fields": {"count": announced}})
    return announced
