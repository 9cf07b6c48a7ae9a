"""Spreadsheet cells every service writes and reads: text stays text, files decode as Excel saves them.

Formula injection (OWASP "CSV injection"): a name such as `=HYPERLINK(...)` must never become a
live formula in a sheet full of ID numbers. In .xlsx every cell is written as a string cell with
`quotePrefix`, so Excel shows it as text and even re-editing keeps it text, and the value is
stored unchanged. CSV has no types, so a value that a spreadsheet would evaluate (leading
`= + - @`, tab or CR, after any apostrophes) gets one leading `'`; `from_csv_text` removes exactly
that one, so import reads back what export wrote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_GUARD = "'"
# Excel's defaults: UTF-8 ("CSV UTF-8", with a BOM) and, on Chinese Windows, GBK; GB18030 is its superset.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# Characters XML 1.0 cannot carry: openpyxl refuses them, which would stop a whole export.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class UnreadableSheet(Exception):
    """The bytes are not a sheet at all (not a workbook, not text in a known encoding)."""


class TooManyRows(Exception):
    """The sheet holds more non-blank lines than the caller's bound; reading stopped there."""


def formula_like(text: str) -> bool:
    """Would a spreadsheet evaluate this text (once any guarding apostrophes are taken off)?"""
    return text.lstrip(CSV_GUARD)[:1] in FORMULA_TRIGGERS


def to_csv_text(text: str) -> str:
    return CSV_GUARD + text if formula_like(text) else text


def from_csv_text(text: str) -> str:
    """The inverse of `to_csv_text`: only the apostrophe it added is removed."""
    return text[1:] if text.startswith(CSV_GUARD) and formula_like(text[1:]) else text


def csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Chinese."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([to_csv_text(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(header: list[str], rows: Iterable[list[str]], title: str) -> bytes:
    """One worksheet; every cell a string cell, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=_XML_ILLEGAL.sub("\ufffd", value))
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell

    ws.append([text_cell(h) for h in header])
    for row in rows:
        ws.append([text_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class Table:
    """The non-blank lines' cells as text; `lines` holds each one's 0-based line in the file (blank
    lines are skipped as they are read, so a file padded with millions of them costs no memory);
    `numeric` holds (row index, column index) of cells the file stored as numbers, which for an ID
    number means Excel has already cut it to 15 digits."""

    max_lines: int
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    numeric: set[tuple[int, int]] = field(default_factory=set)

    def add(self, line: int, cells: list[str]) -> bool:
        """Keep a non-blank line (True); raises TooManyRows past `max_lines`."""
        if not any(cells):
            return False
        if len(self.rows) >= self.max_lines:
            raise TooManyRows(self.max_lines)
        self.rows.append(cells)
        self.lines.append(line)
        return True


def decode_csv(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableSheet("CSV 文件不是 UTF-8 或 GBK/GB18030 编码 / the CSV file is neither UTF-8 nor GBK/GB18030 text")


def read_csv(data: bytes, max_lines: int) -> Table:
    """At most `max_lines` non-blank lines (TooManyRows beyond)."""
    table = Table(max_lines)
    reader = csv.reader(io.StringIO(decode_csv(data), newline=""))
    for i in itertools.count():
        starts_on = reader.line_num + 1  # the record's first line, as an editor numbers it
        try:
            line = next(reader)
        except StopIteration:
            return table
        except csv.Error as exc:  # a cell over the csv module's field limit (128 KiB): not a sheet we read
            raise UnreadableSheet(f"CSV 第{starts_on}行无法读取（{exc}） / line {starts_on} of the CSV cannot be "
                                  f"read: {exc}") from None
        if line:
            table.add(i, [from_csv_text(v.strip()) for v in line])


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(data: bytes, max_lines: int) -> Table:
    """The first worksheet, formulas read as their cached values; at most `max_lines` non-blank rows."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for bytes that are not a workbook
        raise UnreadableSheet(f"不是有效的 xlsx 文件 / not a readable xlsx workbook ({type(exc).__name__})") from None
    table = Table(max_lines)
    try:
        ws = wb.worksheets[0]
        # openpyxl pads every row to the sheet's recorded width, which one stray cell in column XFD
        # makes 16,384: rows are read only as wide as the header (nothing right of it has a column).
        header = next((line for line in ws.iter_rows(values_only=True) if any(v is not None for v in line)), ())
        width = max((j + 1 for j, v in enumerate(header) if v is not None), default=0)
        # read_only: rows stream from the file, and the run of absent rows openpyxl fills in is one
        # shared empty tuple, skipped here.
        for i, line in enumerate(ws.iter_rows(max_col=width, values_only=True) if width else ()):
            if any(v is not None for v in line) and table.add(i, [_cell_text(v) for v in line]):
                row = len(table.rows) - 1
                table.numeric |= {(row, j) for j, v in enumerate(line)
                                  if isinstance(v, int | float) and not isinstance(v, bool)}
    finally:
        wb.close()
    return table
