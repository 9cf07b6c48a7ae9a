"""The import sheet: reading CSV/xlsx, and a plan that names every bad row with its number."""

from __future__ import annotations

import datetime as dt

import pytest

from services.organization.adapters.spreadsheet import SheetError, read_sheet, write_sheet
from services.organization.domain.model import PostType, TenantSettings, Unit, UnitType
from services.organization.domain.personal_data import id_card_problem
from services.organization.domain.sheet import (
    COLUMNS,
    Row,
    check_header,
    format_posts,
    rows_from_dicts,
    split_posts,
)
from services.organization.service_layer.import_plan import ImportContext, parse_posts, plan_import
from services.pbctl.org import problem_line
from tests.helpers import id_card

TODAY = dt.date(2026, 6, 1)


def unit(ref, parent, type_, name, **extra):
    return {"record": "unit", "ref": ref, "parent_ref": parent, "type": type_, "display_name": name, **extra}


def member(unit_ref, seq, name="张三", **extra):
    return {"record": "member", "parent_ref": unit_ref, "display_name": name, "id_card_number": id_card(seq=seq), **extra}


def ctx(**kw) -> ImportContext:
    return ImportContext(tenant="610222", settings=TenantSettings(**kw), today=TODAY)


def good_sheet() -> list[dict]:
    return [
        unit("T1", "", "TOWNSHIP", "彭镇"),
        unit("S1", "T1", "WORK_STATION", "彭镇第一工作站"),
        unit("V1", "S1", "VILLAGE", "东村", star_level="3", weak_and_lax="1"),
        unit("V2", "S1", "VILLAGE", "西村"),
        member("V1", 1, posts="SECRETARY||2021-01-01|2026-12-31;VILLAGE_DIRECTOR"),
        member("T1", 2, posts="STATION_CHIEF|S1|2024-01-01"),
        member("V2", 3, phone="13912345678",
               posts="FIRST_SECRETARY||2024-07-01|2026-06-30|铜川市委组织部"),
    ]


def test_a_good_sheet_plans_every_row_parents_first():
    plan = plan_import(rows_from_dicts(list(reversed(good_sheet()))), ctx())
    assert plan.problems == []
    assert [u.display_name for u in plan.units][0] == "彭镇", "a parent given after its child still comes first"
    by_name = {u.display_name: u for u in plan.units}
    assert by_name["东村"].path == f"/{by_name['彭镇'].id}/{by_name['彭镇第一工作站'].id}/{by_name['东村'].id}/"
    assert by_name["东村"].weak_and_lax and by_name["东村"].star_level == 3
    assert len(plan.members) == 3
    assert sorted(p.type for p in plan.posts) == sorted([PostType.SECRETARY, PostType.VILLAGE_DIRECTOR,
                                                         PostType.STATION_CHIEF, PostType.FIRST_SECRETARY])
    director = next(p for p in plan.posts if p.type is PostType.VILLAGE_DIRECTOR)
    assert director.start_date == TODAY, "an empty start date means today"


def test_every_bad_row_is_reported_with_its_number():
    rows = good_sheet() + [
        unit("V3", "T1", "STATION", "坏类型"),                          # row 9: unknown type
        unit("S2", "V1", "WORK_STATION", "挂错了"),                     # row 10: illegal parent
        unit("V4", "NOPE", "VILLAGE", "无上级"),                        # row 11: unknown parent
        unit("S1", "T1", "WORK_STATION", "重复"),                       # row 12: duplicate ref
        member("V1", 4, name="李四", phone="12345"),                   # row 13: bad phone
        {**member("V1", 5), "id_card_number": id_card(seq=5)[:-1] + ("0" if id_card(seq=5)[-1] != "0" else "1")},  # 14
        member("V2", 1, name="王五"),                                   # row 15: duplicate ID number of row 6
        member("V2", 6, posts="SECRETARY"),                             # row 16: 2nd secretary of 西村? no: ok
        member("V2", 7, posts="SECRETARY"),                             # row 17: secretary full
        member("S1", 8, posts="VILLAGE_DIRECTOR"),                      # row 18: director not in a station
        member("V1", 9, posts="FIRST_SECRETARY"),                       # row 19: no term, no organ
        member("V1", 10, posts="BOSS|V1"),                              # row 20: unknown post type
        {"record": "person", "display_name": "x"},                      # row 21: unknown record
    ]
    plan = plan_import(rows_from_dicts(rows), ctx())
    by_row = {}
    for p in plan.problems:
        by_row.setdefault(p.row, set()).add(p.reason)
    assert set(by_row) == {9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21}, plan.problems
    assert "ILLEGAL_PARENT_TYPE" in by_row[10]
    assert "UNKNOWN_PARENT" in by_row[11]
    assert "DUPLICATE_ID_CARD" in by_row[15]
    assert "POST_FULL" in by_row[17]
    assert "POST_NOT_ALLOWED_IN_UNIT" in by_row[18]
    assert "UNKNOWN_RECORD" in by_row[21]
    columns = {(p.row, p.column) for p in plan.problems}
    assert (13, "phone") in columns and (14, "id_card_number") in columns
    for p in plan.problems:
        assert p.zh and p.en, "every problem is explained in Chinese and English"
        line = problem_line(p.row, p.column, p.reason, p.zh, p.en)
        assert f"第{p.row}行" in line and f"row {p.row}" in line


def test_station_maximum_names_the_overfilling_rows():
    rows = [unit("T1", "", "TOWNSHIP", "彭镇"), unit("S1", "T1", "WORK_STATION", "一站")]
    rows += [unit(f"V{i}", "S1", "VILLAGE", f"村{i}") for i in range(5)]
    plan = plan_import(rows_from_dicts(rows), ctx(work_station_max_villages=3))
    assert sorted(p.row for p in plan.problems if p.reason == "WORK_STATION_FULL") == [7, 8]


def test_station_maximum_counts_villages_already_there():
    station = Unit("u-s", "610222", UnitType.WORK_STATION, "一站", "u-t", "/u-t/u-s/", 2)
    context = ctx(work_station_max_villages=4)
    context.existing_units = {"u-s": station}
    context.station_coverage = {"u-s": 3}
    plan = plan_import(rows_from_dicts([unit("V1", "u-s", "VILLAGE", "新村"), unit("V2", "u-s", "VILLAGE", "新村2")]),
                       context)
    assert [p.row for p in plan.problems] == [3]
    assert plan.units[0].parent_id == "u-s", "an existing unit id serves as parent_ref"


def test_an_id_number_already_in_the_county_is_refused():
    context = ctx()
    context.existing_id_cards = {id_card(seq=1)}
    plan = plan_import(rows_from_dicts([unit("T1", "", "TOWNSHIP", "彭镇"), member("T1", 1)]), context)
    assert [(p.row, p.reason) for p in plan.problems] == [(3, "MEMBER_EXISTS")]


def test_parent_cycle_is_reported():
    rows = [unit("A", "B", "BRANCH", "甲"), unit("B", "A", "PARTY_GROUP", "乙")]
    plan = plan_import(rows_from_dicts(rows), ctx())
    assert plan.units == [] and {p.row for p in plan.problems} == {2, 3}


def test_parse_posts_entries_and_problems():
    specs, problems = parse_posts("SECRETARY||2021-01-01|2026-12-31; first_secretary|V1|2024-07-01|2026-06-30|某局;"
                                  "X|V1;SECRETARY||2021-13-01")
    assert [s.type for s in specs] == [PostType.SECRETARY, PostType.FIRST_SECRETARY]
    assert specs[1].unit_ref == "V1" and specs[1].dispatching_organ == "某局"
    assert [r for r, _, _ in problems] == ["UNKNOWN_POST_TYPE", "MALFORMED_DATE"]


def test_header_problems_name_missing_and_unknown_columns():
    problems = check_header(["record", "ref", "type", "display_name", "nickname"])
    assert {(p.row, p.column, p.reason) for p in problems} == {
        (1, "parent_ref", "MISSING_COLUMN"), (1, "nickname", "UNKNOWN_COLUMN")}
    assert check_header(list(COLUMNS)) == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sheet_files_round_trip_as_text(tmp_path, suffix):
    rows = [dict.fromkeys(COLUMNS, "") | r for r in good_sheet()]
    path = tmp_path / f"county{suffix}"
    write_sheet(path, rows)
    header, read = read_sheet(path)
    assert header == list(COLUMNS)
    assert [r.number for r in read] == list(range(2, 2 + len(rows)))
    assert [r.cells for r in read] == rows, "ID numbers, dates and leading zeros survive as text"


def test_xlsx_numbers_and_dates_typed_by_hand_become_text(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["record", "ref", "parent_ref", "type", "display_name", "star_level", "joined_on"])
    ws.append(["unit", "T1", None, "TOWNSHIP", "彭镇", 3, dt.datetime(2001, 7, 1)])
    wb.save(tmp_path / "typed.xlsx")
    _, rows = read_sheet(tmp_path / "typed.xlsx")
    assert rows[0].cells["star_level"] == "3" and rows[0].cells["joined_on"] == "2001-07-01"
    assert rows[0].cells["parent_ref"] == ""


def test_other_file_kinds_are_refused(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(SheetError):
        read_sheet(tmp_path / "a.txt")


def test_an_unreadable_cell_is_a_row_problem_not_a_traceback():
    rows = good_sheet() + [unit("V9", "S1", "VILLAGE", "上标村", star_level="²"),        # row 9
                           unit("V8", "S1", "VILLAGE", "全角村", star_level="３"),       # row 10
                           {"record": "setting", "ref": "work_station_max_villages", "value": "⁷"}]  # row 11
    plan = plan_import(rows_from_dicts(rows), ctx())
    assert {(p.row, p.column) for p in plan.problems} == {(9, "star_level"), (10, "star_level"), (11, "value")}


def test_an_id_number_excel_stored_as_a_number_says_what_to_do():
    rows = [unit("T1", "", "TOWNSHIP", "彭镇"), member("T1", 1, id_card_number="6.10222E+17")]
    # What openpyxl hands back for an 18-digit number Excel kept to 15 significant digits.
    rounded = next(r for r in (str(int(float(id_card(seq=seq)))) for seq in range(1, 20)) if id_card_problem(r))
    numeric = Row(3, {**rows_from_dicts(rows)[1].cells, "id_card_number": rounded}, frozenset({"id_card_number"}))
    for sheet_rows in (rows_from_dicts(rows), [rows_from_dicts(rows)[0], numeric]):
        plan = plan_import(sheet_rows, ctx())
        [problem] = plan.problems
        assert problem.column == "id_card_number" and "format the column as Text" in problem.en
        assert "文本" in problem.zh


def test_a_missing_column_message_says_what_to_add():
    [problem] = check_header(["record", "ref", "type", "display_name"])
    assert "add a column headed 'parent_ref' to row 1" in problem.en and "第1行" in problem.zh


def test_a_dispatching_organ_with_separators_survives_the_round_trip():
    organ = "市委组织部|驻村办;第二批"
    text = format_posts([["FIRST_SECRETARY", "", "2024-07-01", "2026-06-30", organ], ["RESERVE_CADRE"]])
    assert split_posts(text) == [["FIRST_SECRETARY", "", "2024-07-01", "2026-06-30", organ], ["RESERVE_CADRE"]]
    specs, problems = parse_posts(text)
    assert problems == [] and specs[0].dispatching_organ == organ


def test_setting_rows_change_the_bounds_the_plan_checks():
    rows = [{"record": "setting", "ref": "work_station_max_villages", "value": "9"},
            unit("T1", "", "TOWNSHIP", "彭镇"), unit("S1", "T1", "WORK_STATION", "一站")]
    rows += [unit(f"V{i}", "S1", "VILLAGE", f"村{i}") for i in range(9)]
    plan = plan_import(rows_from_dicts(rows), ctx())
    assert plan.problems == [] and plan.settings.work_station_max_villages == 9
    rows[0]["value"] = "99"
    assert (2, "value") in {(p.row, p.column) for p in plan_import(rows_from_dicts(rows), ctx()).problems}


def test_progress_counts_every_row_once():
    seen = []
    rows = rows_from_dicts(good_sheet() + [{"record": "person"}, {}])
    plan_import(rows, ctx(), progress=seen.append)
    assert seen == list(range(1, len(rows) + 1))
