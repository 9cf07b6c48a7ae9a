"""The results table a county office prints (考核结果排名表), as an .xlsx workbook.

Row 1 the title (e.g. "2026年度评星定级 考核结果（2026）"), row 2 the headings: 排名, 乡镇,
单位/姓名, one column per dimension (its contribution), 扣分, 总分, 调整前等级, 等级, 负面清单;
then one row per target in rank order. Every cell is text (services/common/spreadsheet.py), so a
village named "=1+1" prints as its name and scores keep their two decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.assessment.domain.amounts import from_centi
from services.assessment.domain.result_records import ResultRecord, dimensions_of, negatives_of
from services.assessment.domain.scheme import Scheme
from services.common.spreadsheet import xlsx_bytes

SHEET_TITLE = "考核结果"


@dataclass(frozen=True)
class ExportTitle:
    round_display_name: str
    period: str
    final: bool


def _score(centi_or_decimal) -> str:
    value = from_centi(centi_or_decimal) if isinstance(centi_or_decimal, int) else centi_or_decimal
    return f"{value:.2f}"


def header(scheme: Scheme) -> list[str]:
    return ["排名", "乡镇", "单位/姓名", *(d.name_zh for d in scheme.dimensions), "扣分", "总分", "调整前等级",
            "等级", "负面清单"]


def row(record: ResultRecord, scheme: Scheme, township_name: str) -> list[str]:
    grades = {band.code: band.name_zh for band in scheme.grades}
    items = {n.code: n.name_zh for n in scheme.negative_items}
    contributions = {d.code: d.contribution for d in dimensions_of(record.explanation)}
    negatives = "；".join(items.get(n.code, n.code) for n in negatives_of(record.explanation))
    return [
        str(record.rank_in_scope), township_name, record.display_name,
        *(_score(contributions.get(d.code, 0)) for d in scheme.dimensions),
        _score(record.deductions_centi), _score(record.total_centi),
        grades.get(record.grade_before, record.grade_before), grades.get(record.grade, record.grade), negatives,
    ]


def results_workbook(title: ExportTitle, scheme: Scheme, rows: Iterable[list[str]]) -> bytes:
    stage = "" if title.final else "（公示稿）"
    heading = f"{title.round_display_name} 考核结果（{title.period}）{stage}"
    return xlsx_bytes([heading], [header(scheme), *rows], SHEET_TITLE)


_NOT_IN_FILENAMES = str.maketrans({c: "_" for c in '\\/:*?"<>|'})


def filename(title: ExportTitle) -> str:
    """A name every desktop accepts: a round called "2026/上半年" saves as "2026_上半年-结果.xlsx"."""
    return f"{title.round_display_name.translate(_NOT_IN_FILENAMES)}-结果.xlsx"
