"""The county sheet (组织体系导入导出表) as a county fills it: columns, record kinds, post entries.

One module for the layout, read by the xlsx/csv adapter and by the import planner, written by the
export; docs/import-format.md describes it for people.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from services.common.clock import iso_date
from services.organization.domain.model import Member, Post, TenantSettings, Unit

COLUMNS = (
    "record", "ref", "parent_ref", "type", "display_name", "division_code", "weak_and_lax",
    "demonstration_site", "star_level", "id_card_number", "phone", "gender", "status", "category",
    "joined_on", "education", "posts", "value",
)
REQUIRED_COLUMNS = ("record", "ref", "parent_ref", "type", "display_name")
UNIT, MEMBER, SETTING = "unit", "member", "setting"
# A county's own bounds travel with its tree: `setting` rows name a field of TenantSettings in `ref`.
SETTING_NAMES = tuple(f.name for f in dataclasses.fields(TenantSettings))
POST_SEP, POST_FIELD_SEP, ESCAPE = ";", "|", "\\"
POST_FIELDS = 5  # TYPE|unit_ref|start_date|term_end_date|dispatching_organ
FIRST_DATA_ROW = 2  # row 1 is the header, as a spreadsheet numbers it
# A county has about 10,000 members: a sheet with more data rows than this is refused unread, so
# one file cannot hold the server's memory and CPU for minutes (blank rows do not count).
MAX_DATA_ROWS = 200_000
SHEET_TITLE = "组织体系"


@dataclass(frozen=True)
class Row:
    """One data row: its number as the spreadsheet shows it, its cells by column, and the columns
    whose cell the file stored as a number (Excel keeps 15 digits of an 18-digit ID number)."""

    number: int
    cells: dict[str, str]
    numeric: frozenset[str] = frozenset()

    def get(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()


@dataclass(frozen=True)
class RowProblem:
    """Why one row (or the header, row 1) cannot be imported."""

    row: int
    column: str
    reason: str
    zh: str
    en: str


def rows_from_dicts(dicts: list[dict[str, str]]) -> list[Row]:
    """Number plain dicts as a sheet would: the first data row is row 2."""
    return [Row(i + FIRST_DATA_ROW, {k: "" if v is None else str(v) for k, v in d.items()}) for i, d in enumerate(dicts)]


def rows_from_table(table: list[list[str]], numeric: set[tuple[int, int]],
                    lines: list[int]) -> tuple[list[str], list[Row]]:
    """(header, data rows) of a table whose first line is the header; `lines[i]` is the 0-based
    line of the file that `table[i]` came from (blank lines were left out), so a row keeps the
    number the spreadsheet shows."""
    if not table:
        return [], []
    header = [h.strip().lower() for h in table[0]]
    rows = []
    for i, line in enumerate(table[1:], start=1):
        cells = {h: (line[j] if j < len(line) else "") for j, h in enumerate(header) if h}
        numbers = frozenset(header[j] for j in range(len(header)) if (i, j) in numeric)
        rows.append(Row(lines[i] + 1, cells, numbers))
    return header, rows


def check_header(header: list[str]) -> list[RowProblem]:
    """Missing required columns and unknown or repeated ones, reported against row 1."""
    problems = []
    for col in REQUIRED_COLUMNS:
        if col not in header:
            problems.append(RowProblem(1, col, "MISSING_COLUMN",
                                       f"缺少列“{col}”：请在第1行（表头）加上名为 {col} 的列（列名见 docs/import-format.md）",
                                       f"the column {col!r} is missing: add a column headed {col!r} to row 1 "
                                       "(the header; see docs/import-format.md)"))
    for col in header:
        if col and col not in COLUMNS:
            problems.append(RowProblem(1, col, "UNKNOWN_COLUMN",
                                       f"未知列“{col}”：请改成下列列名之一或删除该列：{', '.join(COLUMNS)}",
                                       f"unknown column {col!r}: rename it to one of {', '.join(COLUMNS)} or delete it"))
    seen = set()
    for col in header:
        if col in seen and col:
            problems.append(RowProblem(1, col, "DUPLICATE_COLUMN", f"列“{col}”重复：请删除多余的一列",
                                       f"the column {col!r} appears twice: delete one of them"))
        seen.add(col)
    return problems


# ---------------------------------------------------------------- post entries

def _escape(text: str) -> str:
    return text.replace(ESCAPE, ESCAPE * 2).replace(POST_SEP, ESCAPE + POST_SEP).replace(
        POST_FIELD_SEP, ESCAPE + POST_FIELD_SEP)


def format_posts(entries: list[list[str]]) -> str:
    """Entries of fields, escaped so that an organ named `市委组织部|驻村办` survives the trip."""
    return POST_SEP.join(POST_FIELD_SEP.join(_escape(f) for f in fields).rstrip(POST_FIELD_SEP) for fields in entries)


def split_posts(text: str) -> list[list[str]]:
    """The inverse of `format_posts`: `\\` escapes the next character; empty entries are dropped."""
    entries, fields, current, escaped = [], [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == ESCAPE:
            escaped = True
        elif ch == POST_FIELD_SEP:
            fields.append("".join(current).strip())
            current = []
        elif ch == POST_SEP:
            entries.append(fields + ["".join(current).strip()])
            fields, current = [], []
        else:
            current.append(ch)
    entries.append(fields + ["".join(current).strip()])
    return [e for e in entries if any(e)]


# ---------------------------------------------------------------- export rows

def _flag(value: bool) -> str:
    return "1" if value else ""


def unit_row(u: Unit) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(record=UNIT, ref=u.id, parent_ref=u.parent_id or "", type=u.type.value, display_name=u.display_name,
               division_code=u.division_code, weak_and_lax=_flag(u.weak_and_lax),
               demonstration_site=_flag(u.demonstration_site), star_level=str(u.star_level) if u.star_level else "")
    return row


def member_row(m: Member, posts: list[Post]) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    entries = [[p.type.value, "" if p.unit_id == m.unit_id else p.unit_id, p.start_date.isoformat(),
                iso_date(p.term_end_date), p.dispatching_organ] for p in posts]
    row.update(record=MEMBER, ref=m.id, parent_ref=m.unit_id, display_name=m.display_name,
               id_card_number=m.id_card_number, phone=m.phone, gender=m.gender, status=m.status.value,
               category=m.category.value, joined_on=iso_date(m.joined_on), education=m.education,
               posts=format_posts(entries))
    return row


def setting_rows(settings: TenantSettings) -> list[dict[str, str]]:
    rows = []
    for name in SETTING_NAMES:
        row = dict.fromkeys(COLUMNS, "")
        row.update(record=SETTING, ref=name, value=str(getattr(settings, name)))
        rows.append(row)
    return rows
