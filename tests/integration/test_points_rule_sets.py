"""Points rule sets through gRPC on SQLite and PostgreSQL: create, adopt, update, publish, revisions."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from partybuilding.organization.v1 import organization_service_pb2 as opb
from partybuilding.points.v1 import points_service_pb2 as ppb
from sqlalchemy import select

from services.common.auth import Principal, Role
from services.common.db import bind_tenant
from services.common.errors import PermissionDenied
from services.points.adapters import tables
from services.points.service_layer.loaders import rules_in_force
from services.points.service_layer.scope import check_unit_within, clerk_root
from tests.helpers import County, expect

NOT_FOUND, DENIED = grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED
INVALID = grpc.StatusCode.INVALID_ARGUMENT


def a_rule(code: str = "MEETING_ABSENT", **fields) -> ppb.Rule:
    values = dict(code=code, name_zh="无故缺席会议", name_en="Absent", kind=ppb.Rule.DEDUCT, points=2,
                  unit=ppb.Rule.MEETING)
    return ppb.Rule(**{**values, **fields})


def a_rule_set(**fields) -> ppb.RuleSet:
    values = dict(display_name="十二分制", mode=ppb.RuleSet.DEDUCT_FROM_BASE, rules=[a_rule()], thresholds=[
        ppb.Threshold(code="REMINDER_TALK", name_zh="提醒谈话", comparison=ppb.Threshold.BELOW, value=6, severity=1)])
    return ppb.RuleSet(**{**values, **fields})


class Points:
    """One county's rule sets through the points stub, as its admin."""

    def __init__(self, platform):
        self.county = County(platform)
        self.p, self.s, self.md = platform, platform.points, self.county.admin
        self.parent = self.county.parent

    def create(self, rule_set_id: str = "", md=None, **fields) -> ppb.RuleSet:
        fields.setdefault("rule_set", a_rule_set())
        return self.s.CreateRuleSet(ppb.CreateRuleSetRequest(parent=self.parent, rule_set_id=rule_set_id, **fields),
                                    metadata=md or self.md)

    def get(self, name: str) -> ppb.RuleSet:
        return self.s.GetRuleSet(ppb.GetRuleSetRequest(name=name), metadata=self.md)

    def update(self, rule_set: ppb.RuleSet, paths: list[str], etag: str, **fields) -> ppb.RuleSet:
        return self.s.UpdateRuleSet(ppb.UpdateRuleSetRequest(rule_set=rule_set, update_mask=FieldMask(paths=paths),
                                                             etag=etag, **fields), metadata=self.md)

    def publish(self, rule_set: ppb.RuleSet, effective_from: str) -> ppb.RuleSet:
        return self.s.PublishRuleSet(ppb.PublishRuleSetRequest(name=rule_set.name, effective_from=effective_from,
                                                               etag=rule_set.etag), metadata=self.md)


@pytest.fixture
def points(platform) -> Points:
    return Points(platform)


def outbox(platform, tenant: str) -> list[tuple[str, dict]]:
    with platform.runtime("points").engine.connect() as conn, conn.begin():
        bind_tenant(conn, "*")
        rows = conn.execute(select(tables.outbox.c.type, tables.outbox.c.payload).where(
            tables.outbox.c.tenant == tenant).order_by(tables.outbox.c.seq)).all()
    return [(row.type, json.loads(row.payload)) for row in rows]


def test_the_platform_hosts_the_points_service(platform):
    assert "points" in [rt.name for rt in platform.runtimes]
    county = County(platform)
    templates = platform.points.ListRuleSetTemplates(ppb.ListRuleSetTemplatesRequest(), metadata=county.admin)
    assert {t.template for t in templates.templates} == {"chaohu", "xuanen"}
    listed = platform.points.ListRuleSets(ppb.ListRuleSetsRequest(parent=county.parent), metadata=county.admin)
    assert list(listed.rule_sets) == []


def test_a_rule_set_is_created_as_draft_revision_one_and_listed(points):
    created = points.create("twelve")
    assert created.name == f"{points.parent}/ruleSets/twelve"
    assert (created.revision, created.state, created.base, created.max_quantity) == (1, ppb.RuleSet.DRAFT, 12, 100)
    assert list(created.rules[0].recorder_roles) == [ppb.Rule.COUNTY_ADMIN, ppb.Rule.CLERK]
    assert points.get(created.name) == created
    generated = points.create()
    assert generated.name.startswith(f"{points.parent}/ruleSets/rs-")
    listed = points.s.ListRuleSets(ppb.ListRuleSetsRequest(parent=points.parent, page_size=1), metadata=points.md)
    again = points.s.ListRuleSets(ppb.ListRuleSetsRequest(parent=points.parent, page_token=listed.next_page_token),
                                  metadata=points.md)
    assert {r.name for r in [*listed.rule_sets, *again.rule_sets]} == {created.name, generated.name}
    expect(grpc.StatusCode.ALREADY_EXISTS, points.create, "twelve", reason="RULE_SET_EXISTS")


def test_a_county_adopts_a_template_and_names_it(points):
    adopted = points.create("xuanen", rule_set=ppb.RuleSet(display_name="宜君十二分制"), template="xuanen")
    assert (adopted.display_name, adopted.template, adopted.mode) == ("宜君十二分制", "xuanen",
                                                                       ppb.RuleSet.DEDUCT_FROM_BASE)
    assert sum(r.kind in (ppb.Rule.DEDUCT, ppb.Rule.DEDUCT_ALL) for r in adopted.rules) == 15
    expect(INVALID, points.create, "other", rule_set=ppb.RuleSet(), template="nowhere", field="template")
    expect(INVALID, points.create, "other", rule_set=a_rule_set(), template="chaohu", field="rule_set")


def test_every_problem_comes_back_at_once_with_its_path_in_both_languages(points):
    bad = a_rule_set(display_name="", rules=[a_rule(points=0), a_rule(code="MEETING_ABSENT", unit=0),
                                             a_rule("BONUS", kind=ppb.Rule.AWARD, points=1, yearly_cap=-1)])
    err = expect(INVALID, points.create, "bad", rule_set=bad)
    assert {"rule_set.display_name", "rule_set.rules[0].points", "rule_set.rules[1].code", "rule_set.rules[1].unit",
            "rule_set.rules[2].yearly_cap"} <= set(err.fields)
    assert "必须大于0" in err.zh
    expect(INVALID, points.create, "bad", rule_set=a_rule_set(rules=[a_rule(kind=42)]), field="rule_set.rules[0].kind")
    expect(INVALID, points.create, "Bad Id", field="rule_set_id")
    expect(NOT_FOUND, points.get, f"{points.parent}/ruleSets/bad")  # nothing half-written


def test_a_draft_is_edited_in_place_and_a_stale_etag_is_aborted(points):
    created = points.create("twelve")
    changed = points.update(ppb.RuleSet(name=created.name, rules=[a_rule(points=3)]), ["rules"], created.etag)
    assert (changed.revision, changed.rules[0].points) == (1, 3)
    assert changed.etag != created.etag
    expect(grpc.StatusCode.ABORTED, points.update, ppb.RuleSet(name=created.name, display_name="x"),
           ["display_name"], created.etag, reason="ETAG_MISMATCH")
    expect(INVALID, points.update, ppb.RuleSet(name=created.name, rules=[a_rule(points=-1)]), ["rules"],
           changed.etag, field="rule_set.rules[0].points")
    expect(INVALID, points.update, ppb.RuleSet(name=created.name), ["colour"], changed.etag, field="update_mask")
    expect(INVALID, points.update, ppb.RuleSet(name=created.name), ["etag"], changed.etag, field="update_mask")
    expect(INVALID, points.update, ppb.RuleSet(name=created.name, rules=[a_rule()]), ["rules.points"], changed.etag,
           field="update_mask")
    expect(INVALID, points.update, ppb.RuleSet(name=created.name), [], changed.etag, field="update_mask")
    assert points.get(created.name) == changed


def test_publishing_freezes_the_revision_and_the_next_edit_starts_a_new_draft(points, platform):
    created = points.create("twelve")
    published = points.publish(created, "2026-01-01")
    assert (published.state, published.effective_from, published.revision) == (ppb.RuleSet.PUBLISHED, "2026-01-01", 1)
    assert published.published_by and published.publish_time.seconds > 0
    kinds = [kind for kind, _ in outbox(platform, points.county.code)]
    assert kinds == ["points.rule_set_published"]
    event = outbox(platform, points.county.code)[0][1]
    assert event["revision_name"] == f"{created.name}/revisions/1"
    assert event["rule_set"]["rules"][0]["code"] == "MEETING_ABSENT"

    expect(grpc.StatusCode.FAILED_PRECONDITION, points.publish, published, "2026-02-01", reason="NOTHING_TO_PUBLISH")
    renamed = points.update(ppb.RuleSet(name=created.name, display_name="十二分制（修订）"), ["display_name"],
                            published.etag)
    assert (renamed.revision, renamed.state) == (1, ppb.RuleSet.PUBLISHED)  # a name is not a rule
    draft = points.update(ppb.RuleSet(name=created.name, rules=[a_rule(points=4)]), ["rules"], renamed.etag)
    assert (draft.revision, draft.state, draft.rules[0].points) == (2, ppb.RuleSet.DRAFT, 4)
    first = points.s.GetRuleSetRevision(ppb.GetRuleSetRevisionRequest(name=f"{created.name}/revisions/1"),
                                        metadata=points.md)
    assert (first.state, first.rules[0].points, first.effective_from) == (ppb.RuleSet.PUBLISHED, 2, "2026-01-01")

    expect(INVALID, points.publish, draft, "2025-12-31", field="effective_from", reason="EFFECTIVE_BEFORE_PREVIOUS")
    expect(INVALID, points.publish, draft, "2026-13-01", field="effective_from")
    expect(INVALID, points.publish, draft, "", field="effective_from")
    second = points.publish(draft, "2026-07-01")
    revisions = points.s.ListRuleSetRevisions(ppb.ListRuleSetRevisionsRequest(parent=created.name),
                                              metadata=points.md).revisions
    assert [(r.revision, r.effective_from) for r in revisions] == [(1, "2026-01-01"), (2, "2026-07-01")]
    assert second.revision == 2

    uows = platform.runtime("points").uow_factory
    with uows(points.county.code, write=False) as uow:
        code = points.county.code
        assert rules_in_force(uow, code, dt.date(2025, 12, 31)) is None
        assert rules_in_force(uow, code, dt.date(2026, 6, 30)).revision == 1
        assert rules_in_force(uow, code, dt.date(2026, 7, 1)).revision == 2


def test_revision_names_are_checked(points):
    created = points.create("twelve")
    get = points.s.GetRuleSetRevision
    for bad in (f"{created.name}/revisions/x", f"{created.name}/revisions/0", f"{created.name}/revisions/",
                f"{points.parent}/units/u-1/revisions/1"):
        expect(INVALID, get, ppb.GetRuleSetRevisionRequest(name=bad), metadata=points.md, field="name")
    expect(NOT_FOUND, get, ppb.GetRuleSetRevisionRequest(name=f"{created.name}/revisions/9"), metadata=points.md)
    expect(NOT_FOUND, points.get, f"{points.parent}/ruleSets/nowhere")
    expect(INVALID, points.get, f"{points.parent}/rulesets/twelve", field="name")


def test_a_request_id_retry_answers_the_first_result_and_another_body_is_refused(points):
    request_id = str(uuid.uuid4())
    first = points.create("", request_id=request_id)
    again = points.create("", request_id=request_id)
    assert again.name == first.name
    expect(INVALID, points.create, "", request_id=request_id, rule_set=a_rule_set(display_name="另一个"),
           field="request_id", reason="REQUEST_ID_REUSED")
    listed = points.s.ListRuleSets(ppb.ListRuleSetsRequest(parent=points.parent), metadata=points.md)
    assert [r.name for r in listed.rule_sets] == [first.name]


def test_validate_only_answers_and_writes_nothing(points):
    checked = points.create("twelve", validate_only=True)
    assert checked.name.endswith("/ruleSets/twelve") and checked.state == ppb.RuleSet.DRAFT
    expect(NOT_FOUND, points.get, checked.name)
    created = points.create("twelve")
    preview = points.update(ppb.RuleSet(name=created.name, rules=[a_rule(points=5)]), ["rules"], created.etag,
                            validate_only=True)
    assert preview.rules[0].points == 5
    assert points.get(created.name) == created


def test_a_clerk_may_read_the_rules_but_not_write_them(points, platform):
    created = points.create("twelve")
    clerk = platform.as_("clerk", [points.county.code], unit=f"{points.parent}/units/u-1")
    assert points.s.GetRuleSet(ppb.GetRuleSetRequest(name=created.name), metadata=clerk).name == created.name
    points.s.ListRuleSets(ppb.ListRuleSetsRequest(parent=points.parent), metadata=clerk)
    expect(DENIED, points.create, "other", md=clerk)
    expect(DENIED, points.s.UpdateRuleSet, ppb.UpdateRuleSetRequest(
        rule_set=ppb.RuleSet(name=created.name, display_name="x"), update_mask=FieldMask(paths=["display_name"])),
        metadata=clerk)
    expect(DENIED, points.s.PublishRuleSet, ppb.PublishRuleSetRequest(name=created.name, effective_from="2026-01-01"),
           metadata=clerk)


def test_another_county_is_refused_on_every_rule_set_rpc(points, platform):
    created = points.create("twelve")
    other = platform.as_("county_admin", [platform.new_county()])
    s, name = points.s, created.name
    calls = {
        "CreateRuleSet": lambda: s.CreateRuleSet(ppb.CreateRuleSetRequest(parent=points.parent, rule_set=a_rule_set()),
                                                 metadata=other),
        "GetRuleSet": lambda: s.GetRuleSet(ppb.GetRuleSetRequest(name=name), metadata=other),
        "ListRuleSets": lambda: s.ListRuleSets(ppb.ListRuleSetsRequest(parent=points.parent), metadata=other),
        "UpdateRuleSet": lambda: s.UpdateRuleSet(ppb.UpdateRuleSetRequest(
            rule_set=ppb.RuleSet(name=name, display_name="x"), update_mask=FieldMask(paths=["display_name"])),
            metadata=other),
        "PublishRuleSet": lambda: s.PublishRuleSet(ppb.PublishRuleSetRequest(name=name, effective_from="2026-01-01"),
                                                   metadata=other),
        "ListRuleSetRevisions": lambda: s.ListRuleSetRevisions(ppb.ListRuleSetRevisionsRequest(parent=name),
                                                               metadata=other),
        "GetRuleSetRevision": lambda: s.GetRuleSetRevision(ppb.GetRuleSetRevisionRequest(name=f"{name}/revisions/1"),
                                                           metadata=other),
        "ResyncDirectory": lambda: s.ResyncDirectory(ppb.ResyncDirectoryRequest(parent=points.parent), metadata=other),
    }
    for method, call in calls.items():
        with pytest.raises(grpc.RpcError) as info:
            call()
        assert info.value.code() == DENIED, method
    assert points.get(name) == created


def test_an_operator_resyncs_a_countys_directory_from_the_organization(points, platform):
    county = points.county
    town, station, villages = county.tree(villages=2)
    member = county.member(villages[0].name, "李四")
    request = ppb.ResyncDirectoryRequest(parent=points.parent)
    counts = points.s.ResyncDirectory(request, metadata=platform.operator())
    assert (counts.units, counts.members, counts.posts, counts.removed) == (4, 1, 0, 0)
    with platform.runtime("points").uow_factory(county.code, write=False) as uow:
        known = uow.directory.member(member.name.rsplit("/", 1)[-1])
        assert (known.display_name, known.unit_id) == ("李四", villages[0].name.rsplit("/", 1)[-1])
        assert [u.id for u in uow.directory.units_in_subtree(station.name.rsplit("/", 1)[-1])]
    expect(DENIED, points.s.ResyncDirectory, request, metadata=points.md)
    expect(NOT_FOUND, points.s.ResyncDirectory, ppb.ResyncDirectoryRequest(parent="tenants/610298"),
           metadata=platform.operator())


def test_a_clerk_is_confined_to_the_subtree_their_token_names(points, platform):
    # service_layer/scope.py, which the ledger's use cases call: the units come from the directory,
    # read through to the organization on a miss.
    county = points.county
    town, station, villages = county.tree(villages=2)
    other_town = county.unit(opb.TOWNSHIP, "尧生镇")
    clerk = Principal("clerk-1", Role.CLERK, frozenset({county.code}), unit=station.name)
    with platform.runtime("points").uow_factory(county.code, write=False) as uow:
        assert clerk_root(uow, clerk).id == station.name.rsplit("/", 1)[-1]
        check_unit_within(uow, clerk, uow.directory.unit(villages[1].name.rsplit("/", 1)[-1]))
        with pytest.raises(PermissionDenied, match="outside the clerk's subtree"):
            check_unit_within(uow, clerk, uow.directory.unit(other_town.name.rsplit("/", 1)[-1]))
        assert clerk_root(uow, Principal("admin", Role.COUNTY_ADMIN, frozenset({county.code}))) is None
        stray = Principal("clerk-2", Role.CLERK, frozenset({county.code}), unit=f"{points.parent}/units/u-nowhere")
        with pytest.raises(PermissionDenied, match="must name the unit"):
            clerk_root(uow, stray)
