"""Shared loads of the use cases: a resource the request is about (`load_x`, NOT_FOUND), and the
rules in force on a day (what the ledger counts an entry under)."""

from __future__ import annotations

import datetime as dt

from services.common.errors import not_found
from services.common.tenancy import tenant_name
from services.points.domain.names import revision_name, rule_set_name
from services.points.domain.rule_sets import RuleSet, RuleSetRevision
from services.points.service_layer.unit_of_work import PointsUnitOfWork


def load_tenant(uow: PointsUnitOfWork) -> None:
    """The county must exist in the organization (the directory reads it through on a miss):
    NOT_FOUND as the organization answers, never rules written for a county nobody onboarded."""
    if uow.directory.tenant() is None:
        raise not_found("县", "tenant", tenant_name(uow.tenant))


def load_rule_set(uow: PointsUnitOfWork, rule_set_id: str, *, lock: bool = False) -> RuleSet:
    rule_set = uow.rule_sets.get(rule_set_id, lock=lock)
    if rule_set is None:
        raise not_found("积分规则", "rule set", rule_set_name(uow.tenant, rule_set_id))
    return rule_set


def load_revision(uow: PointsUnitOfWork, rule_set_id: str, revision: int) -> RuleSetRevision:
    found = uow.rule_sets.revision(rule_set_id, revision)
    if found is None:
        raise not_found("积分规则版本", "rule set revision", revision_name(uow.tenant, rule_set_id, revision))
    return found


def rules_in_force(uow: PointsUnitOfWork, tenant: str, on: dt.date) -> RuleSetRevision | None:
    """The county's published revision in force on `on` (the latest effective_from <= on; ties:
    the later publish), or None before the county's first. Loaded once per transaction and day."""
    key = ("rules_in_force", tenant, on)
    if key not in uow.loaded:
        rules = uow.rule_sets if tenant == uow.tenant else type(uow.rule_sets)(uow.conn, tenant)
        uow.loaded[key] = rules.latest_published(on)
    return uow.loaded[key]
