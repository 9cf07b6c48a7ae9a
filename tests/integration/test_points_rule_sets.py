"""Points rule sets through gRPC on SQLite and PostgreSQL: create, adopt, update, publish, revisions."""

from __future__ import annotations

import grpc
from partybuilding.points.v1 import points_service_pb2 as ppb

from tests.helpers import County, expect


def test_the_platform_hosts_the_points_service(platform):
    assert "points" in [rt.name for rt in platform.runtimes]
    county = County(platform)
    templates = platform.points.ListRuleSetTemplates(ppb.ListRuleSetTemplatesRequest(), metadata=county.admin)
    assert {t.template for t in templates.templates} == {"chaohu", "xuanen"}
    listed = platform.points.ListRuleSets(ppb.ListRuleSetsRequest(parent=county.parent), metadata=county.admin)
    assert list(listed.rule_sets) == []
    expect(grpc.StatusCode.PERMISSION_DENIED, platform.points.ListRuleSets,
           ppb.ListRuleSetsRequest(parent=county.parent), metadata=platform.as_("county_admin", ["610299"]))
