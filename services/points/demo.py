"""The demo county's points rules for `make run`: 宜君县 (610222) on the 宣恩-style twelve points.

The organization's demo (services/organization/demo.py) creates the county before the server
starts. The rules, the ledger's year (ledger_demo.py) and the exchange's store (爱心超市) need
the county, its members and villages in points' directory: they load once the platform serves,
after a resync of the directory through it (`load_demo_serving`).
"""

from __future__ import annotations

import logging

from services.common.auth import Principal
from services.common.errors import AlreadyExists, PlatformError
from services.points import ledger_demo
from services.points.domain.exchange import STORE_UNIT_TYPES
from services.points.domain.rule_sets import RuleSetContent
from services.points.service_layer import commands, directory, exchange, rule_sets
from services.points.service_layer import exchange_commands as xc
from services.points.service_layer.unit_of_work import PointsUnitOfWorkFactory

log = logging.getLogger("partybuilding.points.demo")
DEMO_CODE = "610222"
DEMO_RULE_SET = "twelve-points"
DEMO_TEMPLATE = "xuanen"
DEMO_EFFECTIVE_FROM = "2026-01-01"


def load_demo_serving(uows: PointsUnitOfWorkFactory, code: str = DEMO_CODE) -> bool:
    """Once the platform serves: the directory from the organization, then the 宣恩 template
    adopted and published, the demo year of entries and the store, each only if the county has
    none yet (a restart adds nothing). True if the rules were adopted now.

    All of it needs the county in the directory (CreateRuleSet refuses a county the organization
    does not know), which is why it waits for the server instead of loading before it.
    """
    try:
        directory.resync(commands.ResyncDirectory(code), uows, Principal.operator("demo"))
    except PlatformError as exc:  # no such county (the organization's demo did not run): nothing to show
        log.warning("points demo: no directory for %s: %s", code, exc)
        return False
    adopted = _adopt(uows, code)
    ledger_demo.record_demo_year_once(uows, code)
    load_exchange_demo(uows, code)
    return adopted


def _adopt(uows: PointsUnitOfWorkFactory, code: str) -> bool:
    who = Principal.operator("demo")
    try:
        rule_sets.create_rule_set(commands.CreateRuleSet(code, DEMO_RULE_SET, "", "", RuleSetContent(None),
                                                         template=DEMO_TEMPLATE), uows, who)
    except AlreadyExists:
        return False
    rule_sets.publish_rule_set(commands.PublishRuleSet(code, DEMO_RULE_SET, DEMO_EFFECTIVE_FROM), uows, who)
    return True


# ------------------------------------------------------------ exchange (爱心超市)

# (name, price in points, stock): what a village store's shelf typically holds.
DEMO_GOODS = (("食用油 5L", 30, 20), ("大米 10kg", 25, 30), ("洗衣粉 2kg", 8, 50), ("毛巾", 5, 40),
              ("笔记本", 3, 100))


def _has_store(uows: PointsUnitOfWorkFactory, code: str) -> bool:
    with uows(code, write=False) as uow:
        return bool(uow.exchange.list_stores(None, None, 1))


def load_exchange_demo(uows: PointsUnitOfWorkFactory, code: str = DEMO_CODE) -> bool:
    """One community store with a few goods in the county's first village; True if opened now.

    The store needs its village in the directory, which the organization's events fill after the
    first start: until then (or once the county has a store) this does nothing.
    """
    if _has_store(uows, code):
        return False
    with uows(code, write=False) as uow:
        sites = [unit for unit in (uow.directory.unit(unit_id) for unit_id in sorted(uow.directory.ids(
            uow.directory.tables.units))) if unit is not None and unit.active and unit.type in STORE_UNIT_TYPES]
    if not sites:
        return False
    site = min(sites, key=lambda unit: unit.path)
    who = Principal.operator("demo")
    store = exchange.create_store(xc.CreateStore(code, f"{site.display_name}爱心超市", site.id), uows, who)
    for name, price, stock in DEMO_GOODS:
        exchange.create_goods(xc.CreateGoods(code, store.id, name, price, stock), uows, who)
    return True
