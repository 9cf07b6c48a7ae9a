"""Units' member counts are a column that writes of members keep (issue 11): after each write path
(an import, a create, an update, a transfer within and out of the county, a merge) every unit's
count, as ListUnits and GetUnit show it, is the number of active members ListMembers lists there.
And migration 0007 backfills the column from the members a database already holds."""

from __future__ import annotations

from collections import Counter

import pytest
from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import text

from services.common.clock import utcnow
from services.common.config import DEV_DATA_KEY
from services.common.sealing import DataKey
from services.organization.adapters.spreadsheet import sheet_bytes
from services.organization.demo import county_rows
from tests.helpers import County, id_card
from tests.integration.migrating import at_revision, database, upgraded
from tests.integration.test_import_export import SMALL
from tests.integration.test_import_rpc import _import


def _check_counts(county: County) -> dict[str, int]:
    """Every unit's count against the active members listed in it; the counts by unit name."""
    listed = county.units(show_inactive=True)
    members = Counter(m.unit for m in county.members())
    counts = {u.name: u.member_count for u in listed}
    assert counts == {u.name: members[u.name] for u in listed}
    for unit in listed[:3]:
        got = county.s.GetUnit(pb.GetUnitRequest(name=unit.name), metadata=county.admin)
        assert got.member_count == counts[unit.name]
    return counts


def _by_name(county: County, display_name: str) -> pb.Unit:
    return next(u for u in county.units() if u.display_name == display_name)


def test_counts_follow_every_write_of_members(platform):
    county = County(platform)
    assert _import(platform, county.code, sheet_bytes(county_rows(county.code, SMALL), ".xlsx"), county.admin).written
    counts = _check_counts(county)
    villages = [u for u in county.units(types=[pb.VILLAGE]) if counts[u.name] >= 2]
    first, second, third = villages[:3]

    created = county.member(first.name, "新党员")
    assert _check_counts(county)[first.name] == counts[first.name] + 1

    s, md = county.s, county.admin
    s.UpdateMember(pb.UpdateMemberRequest(member=pb.Member(name=created.name, display_name="改名", etag=created.etag),
                                          update_mask=field_mask_pb2.FieldMask(paths=["display_name"])), metadata=md)
    assert _check_counts(county)[first.name] == counts[first.name] + 1

    moved = s.GetMember(pb.GetMemberRequest(name=created.name), metadata=md)
    s.TransferMember(pb.TransferMemberRequest(name=moved.name, to_unit=second.name, etag=moved.etag), metadata=md)
    after_transfer = _check_counts(county)
    assert (after_transfer[first.name], after_transfer[second.name]) == (counts[first.name], counts[second.name] + 1)

    elsewhere = County(platform)
    town = elsewhere.unit(pb.TOWNSHIP, "彭镇")
    leaving = s.GetMember(pb.GetMemberRequest(name=created.name), metadata=md)
    s.TransferMember(pb.TransferMemberRequest(name=leaving.name, to_unit=town.name, etag=leaving.etag,
                                              reason="外出务工"), metadata=platform.operator())
    assert _check_counts(county)[second.name] == counts[second.name]
    assert _check_counts(elsewhere)[town.name] == 1

    s.MergeUnits(pb.MergeUnitsRequest(target=first.name, sources=[second.name, third.name], reason="撤并"),
                 metadata=md)
    merged = _check_counts(county)
    assert merged[first.name] == counts[first.name] + counts[second.name] + counts[third.name]
    assert merged[second.name] == merged[third.name] == 0


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migration_0007_counts_the_members_already_recorded(backend, tmp_path):
    key, now = DataKey(DEV_DATA_KEY), utcnow()
    with database(backend, tmp_path) as url:
        with at_revision(backend, url, "0006") as conn:
            conn.execute(text(
                "INSERT INTO tenants (code, display_name, city_code, settings, created_at, updated_at) VALUES"
                " ('610201', '旧县', '610200', '{}', :now, :now)"), {"now": now})
            for unit_id, path in (("u-full", "/u-full/"), ("u-empty", "/u-empty/")):
                conn.execute(text(
                    "INSERT INTO units (id, tenant, type, display_name, parent_id, path, depth, state, version,"
                    " created_at, updated_at) VALUES (:id, '610201', 'TOWNSHIP', :id, NULL, :path, 1, 'ACTIVE', 1,"
                    " :now, :now)"), {"id": unit_id, "path": path, "now": now})
            for member_id, state in (("m-1", "MEMBER_ACTIVE"), ("m-2", "MEMBER_ACTIVE"), ("m-gone", "TRANSFERRED_OUT")):
                number = id_card()
                conn.execute(text(
                    "INSERT INTO members (id, tenant, unit_id, display_name, gender, id_card_sealed, id_card_digest,"
                    " phone_sealed, status, category, joined_on, education, birth_date_sealed, state, version,"
                    " created_at, updated_at) VALUES (:id, '610201', 'u-full', '老党员', 'MALE', :sealed, :digest, '',"
                    " 'FULL', 'ORDINARY_FARMER', NULL, '', :born, :state, 1, :now, :now)"),
                    {"id": member_id, "sealed": key.seal("id_card_number", number),
                     "digest": key.digest("id_card_number", number), "born": key.seal("birth_date", "1979-01-01"),
                     "state": state, "now": now})
        with upgraded(backend, url) as factory, factory("610201", write=False) as uow:
            assert {u: uow.queries.unit(u).member_count for u in ("u-full", "u-empty")} == {"u-full": 2, "u-empty": 0}
