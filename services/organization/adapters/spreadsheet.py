"""The import/export sheet on disk: CSV (UTF-8, with a BOM so Excel shows Chinese) or .xlsx."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from services.organization.service_layer.bulk_import import COLUMNS, FIRST_DATA_ROW, Row

SHEET_TITLE = "组织体系"
FORMATS = (".csv", ".xlsx")


class SheetError(Exception):
    """The file cannot be read as a sheet at all (wrong extension, not a workbook...)."""


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise SheetError(f"{path.name}: 只支持 .csv 或 .xlsx 文件 / only .csv and .xlsx files are supported")
    return suffix


def _cell(value) -> str:
    """A cell as text: Excel may hand back numbers and dates where the sheet meant text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(path: str | Path) -> tuple[list[str], list[Row]]:
    """(header, data rows numbered as the spreadsheet shows them)."""
    path = Path(path)
    kind = _kind(path)
    if kind == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as f:
            table = [[_cell(v) for v in line] for line in csv.reader(f)]
    else:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
            raise SheetError(f"{path.name}: 不是有效的 xlsx 文件 / not a readable xlsx workbook ({exc})") from None
        try:
            table = [[_cell(v) for v in line] for line in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    if not table:
        return [], []
    header = [h.strip().lower() for h in table[0]]
    rows = []
    for i, line in enumerate(table[1:]):
        cells = {h: (line[j] if j < len(line) else "") for j, h in enumerate(header) if h}
        rows.append(Row(i + FIRST_DATA_ROW, cells))
    return header, rows


def write_sheet(path: str | Path, rows: list[dict[str, str]]) -> None:
    """Write rows in the import format; ID numbers and dates stay text so Excel does not mangle them."""
    path = Path(path)
    kind = _kind(path)
    if kind == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as f:
            writer = csv.DictWriter(f, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    ws.append(list(COLUMNS))
    for row in rows:
        ws.append([row.get(c, "") for c in COLUMNS])
    wb.save(path)
