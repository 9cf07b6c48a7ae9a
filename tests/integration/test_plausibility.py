"""Implausible dates are refused with a message saying why (issue 6, item 6)."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.organization.domain.sheet import rows_from_dicts
from services.organization.service_layer.bulk_import import import_rows
from tests.helpers import County, expect, id_card


@pytest.fixture
def county(platform):
    return County(platform)


@pytest.mark.parametrize("fields,field,zh", [
    ({"id_card_number": id_card(born="20200101")}, "member.id_card_number", "年满18周岁"),
    ({"id_card_number": id_card(born="20990101")}, "member.id_card_number", "晚于今天"),
    ({"joined_on": "2099-07-01"}, "member.joined_on", "晚于今天"),
    ({"joined_on": "1901-07-01"}, "member.joined_on", "建党"),
    ({"id_card_number": id_card(born="19800101"), "joined_on": "1997-07-01"}, "member.joined_on", "年满18周岁"),
])
def test_implausible_member_dates_are_refused(county, fields, field, zh):
    town = county.unit(pb.TOWNSHIP, "彭镇")
    d = expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, town.name, field=field, **fields)
    assert zh in d.zh
    assert not county.members()


@pytest.mark.parametrize("start,zh", [("1901-01-01", "建党"), ("1997-12-31", "年满18周岁"), ("2099-01-01", "晚于今天")])
def test_implausible_post_starts_are_refused(platform, county, start, zh):
    town = county.unit(pb.TOWNSHIP, "彭镇")
    holder = county.member(town.name, id_card_number=id_card(born="19800101"))
    d = expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.SECRETARY, town.name, holder.name,
               start_date=start, field="post.start_date", reason="IMPLAUSIBLE_DATE")
    assert zh in d.zh
    assert county.post(pb.SECRETARY, town.name, holder.name, start_date="1998-01-01").current
    rows = [{"record": "member", "parent_ref": town.name.rsplit("/", 1)[-1], "display_name": "李四",
             "id_card_number": id_card(born="19800101"), "posts": f"COMMITTEE_MEMBER||{start}"}]
    report = import_rows(rows_from_dicts(rows), platform.org_uow(county.code))
    assert [(p.column, p.reason) for p in report.problems] == [("posts", "IMPLAUSIBLE_DATE")]
