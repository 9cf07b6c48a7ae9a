"""A county for the results' tests: the rounds' county (two townships, three villages) with a
star-rating scheme of four grades and result rules, and helpers to score, publish and finalize."""

from __future__ import annotations

from decimal import Decimal as D

from partybuilding.assessment.v1 import assessment_results_pb2 as spb
from partybuilding.assessment.v1 import assessment_rounds_pb2 as rpb

from services.assessment.domain.scheme import Effect as E
from services.assessment.domain.scheme import GradeBand, NegativeItem, ResultRules, Title
from tests.integration.round_county import RoundCounty, values

GRADES = (
    GradeBand("FIVE_STAR", "五星", "Five stars", D(90), 5),
    GradeBand("FOUR_STAR", "四星", "Four stars", D(80), 4),
    GradeBand("THREE_STAR", "三星", "Three stars", D(70), 3),
    GradeBand("TWO_STAR", "二星", "Two stars", D(0), 2),
)
NEGATIVES = (
    NegativeItem("CORRUPTION", "违纪违法", "Discipline", E.CAP, cap_grade="THREE_STAR"),
    NegativeItem("LATE", "材料迟报", "Late report", E.DEDUCT, points=D(5)),
    NegativeItem("UNREST", "群体性事件", "Unrest", E.VETO),
)
RULES = ResultRules(commend_grades=("FIVE_STAR",), weak_at_or_below="TWO_STAR",
                    title=Title("STAR_VILLAGE", "星级村党组织", "Star village", ("FIVE_STAR", "FOUR_STAR")),
                    sets_star_level=True)

# Full marks (100.00, 五星), the rounds' county values (72.30, 三星), and a weak village (16.00, 二星).
STRONG = ({"MEETINGS": 30, "ARCHIVE": 1, "INCOME": 100, "VOLUNTEER": 10}, {"MEETINGS": 30, "INCOME": 100, "VOLUNTEER": 10})
MIDDLE = ({"MEETINGS": 25, "ARCHIVE": 1, "INCOME": 60, "VOLUNTEER": 4}, {"MEETINGS": 20, "INCOME": 50, "VOLUNTEER": 3})
WEAK = ({"MEETINGS": 10, "ARCHIVE": 0, "INCOME": 20, "VOLUNTEER": 1}, {"MEETINGS": 10, "INCOME": 20, "VOLUNTEER": 1})


class ResultsCounty(RoundCounty):
    """Villages 村0 (strong) and 村1 (middle) in 彭镇, 东村 (weak) in 太安镇."""

    def __init__(self, platform, **scheme_changes):
        scheme_changes.setdefault("grades", GRADES)
        scheme_changes.setdefault("negative_items", NEGATIVES)
        scheme_changes.setdefault("result_rules", RULES)
        super().__init__(platform, **scheme_changes)
        self.strong, self.middle = self.villages
        self.weak = self.village_b

    def marks(self) -> dict:
        return {self.strong.name: STRONG, self.middle.name: MIDDLE, self.weak.name: WEAK}

    def score_all(self, round_: rpb.Round, marks: dict | None = None) -> None:
        """Both SCORING stages in full (the township's clerk, then the county), into the review."""
        marks = marks or self.marks()
        for village in self.all_villages:
            self.score(round_, village, "ORGANIZATION", marks[village.name][0], self.township_clerk(village))
        self.advance(round_)
        for village in self.all_villages:
            self.score(round_, village, "MASS", marks[village.name][1])
        self.advance(round_)

    def negative(self, round_: rpb.Round, unit, code: str):
        return self.s.RecordNegativeItem(rpb.RecordNegativeItemRequest(
            target=self.target(round_, unit), code=code, evidence="县级联审发现"), metadata=self.admin)

    def publish(self, negatives=(), marks: dict | None = None, **fields) -> rpb.Round:
        """A round scored in full, negative items ((unit, code) pairs) recorded in the review, into
        the public notice."""
        round_ = self.create(**fields)
        self.score_all(round_, marks)
        for unit, code in negatives:
            self.negative(round_, unit, code)
        self.advance(round_)
        return round_

    def finalize(self, negatives=(), marks: dict | None = None, **fields) -> rpb.Round:
        round_ = self.publish(negatives, marks, **fields)
        self.notice_began_days_ago(round_, 8)
        self.advance(round_)  # the notice ends: into the city's re-check
        self.advance(round_)  # the re-check ends: finalized
        return round_

    def results(self, round_: rpb.Round, md=None, **fields) -> list[spb.Result]:
        return list(self.s.ListResults(spb.ListResultsRequest(parent=round_.name, page_size=100, **fields),
                                       metadata=md or self.admin).results)

    def result(self, round_: rpb.Round, unit, md=None) -> spb.Result:
        name = f"{round_.name}/results/{unit.name.rsplit('/', 1)[-1]}"
        return self.s.GetResult(spb.GetResultRequest(name=name), metadata=md or self.admin)


__all__ = ["ResultsCounty", "values"]
