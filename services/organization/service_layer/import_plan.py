"""The import planner (pure): every row of a county sheet checked, a plan to write or every problem.

It builds and checks records with the same domain factories and rules as the single-item use
cases (`new_member`, `place_unit`, `check_post_term`, `check_member_fields`, `check_unit_fields`,
`rules.check_*`), so a rule changed there changes here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from services.common.clock import parse_date
from services.common.errors import InvalidArgument, PlatformError, Validator
from services.common.ids import new_id
from services.organization.domain import personal_data as pd
from services.organization.domain import rules
from services.organization.domain.factories import check_post_term, new_member, place_unit
from services.organization.domain.model import (
    Member,
    MemberCategory,
    MemberStatus,
    Post,
    PostType,
    TenantSettings,
    Unit,
    UnitType,
)
from services.organization.domain.sheet import (
    MEMBER,
    POST_FIELDS,
    SETTING,
    SETTING_NAMES,
    UNIT,
    Row,
    RowProblem,
    split_posts,
)
from services.organization.service_layer.members import check_member_fields
from services.organization.service_layer.unit_of_work import MEMBER_ACTIVE_ELSEWHERE, MEMBER_EXISTS
from services.organization.service_layer.units import check_unit_fields

_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"", "0", "false", "no", "n", "否", "f"}
_GENDERS = {"MALE", "FEMALE"}
# What Excel writes into a CSV for a long number it has already rounded: 6.10222E+17.
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+\d+$", re.IGNORECASE)
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,18}")
ID_AS_NUMBER = ("身份证号被 Excel 存成了数字（只保留15位有效数字，末位X也会丢失）：请把该列设为“文本”格式后重新输入完整号码",
                "Excel stored the ID number as a number (it keeps only 15 significant digits and drops a final X): "
                "format the column as Text and type the full number again")


@dataclass(frozen=True)
class PostSpec:
    type: PostType
    unit_ref: str
    start_date: dt.date | None  # None: the day of the import
    term_end_date: dt.date | None
    dispatching_organ: str


def parse_posts(text: str) -> tuple[list[PostSpec], list[tuple[str, str, str]]]:
    """`TYPE|unit_ref|start|term_end|organ` entries joined by `;`; returns specs and (reason, zh, en) problems."""
    specs, problems = [], []
    for i, parts in enumerate(split_posts(text)):
        entry = "|".join(parts)
        if len(parts) > POST_FIELDS:
            problems.append(("MALFORMED_POST", f"第{i + 1}项职务“{entry}”字段过多（最多5个，用|分隔；名称中的|请写成\\|）",
                             f"post entry {i + 1} {entry!r} has more than 5 |-separated fields "
                             "(write a | inside a name as \\|)"))
            continue
        type_text, unit_ref, start, end, organ = parts + [""] * (POST_FIELDS - len(parts))
        try:
            post_type = PostType(type_text.upper())
        except ValueError:
            problems.append(("UNKNOWN_POST_TYPE", f"第{i + 1}项职务类型“{type_text}”无效",
                             f"post entry {i + 1}: unknown post type {type_text!r} "
                             f"(one of {', '.join(t.value for t in PostType)})"))
            continue
        dates = [parse_date(value) if value else None for value in (start, end)]
        bad_dates = [(value, label) for value, label, day in zip((start, end), ("start", "term_end"), dates, strict=True)
                     if value and day is None]
        for value, label in bad_dates:
            problems.append(("MALFORMED_DATE", f"第{i + 1}项职务的日期“{value}”格式应为 YYYY-MM-DD",
                             f"post entry {i + 1}: {label} date {value!r} must be YYYY-MM-DD"))
        if not bad_dates:
            specs.append(PostSpec(post_type, unit_ref, *dates, organ))
    return specs, problems


def post_unit_refs(text: str) -> set[str]:
    """The unit refs a posts cell names (to look up existing units before planning)."""
    return {parts[1] for parts in split_posts(text) if len(parts) > 1 and parts[1]}


@dataclass
class ImportContext:
    """What the plan needs to know about the tenant as it stands."""

    tenant: str
    settings: TenantSettings
    today: dt.date
    existing_units: dict[str, Unit] = field(default_factory=dict)
    station_coverage: dict[str, int] = field(default_factory=dict)
    post_counts: dict[tuple[str, PostType], int] = field(default_factory=dict)
    existing_id_cards: set[str] = field(default_factory=set)
    # Active in another county (which one is never said): a transfer, not an import, moves them.
    active_elsewhere: set[str] = field(default_factory=set)


@dataclass
class ImportPlan:
    settings: TenantSettings | None = None  # the sheet's settings rows, when they change the tenant's
    units: list[Unit] = field(default_factory=list)  # parents before children
    members: list[Member] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


Progress = Callable[[int], None]


class _Planner:
    def __init__(self, rows: list[Row], ctx: ImportContext, progress: Progress):
        self.rows, self.ctx, self.progress = rows, ctx, progress
        self.settings = ctx.settings
        self.plan = ImportPlan()
        self.by_ref: dict[str, tuple[Row, Unit]] = {}
        self.bad_refs: set[str] = set()
        self.done = 0

    def problem(self, row: int, column: str, reason: str, zh: str, en: str) -> None:
        self.plan.problems.append(RowProblem(row, column, reason, zh, en))

    def from_error(self, row: int, column: str, err: PlatformError) -> None:
        if isinstance(err, InvalidArgument) and err.violations:
            for v in err.violations:
                self.problem(row, column, err.reason, v.zh, v.en)
        else:
            self.problem(row, column, err.reason, err.zh, err.en)

    def violations(self, row: Row, v: Validator, reason: str = "INVALID_ROW", column: str = "") -> None:
        for viol in v.violations:
            self.problem(row.number, column or viol.field.rsplit(".", 1)[-1], reason, viol.zh, viol.en)

    def step(self) -> None:
        self.done += 1
        self.progress(self.done)

    def run(self) -> ImportPlan:
        kinds: dict[str, list[Row]] = {UNIT: [], MEMBER: [], SETTING: []}
        for row in self.rows:
            if not any(v.strip() for v in row.cells.values()):
                self.step()
                continue
            record = row.get("record").lower()
            if record in kinds:
                kinds[record].append(row)
            else:
                self.problem(row.number, "record", "UNKNOWN_RECORD",
                             f"记录类型“{row.get('record')}”无效，应为 unit、member 或 setting",
                             f"record must be 'unit', 'member' or 'setting', not {row.get('record')!r}")
                self.step()
        self.read_settings(kinds[SETTING])
        self.read_units(kinds[UNIT])
        self.place_units(kinds[UNIT])
        self.read_members(kinds[MEMBER])
        return self.plan

    # -------------------------------------------------------- settings

    def read_settings(self, setting_rows: list[Row]) -> None:
        values: dict[str, object] = {}
        for row in setting_rows:
            self.step()
            name, text = row.get("ref"), row.get("value")
            if name not in SETTING_NAMES:
                self.problem(row.number, "ref", "UNKNOWN_SETTING", f"设置项“{name}”无效，应为 {', '.join(SETTING_NAMES)} 之一",
                             f"unknown setting {name!r} (one of {', '.join(SETTING_NAMES)})")
            elif isinstance(getattr(self.ctx.settings, name), int):
                # A sign is kept, so `-5` is told the bound UpdateTenant names, not "not a number".
                if _WHOLE_NUMBER.fullmatch(text):
                    values[name] = int(text)
                else:
                    self.problem(row.number, "value", "INVALID_ROW", "应为整数", "must be a whole number")
            else:
                values[name] = text
        if not values:
            return
        settings = dataclasses.replace(self.ctx.settings, **values)
        try:
            rules.check_settings(settings)
        except InvalidArgument as err:
            by_name = {r.get("ref"): r.number for r in setting_rows}
            for v in err.violations:
                self.problem(by_name.get(v.field.rsplit(".", 1)[-1], setting_rows[0].number), "value", err.reason,
                             v.zh, v.en)
            return
        if settings != self.ctx.settings:
            self.settings = self.plan.settings = settings

    # -------------------------------------------------------- units

    def read_units(self, unit_rows: list[Row]) -> None:
        for row in unit_rows:
            ref = row.get("ref")
            v = Validator()
            v.require(bool(ref), "ref", "单位行须填写 ref（本表内的编号）", "a unit row needs a ref (its key within this sheet)")
            unit_type = None
            try:
                unit_type = UnitType(row.get("type").upper())
            except ValueError:
                v.add("type", f"组织类型“{row.get('type')}”无效", f"unknown unit type {row.get('type')!r} "
                      f"(one of {', '.join(t.value for t in UnitType)})")
            star = row.get("star_level") or "0"
            # isdigit() alone accepts superscripts such as ² that int() cannot read.
            star_ok = v.require(star.isascii() and star.isdigit(), "star_level", "星级应为0到5的整数",
                                "must be a whole number 0..5")
            flags = {}
            for col in ("weak_and_lax", "demonstration_site"):
                text = row.get(col).lower()
                v.require(text in _TRUE | _FALSE, col, "应为 1/0（是/否）", "must be 1 or 0 (true/false)")
                flags[col] = text in _TRUE
            check_unit_fields(v, row.get("display_name"), row.get("division_code"), int(star) if star_ok else 0,
                              tenant=self.ctx.tenant, unit_type=unit_type, prefix="")
            if ref and (ref in self.by_ref or ref in self.bad_refs):
                first = self.by_ref[ref][0].number if ref in self.by_ref else "?"
                v.add("ref", f"ref“{ref}”与第{first}行重复", f"ref {ref!r} repeats row {first}")
                ref = ""
            self.violations(row, v)
            if v.violations:
                if ref:
                    self.bad_refs.add(ref)
                self.step()
                continue
            unit = Unit(id=new_id("u"), tenant=self.ctx.tenant, type=unit_type, display_name=row.get("display_name"),
                        parent_id=None, path="", depth=0, division_code=row.get("division_code"),
                        weak_and_lax=flags["weak_and_lax"], demonstration_site=flags["demonstration_site"],
                        star_level=int(star))
            self.by_ref[ref] = (row, unit)

    def resolve_unit(self, ref: str) -> Unit | None:
        """A ref of this sheet or the id of an existing unit of the tenant."""
        if ref in self.by_ref:
            return self.by_ref[ref][1]
        return self.ctx.existing_units.get(ref)

    def place_units(self, unit_rows: list[Row]) -> None:
        """Resolve parents (any order in the sheet), then check each unit's place in the tree."""
        state: dict[str, str] = {}  # ref -> "visiting" | "done" | "bad"

        def visit(ref: str) -> bool:
            row, unit = self.by_ref[ref]
            if state.get(ref) in ("done", "bad"):
                return state[ref] == "done"
            if state.get(ref) == "visiting":
                self.problem(row.number, "parent_ref", "PARENT_CYCLE", "上级关系成环", "the parent_ref chain loops back to this row")
                state[ref] = "bad"
                return False
            state[ref] = "visiting"
            parent_ref, parent = row.get("parent_ref"), None
            if parent_ref in self.by_ref or parent_ref in self.bad_refs:
                if parent_ref in self.by_ref and visit(parent_ref):
                    parent = self.by_ref[parent_ref][1]
                else:
                    if state[ref] != "bad":  # not already named as the start of a loop
                        self.problem(row.number, "parent_ref", "PARENT_REJECTED", f"上级“{parent_ref}”所在行有错误",
                                     f"the parent {parent_ref!r} has problems of its own")
                    state[ref] = "bad"
                    return False
            elif parent_ref:
                parent = self.ctx.existing_units.get(parent_ref)
                if parent is None or not parent.active:
                    self.problem(row.number, "parent_ref", "UNKNOWN_PARENT",
                                 f"上级“{parent_ref}”既不是本表的 ref，也不是本县现有的组织",
                                 f"parent {parent_ref!r} is neither a ref in this sheet nor an active unit of the county")
                    state[ref] = "bad"
                    return False
            try:
                place_unit(unit, parent, "parent_ref")
            except PlatformError as err:
                self.from_error(row.number, "parent_ref", err)
                state[ref] = "bad"
                return False
            state[ref] = "done"
            return True

        placed = []
        for row in unit_rows:
            ref = row.get("ref")
            if ref in self.by_ref and self.by_ref[ref][0] is row:
                self.step()
                if visit(ref):
                    placed.append((row, self.by_ref[ref][1]))
        # Station capacity: counted in sheet order, so the row that overfills a station is the one named.
        coverage = dict(self.ctx.station_coverage)
        by_id = {u.id: u for _, u in placed} | self.ctx.existing_units
        for row, unit in placed:
            parent = by_id.get(unit.parent_id) if unit.parent_id else None
            if parent is not None and parent.type is UnitType.WORK_STATION and unit.type in rules.STATION_COVERED:
                coverage[parent.id] = coverage.get(parent.id, 0) + 1
                try:
                    rules.check_station_capacity(parent, coverage[parent.id], self.settings, "parent_ref")
                except PlatformError as err:
                    self.from_error(row.number, "parent_ref", err)
        self.plan.units = sorted((u for _, u in placed), key=lambda u: u.depth)

    # -------------------------------------------------------- members and posts

    def enum_cell(self, row: Row, column: str, kind, default, zh: str, en: str):
        try:
            return kind(row.get(column).upper() or default.value)
        except ValueError:
            self.problem(row.number, column, "INVALID_ROW", f"{zh}“{row.get(column)}”无效", en)
            return default

    def read_members(self, member_rows: list[Row]) -> None:
        id_cards: dict[str, int] = {}
        post_counts = dict(self.ctx.post_counts)
        for row in member_rows:
            self.step()
            before = len(self.plan.problems)
            status = self.enum_cell(row, "status", MemberStatus, MemberStatus.FULL, "党员状态", "must be FULL or PROBATIONARY")
            category = self.enum_cell(row, "category", MemberCategory, MemberCategory.ORDINARY_FARMER, "党员类别",
                                      f"must be one of {', '.join(c.value for c in MemberCategory)}")
            gender = row.get("gender").upper()
            if gender and gender not in _GENDERS:
                self.problem(row.number, "gender", "INVALID_ROW", "性别应为 MALE 或 FEMALE", "must be MALE or FEMALE")
            v = Validator()
            member = new_member(new_id("m"), self.ctx.tenant, "", display_name=row.get("display_name"),
                                id_card_number=row.get("id_card_number"), gender=gender, phone=row.get("phone"),
                                status=status, category=category, joined_on=v.date(row.get("joined_on"), ".joined_on"),
                                education=row.get("education"))
            number = member.id_card_number
            check_member_fields(v, member, prefix="")
            if pd.id_card_problem(number) and ("id_card_number" in row.numeric or _SCIENTIFIC.match(number)):
                v.violations = [x for x in v.violations if x.field != ".id_card_number"]
                v.add("id_card_number", *ID_AS_NUMBER)
            self.violations(row, v)
            if not pd.id_card_problem(number):
                if number in id_cards:
                    self.problem(row.number, "id_card_number", "DUPLICATE_ID_CARD",
                                 f"身份证号与第{id_cards[number]}行重复", f"the ID number repeats row {id_cards[number]}")
                elif number in self.ctx.existing_id_cards:
                    self.from_error(row.number, "id_card_number", MEMBER_EXISTS.error())
                elif number in self.ctx.active_elsewhere:
                    self.from_error(row.number, "id_card_number", MEMBER_ACTIVE_ELSEWHERE.error())
                else:
                    id_cards[number] = row.number
            unit = self.member_unit(row)
            if unit is not None:
                member.unit_id = unit.id
            posts = self.read_posts(row, member, unit, post_counts)
            if len(self.plan.problems) == before:
                self.plan.members.append(member)
                self.plan.posts += posts

    def member_unit(self, row: Row) -> Unit | None:
        ref = row.get("parent_ref")
        if not ref:
            self.problem(row.number, "parent_ref", "INVALID_ROW", "党员行须在 parent_ref 填写所在党组织",
                         "a member row names the member's unit in parent_ref")
            return None
        unit = self.resolve_unit(ref)
        if unit is None or (ref in self.by_ref and not unit.path) or not unit.active:
            self.problem(row.number, "parent_ref", "UNKNOWN_UNIT",
                         f"所在党组织“{ref}”不存在（或其所在行有错误）",
                         f"unit {ref!r} is not in this sheet, not in the county, or its own row has problems")
            return None
        return unit

    def read_posts(self, row: Row, member: Member, own: Unit | None,
                   counts: dict[tuple[str, PostType], int]) -> list[Post]:
        specs, problems = parse_posts(row.get("posts"))
        for reason, zh, en in problems:
            self.problem(row.number, "posts", reason, zh, en)
        posts: list[Post] = []
        held: set[tuple[str, PostType]] = set()
        for spec in specs:
            unit = own if not spec.unit_ref else self.resolve_unit(spec.unit_ref)
            if unit is None or not unit.path or not unit.active:
                if spec.unit_ref:
                    self.problem(row.number, "posts", "UNKNOWN_UNIT", f"职务{spec.type.value}的任职组织“{spec.unit_ref}”不存在",
                                 f"{spec.type.value}: no such unit {spec.unit_ref!r}")
                continue
            start, end = spec.start_date or self.ctx.today, spec.term_end_date
            v = Validator()
            check_post_term(v, spec.type, start, end, spec.dispatching_organ)
            self.violations(row, v, "INVALID_POST", "posts")
            if v.violations:
                continue
            key = (unit.id, spec.type)
            if key in held:
                self.problem(row.number, "posts", "POST_ALREADY_HELD", f"{member.display_name}已担任该职务",
                             f"the member holds {spec.type.value} in this unit twice")
                continue
            try:
                rules.check_post_start(start, dt.date.fromisoformat(member.birth_date) if member.birth_date else None,
                                       self.ctx.today, "posts")
                rules.check_post_placement(spec.type, unit, counts.get(key, 0))
                if spec.type is PostType.REVITALIZATION_SPECIALIST and member.birth_date:
                    rules.check_specialist(dt.date.fromisoformat(member.birth_date), member.education, start)
            except PlatformError as err:
                self.from_error(row.number, "posts", err)
                continue
            counts[key] = counts.get(key, 0) + 1
            held.add(key)
            posts.append(Post(id=new_id("p"), tenant=self.ctx.tenant, type=spec.type, unit_id=unit.id,
                              member_id=member.id, start_date=start, term_end_date=end,
                              dispatching_organ=spec.dispatching_organ))
        return posts


def plan_import(rows: list[Row], ctx: ImportContext, progress: Progress = lambda done: None) -> ImportPlan:
    """Check every row against the organization rules; a plan to write, or every problem found.

    `progress(n)` is told after each row is checked (n of len(rows)), for a caller's progress bar.
    """
    return _Planner(rows, ctx, progress).run()
