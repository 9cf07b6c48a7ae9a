"""The directory's conversions from the organization's resources and snapshots."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.directory.model import (
    DirectoryMember,
    DirectoryPost,
    DirectoryTenant,
    DirectoryUnit,
    version_of,
)
from tests import directory_snapshots as snap


@pytest.mark.parametrize(("etag", "version"), [('"3"', 3), ("3", 3), ('"12"', 12), ("", 0), ('W/"x"', 0)])
def test_a_version_is_read_from_the_etag(etag, version):
    assert version_of(etag) == version


def test_a_unit_from_its_snapshot_and_from_the_resource_agree():
    s = snap.unit("610222", "u-7", "/u-1/u-7/", 4, display_name="东村", weak_and_lax=True, star_level=2,
                  merged_into="tenants/610222/units/u-8", division_code="610222100201")
    from_snapshot, from_resource = DirectoryUnit.from_proto(s), DirectoryUnit.from_proto(s.unit)
    assert from_snapshot == from_resource == DirectoryUnit(
        tenant="610222", id="u-7", parent_id="u-1", path="/u-1/u-7/", depth=2, type="VILLAGE", display_name="东村",
        state="ACTIVE", merged_into="u-8", weak_and_lax=True, demonstration_site=False, star_level=2,
        division_code="610222100201", version=4)


def test_a_township_has_no_parent_and_an_unrated_unit_no_merge_target():
    u = DirectoryUnit.from_proto(snap.unit("610222", "u-1", "/u-1/", 1, type_=pb.TOWNSHIP))
    assert (u.parent_id, u.merged_into, u.type, u.active) == (None, None, "TOWNSHIP", True)


def test_the_snapshot_version_wins_over_the_etag():
    s = snap.unit("610222", "u-1", "/u-1/", 9)
    s.unit.etag = '"2"'
    assert DirectoryUnit.from_proto(s).version == 9


def test_an_enum_value_added_later_is_kept_as_its_number():
    s = snap.unit("610222", "u-1", "/u-1/", 1)
    s.unit.type = 42  # proto3 enums are open: a newer organization may send a type this build lacks
    assert DirectoryUnit.from_proto(s).type == "42"


def test_a_member_carries_no_personal_data():
    s = snap.member("610222", "m-1", "u-7", 3, gender=pb.FEMALE, status=pb.PROBATIONARY, category=pb.MIGRANT,
                    age_band="30-39", id_card_number="610222********1234", phone="138****0000")
    m = DirectoryMember.from_proto(s)
    assert m == DirectoryMember(tenant="610222", id="m-1", unit_id="u-7", display_name="张三", gender="FEMALE",
                                status="PROBATIONARY", category="MIGRANT", state="MEMBER_ACTIVE", age_band="30-39",
                                version=3)
    assert not {"id_card_number", "phone", "birth_date"} & set(vars(m))


def test_a_transferred_member_is_not_active():
    m = DirectoryMember.from_proto(snap.member("610222", "m-1", "u-7", 3, state=pb.TRANSFERRED_OUT))
    assert (m.state, m.active) == ("TRANSFERRED_OUT", False)


def test_a_post_has_dates_and_its_holder():
    p = DirectoryPost.from_proto(snap.post("610222", "p-1", "u-7", "m-1", 2, term_end_date="2029-01-04",
                                           end_date="2026-06-30"))
    assert (p.type, p.unit_id, p.member_id, p.member_display_name) == ("SECRETARY", "u-7", "m-1", "张三")
    assert (p.start_date, p.term_end_date, p.end_date, p.current, p.version) == (
        dt.date(2026, 1, 5), dt.date(2029, 1, 4), dt.date(2026, 6, 30), False, 2)


def test_a_post_without_an_etag_from_an_older_organization_has_version_zero():
    s = snap.post("610222", "p-1", "u-7", "m-1", 2)
    s.post.etag = ""
    assert DirectoryPost.from_proto(s.post).version == 0


def test_a_tenant_from_the_resource():
    t = DirectoryTenant.from_proto(snap.tenant("610222", 5, "宜君县").tenant)
    assert (t.tenant, t.id, t.display_name, t.city_code, t.time_zone, t.locale, t.version) == (
        "610222", "610222", "宜君县", "610200", "Asia/Shanghai", "zh-CN", 5)


def test_another_message_is_refused():
    with pytest.raises(TypeError):
        DirectoryUnit.from_proto(pb.Member())


def test_an_event_worker_can_import_the_directory_without_grpcio():
    # The nameko worker imports the handlers and the repository; only client.py may import grpc.
    probe = ("import sys; from services.common.directory import handlers, repository, resync; "
             "assert 'grpc' not in sys.modules, sorted(m for m in sys.modules if m.startswith('grpc'))")
    subprocess.run([sys.executable, "-c", probe], check=True)
