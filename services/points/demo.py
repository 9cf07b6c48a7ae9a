"""The demo county's points rules for `make run`: 宜君县 (610222) on the 宣恩-style twelve points.

The organization's demo (services/organization/demo.py) creates the county first: the platform
loads each service's demo in name order. The ledger's demo entries are added by its section.
"""

from __future__ import annotations

from services.common.auth import Principal
from services.common.errors import AlreadyExists
from services.points.domain.rule_sets import RuleSetContent
from services.points.service_layer import commands, rule_sets
from services.points.service_layer.unit_of_work import PointsUnitOfWorkFactory

DEMO_CODE = "610222"
DEMO_RULE_SET = "twelve-points"
DEMO_TEMPLATE = "xuanen"
DEMO_EFFECTIVE_FROM = "2026-01-01"


def load_demo(uows: PointsUnitOfWorkFactory, code: str = DEMO_CODE) -> bool:
    """Adopt the 宣恩 template in the demo county and publish it, unless already there; True if loaded."""
    who = Principal.operator("demo")
    try:
        rule_sets.create_rule_set(commands.CreateRuleSet(code, DEMO_RULE_SET, "", "", RuleSetContent(None),
                                                         template=DEMO_TEMPLATE), uows, who)
    except AlreadyExists:
        return False
    rule_sets.publish_rule_set(commands.PublishRuleSet(code, DEMO_RULE_SET, DEMO_EFFECTIVE_FROM), uows, who)
    return True
