"""Assessment schemes through gRPC on SQLite and PostgreSQL: create, adopt, update, publish, revisions."""

from __future__ import annotations

import json
import uuid

import grpc
import pytest
from partybuilding.assessment.v1 import assessment_schemes_pb2 as spb
from sqlalchemy import func, select

from services.assessment.adapters import tables
from services.common.db import bind_tenant
from tests.helpers import County, expect
from tests.integration.assessment_schemes import Schemes, a_scheme, an_indicator

INVALID, NOT_FOUND, DENIED = (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND,
                              grpc.StatusCode.PERMISSION_DENIED)


@pytest.fixture
def schemes(platform) -> Schemes:
    return Schemes(platform)


def outbox(platform, tenant: str) -> list[tuple[str, dict]]:
    with platform.runtime("assessment").engine.connect() as conn, conn.begin():
        bind_tenant(conn, "*")
        rows = conn.execute(select(tables.outbox.c.type, tables.outbox.c.payload).where(
            tables.outbox.c.tenant == tenant).order_by(tables.outbox.c.seq)).all()
    return [(row.type, json.loads(row.payload)) for row in rows]


def count_revisions(platform, tenant: str) -> int:
    with platform.runtime("assessment").engine.connect() as conn, conn.begin():
        bind_tenant(conn, "*")
        return conn.execute(select(func.count()).select_from(tables.scheme_revisions).where(
            tables.scheme_revisions.c.tenant == tenant)).scalar_one()


def test_a_scheme_is_created_as_draft_revision_one_and_listed(schemes):
    created = schemes.create("village-yearly")
    assert created.name == f"{schemes.parent}/schemes/village-yearly"
    assert (created.revision, created.state, created.revision_name) == (
        1, spb.Scheme.DRAFT, f"{created.name}/revisions/1")
    assert [d.weight for d in created.dimensions] == [60, 40]
    assert created.result_rules.remind_last_place and created.result_rules.talk_after_last_places == 2
    assert schemes.get(created.name) == created
    generated = schemes.create()
    assert generated.name.startswith(f"{schemes.parent}/schemes/s-")
    first = schemes.s.ListSchemes(spb.ListSchemesRequest(parent=schemes.parent, page_size=1), metadata=schemes.md)
    rest = schemes.s.ListSchemes(spb.ListSchemesRequest(parent=schemes.parent, page_token=first.next_page_token),
                                 metadata=schemes.md)
    assert {s.name for s in [*first.schemes, *rest.schemes]} == {created.name, generated.name}
    expect(grpc.StatusCode.ALREADY_EXISTS, schemes.create, "village-yearly", reason="SCHEME_EXISTS")


def test_scores_are_rounded_half_up_to_hundredths(schemes):
    scheme = a_scheme()
    scheme.dimensions[0].weight, scheme.dimensions[1].weight = 59.995, 40.004
    created = schemes.create("rounded", scheme=scheme)
    assert [d.weight for d in created.dimensions] == [60, 40]


def test_every_problem_comes_back_at_once_with_its_path_in_both_languages(schemes, platform):
    bad = a_scheme(display_name="")
    bad.dimensions[0].weight = 50
    bad.dimensions[0].indicators[0].max_score = 0
    bad.sources[1].weight = 20
    bad.grades[2].min_score = 10
    bad.stages[1].days = 90
    err = expect(INVALID, schemes.create, "bad", scheme=bad)
    assert {"scheme.display_name", "scheme.dimensions", "scheme.dimensions[0].indicators[0].max_score",
            "scheme.sources", "scheme.grades[2].min_score", "scheme.stages[1].days"} <= set(err.fields)
    assert "权重之和应为100，现为90" in err.zh
    expect(INVALID, schemes.create, "Bad Id", field="scheme_id")
    expect(NOT_FOUND, schemes.get, f"{schemes.parent}/schemes/bad")  # nothing half-written
    assert count_revisions(platform, schemes.county.code) == 0


def test_validate_only_answers_what_would_be_created_and_writes_nothing(schemes, platform):
    checked = schemes.create("dry", validate_only=True)
    assert (checked.name, checked.revision) == (f"{schemes.parent}/schemes/dry", 1)
    expect(NOT_FOUND, schemes.get, checked.name)
    expect(INVALID, schemes.create, "dry", validate_only=True, scheme=a_scheme(period_kind=0),
           field="scheme.period_kind")
    created = schemes.create("dry")
    changed = schemes.update(spb.Scheme(name=created.name, display_name="改名"), ["display_name"], created.etag,
                             validate_only=True)
    assert changed.display_name == "改名"
    assert schemes.get(created.name) == created
    assert outbox(platform, schemes.county.code) == []


def test_a_draft_is_edited_in_place_and_a_stale_etag_is_aborted(schemes):
    created = schemes.create("yearly")
    grades = list(created.grades)
    grades[0].min_score = 85
    changed = schemes.update(spb.Scheme(name=created.name, grades=grades), ["grades"], created.etag)
    assert (changed.revision, changed.state, changed.grades[0].min_score) == (1, spb.Scheme.DRAFT, 85)
    assert changed.etag != created.etag
    expect(grpc.StatusCode.ABORTED, schemes.update, spb.Scheme(name=created.name, display_name="x"),
           ["display_name"], created.etag, reason="ETAG_MISMATCH")
    expect(INVALID, schemes.update, spb.Scheme(name=created.name, grades=grades[:1]), ["grades"], changed.etag,
           field="scheme.grades")
    expect(INVALID, schemes.update, spb.Scheme(name=created.name), ["colour"], changed.etag, field="update_mask")
    expect(INVALID, schemes.update, spb.Scheme(name=created.name), ["revision"], changed.etag, field="update_mask")
    expect(INVALID, schemes.update, spb.Scheme(name=created.name), [], changed.etag, field="update_mask")
    assert schemes.get(created.name) == changed


def test_publishing_freezes_the_revision_and_the_next_edit_starts_a_new_draft(schemes, platform):
    created = schemes.create("yearly")
    published = schemes.publish(created, "2026-01-01")
    assert (published.state, published.effective_from, published.revision) == (spb.Scheme.PUBLISHED, "2026-01-01", 1)
    assert published.published_by and published.publish_time.seconds > 0
    events = outbox(platform, schemes.county.code)
    assert [kind for kind, _ in events] == ["assessment.scheme_published"]
    assert events[0][1]["revision_name"] == f"{created.name}/revisions/1"
    assert events[0][1]["scheme"]["grades"][0]["code"] == "EXCELLENT"

    expect(grpc.StatusCode.FAILED_PRECONDITION, schemes.publish, published, reason="NOTHING_TO_PUBLISH")
    draft = schemes.update(spb.Scheme(name=created.name, display_name="年度考核（修订）"), ["display_name"],
                           published.etag)
    assert (draft.revision, draft.state, draft.display_name) == (2, spb.Scheme.DRAFT, "年度考核（修订）")
    first = schemes.s.GetSchemeRevision(spb.GetSchemeRevisionRequest(name=f"{created.name}/revisions/1"),
                                        metadata=schemes.md)
    assert (first.state, first.display_name) == (spb.Scheme.PUBLISHED, "村党组织年度考核")
    expect(INVALID, schemes.publish, draft, "2026-13-01", field="effective_from")
    second = schemes.publish(draft)
    assert second.effective_from  # the day of publication
    revisions = schemes.s.ListSchemeRevisions(spb.ListSchemeRevisionsRequest(parent=created.name),
                                              metadata=schemes.md).revisions
    assert [(r.revision, r.state) for r in revisions] == [(1, spb.Scheme.PUBLISHED), (2, spb.Scheme.PUBLISHED)]
    again = schemes.s.GetSchemeRevision(spb.GetSchemeRevisionRequest(name=f"{created.name}/revisions/1"),
                                        metadata=schemes.md)
    again.ClearField("etag")  # the etag guards the scheme's latest revision, which moved on
    first.ClearField("etag")
    assert again == first  # a published revision never changes


def test_revision_names_are_checked(schemes):
    created = schemes.create("yearly")
    get = schemes.s.GetSchemeRevision
    for bad in (f"{created.name}/revisions/x", f"{created.name}/revisions/0", f"{schemes.parent}/units/u-1/revisions/1"):
        expect(INVALID, get, spb.GetSchemeRevisionRequest(name=bad), metadata=schemes.md, field="name")
    expect(NOT_FOUND, get, spb.GetSchemeRevisionRequest(name=f"{created.name}/revisions/9"), metadata=schemes.md)
    expect(INVALID, schemes.get, f"{schemes.parent}/scheme/yearly", field="name")


def test_a_request_id_retry_answers_the_first_result_and_another_body_is_refused(schemes):
    request_id = str(uuid.uuid4())
    first = schemes.create("", request_id=request_id)
    assert schemes.create("", request_id=request_id).name == first.name
    expect(INVALID, schemes.create, "", request_id=request_id, scheme=a_scheme(display_name="另一个"),
           field="request_id", reason="REQUEST_ID_REUSED")
    listed = schemes.s.ListSchemes(spb.ListSchemesRequest(parent=schemes.parent), metadata=schemes.md)
    assert [s.name for s in listed.schemes] == [first.name]


def test_another_county_is_denied_and_a_clerk_reads_but_never_writes(schemes, platform):
    created = schemes.create("yearly")
    other = platform.as_("county_admin", [platform.new_county()])
    expect(DENIED, schemes.get, created.name, md=other)
    expect(DENIED, schemes.create, "mine", md=other)
    expect(DENIED, schemes.update, spb.Scheme(name=created.name, display_name="x"), ["display_name"], created.etag,
           md=other)
    expect(DENIED, schemes.publish, created, md=other)
    for call, request in ((schemes.s.ListSchemes, spb.ListSchemesRequest(parent=schemes.parent)),
                          (schemes.s.ListSchemeRevisions, spb.ListSchemeRevisionsRequest(parent=created.name)),
                          (schemes.s.GetSchemeRevision, spb.GetSchemeRevisionRequest(name=created.revision_name))):
        expect(DENIED, call, request, metadata=other)
    town = schemes.county.unit(1, "彭镇")
    clerk = platform.as_("clerk", [schemes.county.code], unit=town.name)
    assert schemes.get(created.name, md=clerk) == created
    expect(DENIED, schemes.create, "clerks", md=clerk)
    expect(DENIED, schemes.update, spb.Scheme(name=created.name, display_name="x"), ["display_name"], created.etag,
           md=clerk)
    expect(DENIED, schemes.publish, created, md=clerk)
    city = platform.as_("city", [schemes.county.code[:4] + "00"])
    assert schemes.get(created.name, md=city).name == created.name
    expect(DENIED, schemes.publish, created, md=city)


def test_a_full_width_code_is_the_same_code(schemes):
    scheme = a_scheme()
    scheme.grades[0].code = "ＥＸＣＥＬＬＥＮＴ"
    created = schemes.create("wide", scheme=scheme)
    assert created.grades[0].code == "EXCELLENT"
    assert list(created.result_rules.commend_grades) == ["EXCELLENT"]


def test_hidden_characters_in_names_are_refused(schemes):
    scheme = a_scheme(display_name="考核\u202e方案")
    scheme.dimensions[0].indicators.append(an_indicator("SECOND", name_zh="第二\u200b项"))
    err = expect(INVALID, schemes.create, "hidden", scheme=scheme)
    assert {"scheme.display_name", "scheme.dimensions[0].indicators[1].name_zh"} <= set(err.fields)


def test_a_county_adopts_each_template_and_names_it(schemes):
    listed = schemes.s.ListSchemeTemplates(spb.ListSchemeTemplatesRequest(), metadata=schemes.md).templates
    assert {t.template for t in listed} == {"lead-goose", "star-rating", "five-good", "six-good"}
    adopted = schemes.create("stars", scheme=spb.Scheme(display_name="宜君县评星定级"), template="star-rating")
    assert (adopted.display_name, adopted.template, adopted.target_kind) == ("宜君县评星定级", "star-rating",
                                                                             spb.VILLAGE_ORG)
    assert [g.stars for g in adopted.grades] == [5, 4, 3, 2, 1]
    assert adopted.result_rules.sets_star_level and adopted.result_rules.weak_at_or_below == "TWO_STAR"
    goose = schemes.create("goose", scheme=spb.Scheme(), template="lead-goose")
    assert (goose.target_kind, goose.period_kind, len(goose.negative_items)) == (spb.SECRETARY, spb.HALF_YEAR, 10)
    assert schemes.publish(goose).state == spb.Scheme.PUBLISHED
    expect(INVALID, schemes.create, "other", scheme=spb.Scheme(), template="nowhere", field="template")
    expect(INVALID, schemes.create, "other", scheme=a_scheme(), template="five-good", field="scheme")
    expect(INVALID, schemes.create, "other", scheme=spb.Scheme(result_rules=spb.ResultRules(sets_star_level=True)),
           template="five-good", field="scheme")


def test_the_demo_county_holds_the_four_templates_with_star_rating_published(platform):
    from services.assessment.demo import load_demo, load_demo_serving

    county = County(platform)
    code = county.code
    uows = platform.runtime("assessment").uow_factory
    assert load_demo(uows, code) is True
    assert load_demo(uows, code) is False  # a second start changes nothing
    md = platform.as_("county_admin", [code])
    found = platform.assessment.ListSchemes(spb.ListSchemesRequest(parent=f"tenants/{code}"), metadata=md).schemes
    assert {(s.name.rsplit("/", 1)[1], s.state) for s in found} == {
        ("five-good", spb.Scheme.DRAFT), ("lead-goose", spb.Scheme.DRAFT), ("six-good", spb.Scheme.DRAFT),
        ("star-rating", spb.Scheme.PUBLISHED)}
    town = county.unit(1, "彭镇")
    assert load_demo_serving(uows, code) is True  # once serving: the directory, resynced through the server
    with uows(code, write=False) as uow:
        assert uow.directory.unit(town.name.rsplit("/", 1)[1]).display_name == "彭镇"
    assert load_demo_serving(uows, "619999") is False  # no such county: nothing to show, no failure


def test_numbers_no_scheme_could_mean_are_told_their_bounds(schemes):
    scheme = a_scheme()
    scheme.dimensions[0].weight = 1e300
    scheme.grades[0].min_score = float("nan")
    scheme.dimensions[1].indicators[0].points_each = -float("inf")
    err = expect(INVALID, schemes.create, "huge", scheme=scheme)
    assert {"scheme.dimensions[0].weight", "scheme.grades[0].min_score",
            "scheme.dimensions[1].indicators[0].points_each"} <= set(err.fields)
    assert "不超过100" in err.zh


def test_checking_an_edit_of_a_published_scheme_starts_no_revision(schemes, platform):
    published = schemes.publish(schemes.create("yearly"))
    checked = schemes.update(spb.Scheme(name=published.name, display_name="改"), ["display_name"], published.etag,
                             validate_only=True)
    assert (checked.revision, checked.state) == (2, spb.Scheme.DRAFT)
    assert count_revisions(platform, schemes.county.code) == 1
    assert schemes.get(published.name) == published
