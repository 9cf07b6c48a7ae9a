"""ID numbers, phones and birth dates are sealed at rest; one person is active in one county
(issue 6, items 2 and 6)."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import insert, select, text

from services.common.clock import utcnow
from services.organization.adapters import tables as t
from services.organization.domain.sheet import rows_from_dicts
from services.organization.service_layer.bulk_import import import_rows
from tests.helpers import County, expect, id_card
from tests.integration.migrating import at_revision, database, upgraded


def _raw_rows(platform, code: str) -> str:
    with platform.org_uow(code, write=False) as uow:
        rows = uow.conn.execute(select(t.members).where(t.members.c.tenant == code)).all()
        registry = uow.conn.execute(select(t.person_registry)).all()
    return repr(rows) + repr(registry)


def test_the_database_holds_no_id_number_phone_or_birth_date_in_clear(platform):
    county = County(platform)
    town = county.unit(pb.TOWNSHIP, "彭镇")
    number = id_card(born="19850312")
    member = county.member(town.name, id_card_number=number, phone="13812345678")
    raw = _raw_rows(platform, county.code)
    for secret in (number, number[6:14], "13812345678", "1985-03-12"):
        assert secret not in raw
    got = platform.stub.GetMember(pb.GetMemberRequest(name=member.name), metadata=county.admin)
    assert (got.id_card_number, got.phone, got.birth_date) == (number, "13812345678", "1985-03-12")


def test_one_person_is_active_in_one_county_only(platform):
    first, second, third = County(platform), County(platform), County(platform)
    towns = [c.unit(pb.TOWNSHIP, "彭镇") for c in (first, second, third)]
    number = id_card()
    member = first.member(towns[0].name, id_card_number=number)
    for county, town in ((second, towns[1]), (third, towns[2])):
        d = expect(grpc.StatusCode.ALREADY_EXISTS, county.member, town.name, id_card_number=number,
                   reason="MEMBER_ACTIVE_ELSEWHERE")
        assert first.code not in d.zh
    # Correcting another member's ID number to this one is refused the same way.
    other = second.member(towns[1].name, "李四")
    expect(grpc.StatusCode.ALREADY_EXISTS, platform.stub.UpdateMember, pb.UpdateMemberRequest(
        member=pb.Member(name=other.name, id_card_number=number), update_mask=field_mask_pb2.FieldMask(
            paths=["id_card_number"])), metadata=second.admin, reason="MEMBER_ACTIVE_ELSEWHERE")
    # An import names the row, never the county, and writes nothing.
    rows = [{"record": "member", "parent_ref": towns[2].name.rsplit("/", 1)[-1], "display_name": "张三",
             "id_card_number": number}]
    report = import_rows(rows_from_dicts(rows), platform.org_uow(third.code))
    assert [(p.row, p.column, p.reason) for p in report.problems] == [(2, "id_card_number", "MEMBER_ACTIVE_ELSEWHERE")]
    assert first.code not in report.problems[0].zh and not report.written and not third.members()
    # A transfer moves the person: now the second county holds them, and the first may not re-record them.
    moved = platform.stub.TransferMember(pb.TransferMemberRequest(name=member.name, to_unit=towns[1].name),
                                         metadata=platform.operator())
    assert moved.name.startswith(second.parent)
    expect(grpc.StatusCode.ALREADY_EXISTS, third.member, towns[2].name, id_card_number=number,
           reason="MEMBER_ACTIVE_ELSEWHERE")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migration_0004_seals_existing_rows(backend, tmp_path):
    number, now = id_card(born="19790101"), utcnow()
    with database(backend, tmp_path) as url:
        with at_revision(backend, url, "0001") as conn:
            for code, member_id, state in (("610201", "m-old", "MEMBER_ACTIVE"), ("610202", "m-moved", "TRANSFERRED_OUT")):
                conn.execute(insert(t.tenants).values(code=code, display_name="旧县", city_code="610200", settings="{}",
                                                      created_at=now, updated_at=now))
                conn.execute(text(
                    "INSERT INTO members (id, tenant, unit_id, display_name, gender, id_card_number, phone, status,"
                    " category, joined_on, education, birth_date, state, version, created_at, updated_at) VALUES"
                    " (:id, :tenant, 'u1', '老党员', 'MALE', :number, '13900001111', 'FULL', 'ORDINARY_FARMER', '',"
                    " '', '1979-01-01', :state, 1, :now, :now)"),
                    {"id": member_id, "tenant": code, "number": number, "state": state, "now": now})
        with upgraded(backend, url) as factory:
            with factory("610201", write=False) as uow:
                member = uow.members.by_id_card(number)
                assert (member.id, member.phone, member.birth_date) == ("m-old", "13900001111", "1979-01-01")
                raw = repr(uow.conn.execute(select(t.members)).all())
                assert number not in raw and "13900001111" not in raw
                registry = uow.conn.execute(select(t.person_registry.c.county, t.person_registry.c.member_id)).all()
            assert [tuple(r) for r in registry] == [("610201", "m-old")]
            with factory("610202", write=False) as uow:
                assert uow.members.active_elsewhere([number]) == {number}
