"""The notify service on the floor plan: hosted by the platform, its directory of the organization
rebuilt by ResyncDirectory, through gRPC on SQLite and PostgreSQL."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.notify.v1 import notify_service_pb2 as npb
from partybuilding.organization.v1 import organization_service_pb2 as opb

from services.notify.entrypoints.event_handlers import HANDLERS
from tests.helpers import County, expect

DENIED = grpc.StatusCode.PERMISSION_DENIED


def test_an_operator_resyncs_a_countys_directory_for_notify(platform):
    county = County(platform)
    town, station, villages = county.tree(villages=2)
    secretary = county.member(villages[0].name, "王书记")
    county.post(opb.SECRETARY, villages[0].name, secretary.name)
    request = npb.ResyncDirectoryRequest(parent=county.parent)
    counts = platform.notify.ResyncDirectory(request, metadata=platform.operator())
    assert (counts.units, counts.members, counts.posts, counts.removed) == (4, 1, 1, 0)
    with platform.runtime("notify").uow_factory(county.code, write=False) as uow:
        village_id = villages[0].name.rsplit("/", 1)[-1]
        [post] = uow.directory.current_posts(unit_id=village_id)
        assert (post.type, post.member_display_name) == ("SECRETARY", "王书记")
        assert len(uow.directory.units_in_subtree(town.name.rsplit("/", 1)[-1])) == 4
    # The county's own admin may not rebuild it, nor may anyone another county's.
    expect(DENIED, platform.notify.ResyncDirectory, request, metadata=county.admin, reason="METHOD_NOT_ALLOWED")
    other = County(platform)
    expect(DENIED, platform.notify.ResyncDirectory, npb.ResyncDirectoryRequest(parent=other.parent),
           metadata=platform.as_("operator", [county.code]))
    expect(grpc.StatusCode.NOT_FOUND, platform.notify.ResyncDirectory,
           npb.ResyncDirectoryRequest(parent="tenants/610298"), metadata=platform.operator())


def test_notify_consumes_the_organizations_events_into_its_directory():
    # The nameko worker and the embedded bus find these by name (services/common/events/registry.py).
    assert ("organization", "organization.unit_created") in HANDLERS
    assert ("organization", "organization.post_assigned") in HANDLERS


def test_every_table_of_one_countys_rows_is_fenced_by_row_level_security(platform):
    if platform.backend == "sqlite":
        pytest.skip("row-level security exists on PostgreSQL only")
    from sqlalchemy import text

    with platform.runtime("notify").engine.connect() as conn:
        fenced = set(conn.execute(text(
            "SELECT relname FROM pg_class JOIN pg_namespace n ON n.oid = relnamespace "
            "WHERE nspname = 'notify' AND relrowsecurity")).scalars())
    assert {"notices", "notice_recipients", "directory_units", "directory_posts", "outbox"} <= fenced
