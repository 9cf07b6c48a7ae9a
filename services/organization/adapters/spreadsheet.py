"""The county sheet as a file: .csv (UTF-8 with a BOM on export; UTF-8 or GBK/GB18030 on import) or .xlsx.

Cells are written and read by the kernel's `services.common.spreadsheet`, so text stays text
(no formula injection) and comes back unchanged.
"""

from __future__ import annotations

from pathlib import Path

from services.common import spreadsheet
from services.organization.domain.sheet import (
    COLUMNS,
    MAX_DATA_ROWS,
    SHEET_TITLE,
    Row,
    rows_from_table,
)

FORMATS = (".csv", ".xlsx")


class SheetError(Exception):
    """The file cannot be read as a sheet at all (wrong extension, not a workbook, unknown encoding,
    no header row) or holds more rows than an import takes; `reason` is the API's code for it."""

    def __init__(self, message: str, reason: str = "UNREADABLE_SHEET"):
        super().__init__(message)
        self.reason = reason


def kind_of(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix not in FORMATS:
        raise SheetError(f"{Path(file_name).name}: 只支持 .csv 或 .xlsx 文件 / only .csv and .xlsx files are supported")
    return suffix


def parse_sheet(data: bytes, kind: str) -> tuple[list[str], list[Row]]:
    """(header, data rows numbered as the spreadsheet shows them) of a file's bytes."""
    read = spreadsheet.read_csv if kind == ".csv" else spreadsheet.read_xlsx
    try:
        table = read(data, MAX_DATA_ROWS + 1)  # and the header
    except spreadsheet.UnreadableSheet as exc:
        raise SheetError(str(exc)) from None
    except spreadsheet.TooManyRows:
        raise SheetError(f"数据行超过{MAX_DATA_ROWS}行，请分成几个文件导入 / more than {MAX_DATA_ROWS} data rows: "
                         "split the sheet into several files", "TOO_MANY_ROWS") from None
    if not table.rows:
        raise SheetError("文件是空的，没有表头行（第1行列名） / the file is empty: it has no header row "
                         "(column names in row 1)")
    return rows_from_table(table.rows, table.numeric, table.lines)


def sheet_bytes(rows: list[dict[str, str]], kind: str) -> bytes:
    """Rows in the import format as the bytes of a .csv or .xlsx file."""
    lines = ([row.get(c, "") for c in COLUMNS] for row in rows)
    if kind == ".csv":
        return spreadsheet.csv_bytes(list(COLUMNS), lines)
    return spreadsheet.xlsx_bytes(list(COLUMNS), lines, SHEET_TITLE)


def read_sheet(path: str | Path) -> tuple[list[str], list[Row]]:
    path = Path(path)
    kind = kind_of(path.name)
    try:
        return parse_sheet(path.read_bytes(), kind)
    except SheetError as exc:
        raise SheetError(f"{path.name}: {exc}", exc.reason) from None


def write_sheet(path: str | Path, rows: list[dict[str, str]]) -> None:
    path = Path(path)
    path.write_bytes(sheet_bytes(rows, kind_of(path.name)))
