"""Organization rules as data: legal parents, station bounds, who may hold which post."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import available_timezones

from services.common.errors import FailedPrecondition, InvalidArgument, Validator
from services.organization.domain.model import PostType, TenantSettings, Unit, UnitType
from services.organization.domain.names import unit_name
from services.organization.domain.personal_data import age_on

UNIT_LABEL_ZH = {
    UnitType.TOWNSHIP: "乡镇（街道）",
    UnitType.WORK_STATION: "党建工作站",
    UnitType.VILLAGE: "村党组织",
    UnitType.COMMUNITY: "社区",
    UnitType.BRANCH: "党支部",
    UnitType.PARTY_GROUP: "党小组",
}

# None stands for the county itself: townships hang directly under it.
LEGAL_PARENTS: dict[UnitType, frozenset[UnitType | None]] = {
    UnitType.TOWNSHIP: frozenset({None}),
    UnitType.WORK_STATION: frozenset({UnitType.TOWNSHIP}),
    # A village sits in its township's work station (片区); a township may keep a village
    # outside any station while stations are being set up.
    UnitType.VILLAGE: frozenset({UnitType.WORK_STATION, UnitType.TOWNSHIP}),
    UnitType.COMMUNITY: frozenset({UnitType.WORK_STATION, UnitType.TOWNSHIP}),
    UnitType.BRANCH: frozenset({UnitType.TOWNSHIP, UnitType.VILLAGE, UnitType.COMMUNITY}),
    UnitType.PARTY_GROUP: frozenset({UnitType.VILLAGE, UnitType.COMMUNITY, UnitType.BRANCH}),
}

# What a work station "covers" when its size is checked against the tenant's bounds.
STATION_COVERED = frozenset({UnitType.VILLAGE, UnitType.COMMUNITY})


def _parent_label(t: UnitType | None) -> tuple[str, str]:
    return ("县（根）", "the county root") if t is None else (UNIT_LABEL_ZH[t], t.value)


def check_parent(child: UnitType, parent: Unit | None, field_path: str) -> None:
    """INVALID_ARGUMENT unless `parent` may hold a `child` unit."""
    allowed = LEGAL_PARENTS[child]
    parent_type = parent.type if parent else None
    if parent_type in allowed:
        return
    zh = "、".join(_parent_label(t)[0] for t in sorted(allowed, key=lambda t: t or ""))
    en = ", ".join(_parent_label(t)[1] for t in sorted(allowed, key=lambda t: t or ""))
    got_zh, got_en = _parent_label(parent_type)
    raise InvalidArgument.field(
        field_path,
        f"{UNIT_LABEL_ZH[child]}的上级只能是{zh}，不能是{got_zh}",
        f"a {child.value} must sit under {en}, not {got_en}",
        "ILLEGAL_PARENT_TYPE",
    )


def check_station_capacity(station: Unit, covered_after: int, settings: TenantSettings, field_path: str) -> None:
    """Adding to a station beyond the tenant's maximum is refused."""
    if station.type is UnitType.WORK_STATION and covered_after > settings.work_station_max_villages:
        raise InvalidArgument.field(
            field_path,
            f"党建工作站“{station.display_name}”最多覆盖{settings.work_station_max_villages}个村，"
            f"此操作后将达到{covered_after}个",
            f"work station {station.display_name!r} may cover at most "
            f"{settings.work_station_max_villages} villages; this would make {covered_after}",
            "WORK_STATION_FULL",
        )


def check_maximum_holds(settings: TenantSettings, coverage: list[tuple[Unit, int]]) -> None:
    """A maximum below what a station already covers would make the county's own export
    unimportable (WORK_STATION_FULL), so it is refused; a minimum above a station's coverage
    is allowed: ValidateTenant reports that station as a warning while the county reorganises."""
    if not coverage:
        return
    station, covered = max(coverage, key=lambda sc: sc[1])
    hi = settings.work_station_max_villages
    if covered > hi:
        raise FailedPrecondition(
            "WORK_STATION_OVER_MAXIMUM",
            f"党建工作站“{station.display_name}”已覆盖{covered}个村，上限不能低于{covered}个，请先调整该站",
            f"work station {station.display_name!r} already covers {covered} villages: the maximum cannot be "
            f"lower than {covered} ({hi} asked); move villages out of it first",
            {"unit": unit_name(station.tenant, station.id), "covered": str(covered)},
        )


def check_move(unit: Unit, new_parent: Unit | None) -> None:
    """No unit may move into its own subtree."""
    if new_parent is not None and unit.contains(new_parent):
        raise InvalidArgument.field(
            "new_parent",
            "不能把组织移动到它自己或其下级之下",
            "cannot move a unit under itself or one of its descendants (cycle)",
            "MOVE_CYCLE",
        )


@dataclass(frozen=True)
class Finding:
    severity: str  # WARNING or ERROR
    code: str
    unit: Unit
    en: str
    zh: str


def station_findings(station: Unit, covered: int, settings: TenantSettings) -> list[Finding]:
    """Too many villages is an error; too few is a warning while a county is being set up."""
    lo, hi = settings.work_station_min_villages, settings.work_station_max_villages
    if covered > hi:
        return [Finding("ERROR", "WORK_STATION_TOO_MANY_VILLAGES", station,
                        f"{station.display_name} covers {covered} villages, more than {hi}",
                        f"{station.display_name}覆盖{covered}个村，超过上限{hi}个")]
    if covered < lo:
        return [Finding("WARNING", "WORK_STATION_TOO_FEW_VILLAGES", station,
                        f"{station.display_name} covers {covered} villages, fewer than {lo}",
                        f"{station.display_name}覆盖{covered}个村，少于下限{lo}个")]
    return []


# 统计用区划代码: a township (乡镇、街道) has 9 digits, a village or community (村、居委会) 12, each
# beginning with its county's 6. Stations, branches and groups are no division of their own: either
# length, naming the division they serve.
DIVISION_CODE_LENGTHS: dict[UnitType, tuple[int, ...]] = {
    UnitType.TOWNSHIP: (9,),
    UnitType.VILLAGE: (12,),
    UnitType.COMMUNITY: (12,),
}
_ANY_DIVISION = (9, 12)
# The divisions themselves: no two active ones of a county share a code.
DIVISIONS = frozenset(DIVISION_CODE_LENGTHS)


def check_division_code(v: Validator, code: str, tenant: str, unit_type: UnitType | None, field_path: str) -> None:
    """A unit's division code, when given, is one of its county's (a Beijing or another county's
    code, or 000000000, would file the unit's statistics under the wrong place)."""
    if not code:
        return
    lengths = DIVISION_CODE_LENGTHS.get(unit_type, _ANY_DIVISION) if unit_type else _ANY_DIVISION
    digits = "或".join(str(n) for n in lengths)
    if not (code.isascii() and code.isdigit() and len(code) in lengths):
        v.add(field_path, f"应为{digits}位数字的区划代码", f"must be a {' or '.join(map(str, lengths))} digit division code")
    elif not code.startswith(tenant):
        v.add(field_path, f"区划代码应以本县代码{tenant}开头", f"must begin with the county's own code {tenant}")


def check_settings(settings: TenantSettings, prefix: str = "tenant.settings") -> None:
    """INVALID_ARGUMENT naming every out-of-range setting."""
    v = Validator()
    lo, hi = settings.work_station_min_villages, settings.work_station_max_villages
    v.require(1 <= lo <= 50, f"{prefix}.work_station_min_villages", "应在1到50之间", "must be within 1..50")
    v.require(1 <= hi <= 50, f"{prefix}.work_station_max_villages", "应在1到50之间", "must be within 1..50")
    v.require(lo <= hi, f"{prefix}.work_station_min_villages", "下限不能大于上限", "must not exceed the maximum")
    v.require(settings.time_zone in _TIME_ZONES, f"{prefix}.time_zone",
              "不是有效的时区名称", "is not an IANA time zone such as Asia/Shanghai")
    v.require(settings.locale in {"zh-CN", "en-US"}, f"{prefix}.locale", "只支持 zh-CN 或 en-US", "must be zh-CN or en-US")
    v.raise_if_any()


@dataclass(frozen=True)
class PostRule:
    """Where a post may be held and how many may hold it at once in one unit."""

    unit_types: frozenset[UnitType]
    max_current: int | None
    zh: str


_VILLAGE_LIKE = frozenset({UnitType.VILLAGE, UnitType.COMMUNITY, UnitType.BRANCH})

POST_RULES: dict[PostType, PostRule] = {
    PostType.SECRETARY: PostRule(_VILLAGE_LIKE | {UnitType.TOWNSHIP}, 1, "书记"),
    PostType.DEPUTY_SECRETARY: PostRule(_VILLAGE_LIKE | {UnitType.TOWNSHIP}, 3, "副书记"),
    PostType.COMMITTEE_MEMBER: PostRule(_VILLAGE_LIKE | {UnitType.TOWNSHIP}, None, "委员"),
    PostType.VILLAGE_DIRECTOR: PostRule(frozenset({UnitType.VILLAGE, UnitType.COMMUNITY}), 1, "村（居）委会主任"),
    PostType.FIRST_SECRETARY: PostRule(frozenset({UnitType.VILLAGE, UnitType.COMMUNITY}), 1, "第一书记"),
    PostType.STATION_CHIEF: PostRule(frozenset({UnitType.WORK_STATION}), 1, "站长"),
    PostType.STATION_DEPUTY: PostRule(frozenset({UnitType.WORK_STATION}), 2, "副站长"),
    PostType.PARTY_AFFAIRS_WORKER: PostRule(frozenset({UnitType.WORK_STATION}), 2, "专职党务工作者"),
    PostType.RESERVE_CADRE: PostRule(frozenset({UnitType.VILLAGE, UnitType.COMMUNITY}), None, "后备干部"),
    PostType.REVITALIZATION_SPECIALIST: PostRule(frozenset({UnitType.VILLAGE, UnitType.COMMUNITY, UnitType.TOWNSHIP}), None, "乡村振兴工作专员"),
}

# Names the host's zone database also lists but that are not a place: "localtime" is whatever
# zone the server happens to run in, "Factory" a placeholder; posix/ and right/ are copies.
_NOT_A_PLACE = frozenset({"localtime", "Factory", "posixrules"})
_TIME_ZONES = frozenset(z for z in available_timezones()
                        if z not in _NOT_A_PLACE and not z.startswith(("posix/", "right/")))

# 乡村振兴工作专员: under 35 with a college degree (大专及以上).
SPECIALIST_MAX_AGE = 35
COLLEGE_EDUCATION = frozenset({"大专", "本科", "硕士", "博士", "研究生"})


def check_post_placement(post_type: PostType, unit: Unit, current_same_type: int) -> None:
    rule = POST_RULES[post_type]
    if unit.type not in rule.unit_types:
        raise InvalidArgument.field(
            "post.unit",
            f"{rule.zh}不能设在{UNIT_LABEL_ZH[unit.type]}",
            f"a {post_type.value} post cannot be held in a {unit.type.value}",
            "POST_NOT_ALLOWED_IN_UNIT",
        )
    if rule.max_current is not None and current_same_type >= rule.max_current:
        raise FailedPrecondition(
            "POST_FULL",
            f"{unit.display_name}的{rule.zh}已满（最多{rule.max_current}人），请先结束现任",
            f"{unit.display_name} already has {current_same_type} current {post_type.value} "
            f"(at most {rule.max_current}); end one first",
        )


def check_specialist(birth_date: dt.date, education: str, on: dt.date) -> None:
    if age_on(birth_date, on) >= SPECIALIST_MAX_AGE or education not in COLLEGE_EDUCATION:
        raise FailedPrecondition(
            "SPECIALIST_NOT_ELIGIBLE",
            f"乡村振兴工作专员须未满{SPECIALIST_MAX_AGE}周岁且具有大专及以上学历",
            f"a revitalization specialist must be under {SPECIALIST_MAX_AGE} with a college degree",
        )


@dataclass(frozen=True)
class Plausibility:
    """Dates a record may hold. A county cannot change these: they are the Party's rules."""

    party_founded: dt.date = dt.date(1921, 7, 1)  # 中国共产党成立
    min_member_age: int = 18  # 年满十八岁 (党章第一条), at joining and so today
    min_post_age: int = 18
    post_start_days_ahead: int = 366  # an appointment may be recorded before it starts, not years ahead


PLAUSIBILITY = Plausibility()


def check_member_dates(v: Validator, born: dt.date | None, joined: dt.date | None, today: dt.date, prefix: str,
                       rules: Plausibility = PLAUSIBILITY) -> None:
    """A member is of age today and joined on a real day between the founding and today, of age."""
    if born is not None and age_on(born, today) < rules.min_member_age:
        v.add(f"{prefix}.id_card_number", f"党员应年满{rules.min_member_age}周岁（身份证号显示出生于{born.isoformat()}）",
              f"a Party member is at least {rules.min_member_age}; this ID number was born on {born.isoformat()}")
    if joined is None:
        return
    founded = rules.party_founded.isoformat()
    if joined > today:
        v.add(f"{prefix}.joined_on", "入党日期不能晚于今天", "must not be in the future")
    elif joined < rules.party_founded:
        v.add(f"{prefix}.joined_on", f"入党日期不能早于建党日期{founded}", f"must not be before the Party's founding ({founded})")
    elif born is not None and age_on(born, joined) < rules.min_member_age:
        v.add(f"{prefix}.joined_on", f"入党时应年满{rules.min_member_age}周岁",
              f"must be on or after the member's {rules.min_member_age}th birthday")


def check_post_start(start: dt.date, born: dt.date | None, today: dt.date, field_path: str = "post.start_date",
                     rules: Plausibility = PLAUSIBILITY) -> None:
    """A post starts after the founding, once its holder is of age, and not years ahead."""
    founded = rules.party_founded.isoformat()
    if start < rules.party_founded:
        raise InvalidArgument.field(field_path, f"任职开始日期不能早于建党日期{founded}",
                                    f"must not be before the Party's founding ({founded})", "IMPLAUSIBLE_DATE")
    if born is not None and age_on(born, start) < rules.min_post_age:
        raise InvalidArgument.field(field_path, f"任职开始时任职人应年满{rules.min_post_age}周岁",
                                    f"must be on or after the holder's {rules.min_post_age}th birthday",
                                    "IMPLAUSIBLE_DATE")
    if (start - today).days > rules.post_start_days_ahead:
        raise InvalidArgument.field(field_path, f"任职开始日期不能晚于今天{rules.post_start_days_ahead}天以上",
                                    f"must not be more than {rules.post_start_days_ahead} days ahead",
                                    "IMPLAUSIBLE_DATE")


def is_concurrent_secretary_director(types_held_in_unit: set[PostType]) -> bool:
    """一肩挑: one person is both Party secretary and village committee director."""
    return {PostType.SECRETARY, PostType.VILLAGE_DIRECTOR} <= types_held_in_unit
