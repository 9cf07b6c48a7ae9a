"""Round state changes and score values judged against the frozen scheme."""

import datetime as dt
from decimal import Decimal

import pytest

from services.assessment.domain.rounds import (
    NegativeItemRecord,
    Objection,
    ObjectionState,
    Round,
    RoundState,
    ScoreSubmission,
    check_submission,
)
from services.common.errors import FailedPrecondition, Validator
from tests.unit.round_schemes import small_scheme

SCHEME = small_scheme()
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
D = Decimal


def a_round():
    return Round("610222", "r-1", "stars", 1, "2026年度评星定级", "2026", "u-county", "/", 0,
                 RoundState.RUNNING, NOW, NOW, "admin")


def violations(source, values):
    v = Validator()
    check_submission(SCHEME, source, values, v)
    return {violation.field: violation.en for violation in v.violations}


def test_a_round_walks_its_stages_then_finalizes():
    round_ = a_round()
    seen = []
    while not round_.finalized:
        left, entered = round_.advance(SCHEME, NOW + dt.timedelta(days=len(seen)))
        seen.append((left.code, entered.code if entered else None))
    assert seen == [("TOWNSHIP", "MASS"), ("MASS", "REVIEW"), ("REVIEW", "NOTICE"), ("NOTICE", "RECHECK"),
                    ("RECHECK", None)]
    assert round_.version == 6 and round_.finalized_at == NOW + dt.timedelta(days=4)
    with pytest.raises(FailedPrecondition) as caught:
        round_.stage(SCHEME)
    assert caught.value.reason == "ROUND_FINALIZED"


def test_values_valid_for_their_methods_pass():
    assert violations("ORGANIZATION", {"MEETINGS": D(30), "ARCHIVE": D(1), "INCOME": D("-5.5"),
                                       "VOLUNTEER": D(12)}) == {}


@pytest.mark.parametrize("source, code, value, words", [
    ("ORGANIZATION", "MEETINGS", D("30.01"), "between 0 and 30"),
    ("ORGANIZATION", "MEETINGS", D("-0.01"), "between 0 and 30"),
    ("ORGANIZATION", "ARCHIVE", D("0.5"), "1 or 0"),
    ("ORGANIZATION", "VOLUNTEER", D(-1), "whole number"),
    ("ORGANIZATION", "VOLUNTEER", D("1.5"), "whole number"),
    ("ORGANIZATION", "NOPE", D(1), "no indicator NOPE"),
    ("MASS", "ARCHIVE", D(1), "not scored by source MASS"),
])
def test_a_wrong_value_is_named_by_its_indicator(source, code, value, words):
    found = violations(source, {code: value})
    assert list(found) == [f"values[{code}]"] and words in found[f"values[{code}]"]


def test_a_resubmission_records_only_what_changed():
    submission = ScoreSubmission("v-1", "ORGANIZATION", {"MEETINGS": D(25), "ARCHIVE": D(1), "INCOME": D(40)})
    before, after = submission.changes({"MEETINGS": D(20), "ARCHIVE": D(1)})
    assert before == {"MEETINGS": "20"} and after == {"INCOME": "40", "MEETINGS": "25"}


def test_a_negative_item_is_withdrawn_once():
    record = NegativeItemRecord("n-1", "v-1", "CORRUPTION", "处分决定书", "admin", NOW)
    record.withdraw("admin", "复核撤销", NOW)
    assert not record.active
    with pytest.raises(FailedPrecondition):
        record.withdraw("admin", "again", NOW)


def test_an_objection_is_resolved_once():
    objection = Objection("o-1", "v-1", "得分有误", "clerk", NOW)
    objection.resolve(ObjectionState.UPHELD, "已核实", "admin", NOW)
    assert objection.state is ObjectionState.UPHELD and objection.version == 2
    with pytest.raises(FailedPrecondition) as caught:
        objection.resolve(ObjectionState.REJECTED, "", "admin", NOW)
    assert caught.value.reason == "OBJECTION_RESOLVED"
