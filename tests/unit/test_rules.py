"""Organization rules: legal parents, station capacity and findings, post rules, 一肩挑, specialists."""

from __future__ import annotations

import datetime as dt

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.organization.domain import rules
from services.organization.domain.model import PostType, TenantSettings, Unit, UnitType

T = UnitType


def unit(type_: UnitType, uid: str = "u1", path: str = "/u1/") -> Unit:
    return Unit(id=uid, tenant="610222", type=type_, display_name=f"{type_.value}-{uid}", parent_id=None,
                path=path, depth=path.count("/") - 1)


@pytest.mark.parametrize("child,parent,legal", [
    (T.TOWNSHIP, None, True), (T.TOWNSHIP, T.TOWNSHIP, False),
    (T.WORK_STATION, T.TOWNSHIP, True), (T.WORK_STATION, None, False), (T.WORK_STATION, T.WORK_STATION, False),
    (T.VILLAGE, T.WORK_STATION, True), (T.VILLAGE, T.TOWNSHIP, True), (T.VILLAGE, T.VILLAGE, False),
    (T.COMMUNITY, T.TOWNSHIP, True), (T.COMMUNITY, None, False),
    (T.BRANCH, T.VILLAGE, True), (T.BRANCH, T.COMMUNITY, True), (T.BRANCH, T.WORK_STATION, False),
    (T.PARTY_GROUP, T.BRANCH, True), (T.PARTY_GROUP, T.VILLAGE, True), (T.PARTY_GROUP, T.TOWNSHIP, False),
    (T.PARTY_GROUP, T.PARTY_GROUP, False),
])
def test_legal_parents(child, parent, legal):
    parent_unit = unit(parent) if parent else None
    if legal:
        rules.check_parent(child, parent_unit, "unit.parent")
    else:
        with pytest.raises(InvalidArgument) as info:
            rules.check_parent(child, parent_unit, "unit.parent")
        assert info.value.reason == "ILLEGAL_PARENT_TYPE"
        assert [v.field for v in info.value.violations] == ["unit.parent"]


def test_every_unit_type_has_a_rule_and_a_label():
    assert set(rules.LEGAL_PARENTS) == set(UnitType) == set(rules.UNIT_LABEL_ZH)


def test_station_capacity_follows_the_tenant():
    station = unit(T.WORK_STATION)
    rules.check_station_capacity(station, 7, TenantSettings(), "unit.parent")
    with pytest.raises(InvalidArgument) as info:
        rules.check_station_capacity(station, 8, TenantSettings(), "unit.parent")
    assert info.value.reason == "WORK_STATION_FULL" and "7" in info.value.zh
    rules.check_station_capacity(station, 9, TenantSettings(work_station_max_villages=10), "unit.parent")
    rules.check_station_capacity(unit(T.TOWNSHIP), 100, TenantSettings(), "unit.parent")


@pytest.mark.parametrize("covered,expected", [
    (0, ("WARNING", "WORK_STATION_TOO_FEW_VILLAGES")), (2, ("WARNING", "WORK_STATION_TOO_FEW_VILLAGES")),
    (3, None), (7, None), (8, ("ERROR", "WORK_STATION_TOO_MANY_VILLAGES")),
])
def test_station_findings(covered, expected):
    found = rules.station_findings(unit(T.WORK_STATION), covered, TenantSettings())
    assert [(f.severity, f.code) for f in found] == ([expected] if expected else [])


def test_move_into_own_subtree_is_a_cycle():
    station = unit(T.WORK_STATION, "s", "/t/s/")
    with pytest.raises(InvalidArgument) as info:
        rules.check_move(station, unit(T.VILLAGE, "v", "/t/s/v/"))
    assert info.value.reason == "MOVE_CYCLE"
    with pytest.raises(InvalidArgument):
        rules.check_move(station, station)
    rules.check_move(station, unit(T.TOWNSHIP, "t2", "/t2/"))
    # A sibling whose id merely starts with the same characters is not a descendant.
    rules.check_move(unit(T.TOWNSHIP, "t", "/t/"), unit(T.TOWNSHIP, "t2", "/t2/"))


def test_settings_are_checked():
    rules.check_settings(TenantSettings())
    for bad, field in [
        (TenantSettings(work_station_min_villages=0), "tenant.settings.work_station_min_villages"),
        (TenantSettings(work_station_min_villages=8, work_station_max_villages=7), "tenant.settings.work_station_min_villages"),
        (TenantSettings(work_station_max_villages=51), "tenant.settings.work_station_max_villages"),
        (TenantSettings(time_zone="Asia/Beijing"), "tenant.settings.time_zone"),
        (TenantSettings(locale="fr-FR"), "tenant.settings.locale"),
    ]:
        with pytest.raises(InvalidArgument) as info:
            rules.check_settings(bad)
        assert field in [v.field for v in info.value.violations]


@pytest.mark.parametrize("post,unit_type,ok", [
    (PostType.STATION_CHIEF, T.WORK_STATION, True), (PostType.STATION_CHIEF, T.VILLAGE, False),
    (PostType.STATION_CHIEF, T.TOWNSHIP, False), (PostType.VILLAGE_DIRECTOR, T.VILLAGE, True),
    (PostType.VILLAGE_DIRECTOR, T.WORK_STATION, False), (PostType.SECRETARY, T.TOWNSHIP, True),
    (PostType.SECRETARY, T.WORK_STATION, False), (PostType.FIRST_SECRETARY, T.COMMUNITY, True),
    (PostType.PARTY_AFFAIRS_WORKER, T.WORK_STATION, True), (PostType.PARTY_AFFAIRS_WORKER, T.VILLAGE, False),
])
def test_post_placement(post, unit_type, ok):
    if ok:
        rules.check_post_placement(post, unit(unit_type), 0)
    else:
        with pytest.raises(InvalidArgument) as info:
            rules.check_post_placement(post, unit(unit_type), 0)
        assert info.value.violations[0].field == "post.unit"


@pytest.mark.parametrize("post,unit_type,limit", [
    (PostType.SECRETARY, T.VILLAGE, 1), (PostType.STATION_CHIEF, T.WORK_STATION, 1),
    (PostType.STATION_DEPUTY, T.WORK_STATION, 2), (PostType.PARTY_AFFAIRS_WORKER, T.WORK_STATION, 2),
    (PostType.FIRST_SECRETARY, T.VILLAGE, 1),
])
def test_post_maxima(post, unit_type, limit):
    rules.check_post_placement(post, unit(unit_type), limit - 1)
    with pytest.raises(FailedPrecondition) as info:
        rules.check_post_placement(post, unit(unit_type), limit)
    assert info.value.reason == "POST_FULL"


def test_committee_members_and_reserves_are_unlimited():
    rules.check_post_placement(PostType.COMMITTEE_MEMBER, unit(T.VILLAGE), 50)
    rules.check_post_placement(PostType.RESERVE_CADRE, unit(T.VILLAGE), 50)


def test_yijiantiao():
    assert rules.is_concurrent_secretary_director({PostType.SECRETARY, PostType.VILLAGE_DIRECTOR})
    assert rules.is_concurrent_secretary_director({PostType.SECRETARY, PostType.VILLAGE_DIRECTOR, PostType.COMMITTEE_MEMBER})
    assert not rules.is_concurrent_secretary_director({PostType.SECRETARY})
    assert not rules.is_concurrent_secretary_director({PostType.DEPUTY_SECRETARY, PostType.VILLAGE_DIRECTOR})


def test_specialist_eligibility():
    on = dt.date(2026, 1, 1)
    rules.check_specialist(dt.date(1992, 1, 2), "大专", on)  # 33
    rules.check_specialist(dt.date(1991, 1, 2), "本科", on)  # 34 until tomorrow
    for born, education in [(dt.date(1991, 1, 1), "本科"), (dt.date(1980, 1, 1), "硕士"), (dt.date(2000, 1, 1), "高中")]:
        with pytest.raises(FailedPrecondition) as info:
            rules.check_specialist(born, education, on)
        assert info.value.reason == "SPECIALIST_NOT_ELIGIBLE"
