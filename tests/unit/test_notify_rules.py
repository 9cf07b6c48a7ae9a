"""The notify domain's rules: report forms and values, aggregation up the tree, resolving
selectors, deadlines and overdue copies."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from services.common.errors import Validator
from services.notify.domain.notices import (
    FieldKind,
    Notice,
    Recipient,
    RecipientSelector,
    Report,
    ReportField,
)
from services.notify.domain.recipients import Candidates, resolve
from services.notify.domain.rules import aggregate, check_due, check_report, check_report_form

NOW = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)
FORM = (ReportField("meetings", "会议次数", "Meetings", FieldKind.NUMBER, True),
        ReportField("summary", "工作情况", "Summary", FieldKind.TEXT, True),
        ReportField("done_on", "完成日期", "Done on", FieldKind.DATE, False),
        ReportField("status", "完成情况", "Status", FieldKind.CHOICE, False, ("已完成", "未完成")))


def fields_of(v: Validator) -> list[str]:
    return [x.field for x in v.violations]


def test_a_missing_required_field_is_named_with_its_label():
    v, _ = check_report(FORM, [("meetings", "1")], "values")
    assert fields_of(v) == ["values.summary"]
    assert "工作情况" in v.violations[0].zh and "summary" in v.violations[0].en


def test_values_are_stored_in_one_spelling_and_the_forms_order():
    v, values = check_report(FORM, [("summary", "开会\n学习"), ("meetings", "０２"), ("done_on", "２０２６-１２-０１")], "values")
    assert v.violations == []
    assert list(values.items()) == [("meetings", "2"), ("summary", "开会\n学习"), ("done_on", "2026-12-01")]
    _, written = check_report(FORM, [("meetings", "1e3"), ("summary", "x")], "values")
    assert written["meetings"] == "1000"
    v, _ = check_report(FORM, [("meetings", "1e100"), ("summary", "x")], "values")
    assert [x.field for x in v.violations] == ["values.meetings"]


def test_numbers_dates_and_choices_are_checked_by_kind():
    v, _ = check_report(FORM, [("meetings", "NaN"), ("summary", "x"), ("done_on", "12/01"), ("status", "差不多"),
                               ("meetings", "1"), ("nope", "1")], "values")
    assert fields_of(v) == ["values.meetings", "values.done_on", "values.status", "values[4].field", "values[5].field"]


def test_a_form_needs_unique_well_formed_names_and_choices_only_where_they_belong():
    v = Validator()
    check_report_form(v, [ReportField("a", "甲", "", FieldKind.TEXT, True, ("x", "y")),
                          ReportField("a", "乙", "", FieldKind.CHOICE, True, ("x",)),
                          ReportField("9x", "丙", "", None, False)], "form")
    assert fields_of(v) == ["form[0].choices", "form[1].name", "form[1].choices", "form[2].name", "form[2].kind"]


def test_a_stations_report_sums_its_villages_and_lists_their_text():
    reports = [("村0", Report({"meetings": "2", "summary": "开会", "status": "已完成", "done_on": "2026-12-01"})),
               ("村1", Report({"meetings": "1.5", "summary": "服务", "status": "未完成", "done_on": "2026-12-03"})),
               ("村2", None)]
    values, fields = aggregate(FORM, reports)
    # The villages disagree on the status: no single choice speaks for them.
    assert values == {"meetings": "3.5", "summary": "村0：开会\n村1：服务", "done_on": "2026-12-03"}
    assert fields == ("meetings", "summary", "done_on")


def test_a_deadline_lies_ahead_and_within_the_parents():
    v = Validator()
    check_due(v, NOW - dt.timedelta(seconds=1), NOW, "due")
    check_due(v, NOW + dt.timedelta(days=2), NOW, "child_due", not_after=NOW + dt.timedelta(days=1))
    check_due(v, NOW + dt.timedelta(days=1), NOW, "ok_due", not_after=NOW + dt.timedelta(days=1))
    assert fields_of(v) == ["due", "child_due"]


def unit(uid, parent, path, type_="VILLAGE", state="ACTIVE"):
    return SimpleNamespace(id=uid, parent_id=parent, path=path, type=type_, display_name=uid, state=state)


def post(type_, unit_id, member):
    return SimpleNamespace(type=type_, unit_id=unit_id, member_id=member, member_display_name=f"{member}名")


def test_selectors_resolve_to_each_unit_once_with_its_holders_and_never_the_sender():
    town = unit("t", None, "/t/", "TOWNSHIP")
    units = [town, unit("s", "t", "/t/s/", "WORK_STATION"), unit("v1", "s", "/t/s/v1/"), unit("v2", "s", "/t/s/v2/"),
             unit("v3", "s", "/t/s/v3/", state="MERGED")]
    posts = {"v1": [post("SECRETARY", "v1", "m1"), post("VILLAGE_DIRECTOR", "v1", "m1")],
             "v2": [post("COMMITTEE_MEMBER", "v2", "m2")], "v3": [post("SECRETARY", "v3", "m3")]}
    by_post = Candidates(RecipientSelector("t", ("VILLAGE",), ("SECRETARY", "VILLAGE_DIRECTOR")), units, posts)
    whole = Candidates(RecipientSelector("t"), units, posts)
    found = resolve("610222", "n-1", [by_post, whole], {"t": "彭镇", "s": "站"}, "t", NOW)
    assert [(r.unit_id, r.parent_display_name, len(r.addressees)) for r in found] == [
        ("s", "彭镇", 0), ("v1", "站", 2), ("v2", "站", 0)]
    only_posts = resolve("610222", "n-1", [by_post], {}, "t", NOW)
    assert [r.unit_id for r in only_posts] == ["v1"]  # v2's secretary post is vacant, v3 is merged


def test_a_copy_is_overdue_only_past_the_deadline_without_what_the_notice_asks():
    notice = Notice("610222", "n-1", None, "县", "t", "", (), True, True, FORM, NOW, "admin", NOW - dt.timedelta(days=1))
    copy = Recipient("610222", "n-1", "v1", "村", "VILLAGE", None, "", (), NOW - dt.timedelta(days=1))
    later = NOW + dt.timedelta(seconds=1)
    assert not copy.overdue(notice, NOW) and copy.overdue(notice, later)
    copy.acknowledge("clerk", NOW)
    assert copy.overdue(notice, later)  # the report is still missing
    copy.submit(Report({"meetings": "1", "summary": "x"}), "clerk", later)
    assert not copy.overdue(notice, later) and copy.state.value == "REPORTED"
