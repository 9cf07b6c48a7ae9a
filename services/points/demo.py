"""The demo county's points rules for `make run`: 宜君县 (610222) on the 宣恩-style twelve points.

The organization's demo (services/organization/demo.py) creates the county first: the platform
loads each service's demo in name order. The ledger's demo entries are added by its section.
The exchange's store (爱心超市) opens in the county's first village once the directory knows it
(a background thread, as the ledger's entries: demos load before the bus starts).
"""

from __future__ import annotations

import logging
import threading
import time

from services.common.auth import Principal
from services.common.errors import AlreadyExists, PlatformError
from services.points import ledger_demo
from services.points.domain.exchange import STORE_UNIT_TYPES
from services.points.domain.rule_sets import RuleSetContent
from services.points.service_layer import commands, exchange, rule_sets
from services.points.service_layer import exchange_commands as xc
from services.points.service_layer.unit_of_work import PointsUnitOfWorkFactory

log = logging.getLogger("partybuilding.points.demo")
DEMO_CODE = "610222"
DEMO_RULE_SET = "twelve-points"
DEMO_TEMPLATE = "xuanen"
DEMO_EFFECTIVE_FROM = "2026-01-01"


def load_demo(uows: PointsUnitOfWorkFactory, code: str = DEMO_CODE) -> bool:
    """Adopt the 宣恩 template in the demo county and publish it, unless already there; True if loaded.

    A rule set needs its county in the directory (CreateRuleSet refuses a county the organization
    does not know). On a first start the directory is still empty and the organization's server
    not yet listening, so the adoption then waits in the background, as the demo entries do.
    """
    if _has_rule_set(uows, code):
        start_exchange_demo(uows, code)  # a first start may have ended before the directory filled
        return False
    if _county_known(uows, code):
        _adopt(uows, code)
    else:
        threading.Thread(target=_adopt_when_known, args=(uows, code), name="points-demo-rules", daemon=True).start()
    return True


def _has_rule_set(uows: PointsUnitOfWorkFactory, code: str) -> bool:
    with uows(code, write=False) as uow:
        return uow.rule_sets.get(DEMO_RULE_SET) is not None


def _county_known(uows: PointsUnitOfWorkFactory, code: str) -> bool:
    """Whether the directory knows the county, reading it through (and storing it) once it can."""
    try:
        with uows(code) as uow:
            known = uow.directory.tenant() is not None
            uow.commit()
            return known
    except PlatformError:  # the organization's server is not listening yet
        return False


def _adopt_when_known(uows: PointsUnitOfWorkFactory, code: str) -> None:
    deadline = time.monotonic() + ledger_demo.WAIT_SECONDS
    while time.monotonic() < deadline:
        if _county_known(uows, code):
            try:
                _adopt(uows, code)
            except PlatformError as exc:  # the demo is an illustration: say what stopped it, keep serving
                log.warning("points demo rules stopped: %s", exc)
            return
        time.sleep(0.5)
    log.warning("points demo: the organization never answered for %s; no demo rules", code)


def _adopt(uows: PointsUnitOfWorkFactory, code: str) -> None:
    who = Principal.operator("demo")
    try:
        rule_sets.create_rule_set(commands.CreateRuleSet(code, DEMO_RULE_SET, "", "", RuleSetContent(None),
                                                         template=DEMO_TEMPLATE), uows, who)
    except AlreadyExists:
        return
    rule_sets.publish_rule_set(commands.PublishRuleSet(code, DEMO_RULE_SET, DEMO_EFFECTIVE_FROM), uows, who)
    ledger_demo.start_demo_entries(uows, code)
    start_exchange_demo(uows, code)


# ------------------------------------------------------------ exchange (爱心超市)

# (name, price in points, stock): what a village store's shelf typically holds.
DEMO_GOODS = (("食用油 5L", 30, 20), ("大米 10kg", 25, 30), ("洗衣粉 2kg", 8, 50), ("毛巾", 5, 40),
              ("笔记本", 3, 100))


def start_exchange_demo(uows: PointsUnitOfWorkFactory, code: str = DEMO_CODE,
                        wait_seconds: float = ledger_demo.WAIT_SECONDS) -> threading.Thread:
    """Open the demo store in the background as soon as the directory knows a village of the county."""
    def when_ready() -> None:
        deadline = time.monotonic() + wait_seconds
        while not load_exchange_demo(uows, code) and not _has_store(uows, code) and time.monotonic() < deadline:
            time.sleep(1.0)

    thread = threading.Thread(target=when_ready, name="points-demo-exchange", daemon=True)
    thread.start()
    return thread


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
