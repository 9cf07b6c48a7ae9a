"""Bulk import and export of a county's tree (组织体系导入导出): plain rows in, a report out.

One sheet, one row per unit or member (docs/import-format.md). The import checks every row
against the same domain rules as the gRPC API, collects every problem with its row number, and
writes nothing unless all rows are good; then it inserts in bulk in one transaction and emits
the same events as the one-by-one use cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.common.clock import parse_date, today_in, utcnow
from services.common.errors import InvalidArgument, PlatformError, Validator
from services.common.ids import new_id
from services.organization.domain import personal_data as pd
from services.organization.domain import rules
from services.organization.domain.events import MemberCreated, PostAssigned, UnitCreated
from services.organization.domain.model import (
    HistoryEntry,
    Member,
    MemberCategory,
    MemberStatus,
    Post,
    PostType,
    TenantSettings,
    Unit,
    UnitType,
    child_path,
)
from services.organization.service_layer.access import (
    load_tenant,
    member_name,
    post_name,
    unit_name,
)
from services.organization.service_layer.members import check_member_fields
from services.organization.service_layer.unit_of_work import OrgUnitOfWork
from services.organization.service_layer.units import check_unit_fields

COLUMNS = (
    "record", "ref", "parent_ref", "type", "display_name", "division_code", "weak_and_lax",
    "demonstration_site", "star_level", "id_card_number", "phone", "gender", "status", "category",
    "joined_on", "education", "posts",
)
REQUIRED_COLUMNS = ("record", "ref", "parent_ref", "type", "display_name")
UNIT, MEMBER = "unit", "member"
POST_SEP, POST_FIELD_SEP = ";", "|"
FIRST_DATA_ROW = 2  # row 1 is the header, as a spreadsheet numbers it
_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"", "0", "false", "no", "n", "否", "f"}
_GENDERS = {"MALE", "FEMALE"}


@dataclass(frozen=True)
class Row:
    """One data row of the sheet: its number as the spreadsheet shows it, and its cells by column."""

    number: int
    cells: dict[str, str]

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

    def __str__(self) -> str:
        where = f"{self.column}: " if self.column else ""
        return f"第{self.row}行 / row {self.row}: {where}{self.zh} / {self.en} [{self.reason}]"


@dataclass
class ImportReport:
    tenant: str
    units: int = 0
    members: int = 0
    posts: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        if self.problems:
            head = (f"导入失败，共{len(self.problems)}处错误，未写入任何数据 / import refused: "
                    f"{len(self.problems)} problem(s), nothing was written")
            return [head] + [str(p) for p in sorted(self.problems, key=lambda p: (p.row, p.column))]
        verb = ("已导入 / imported" if self.written else "检查通过（未写入） / checked, not written")
        return [f"{verb}: {self.units} units, {self.members} members, {self.posts} posts → tenants/{self.tenant}"]


def rows_from_dicts(dicts: list[dict[str, str]]) -> list[Row]:
    """Number plain dicts as a sheet would: the first data row is row 2."""
    return [Row(i + FIRST_DATA_ROW, {k: "" if v is None else str(v) for k, v in d.items()}) for i, d in enumerate(dicts)]


def check_header(header: list[str]) -> list[RowProblem]:
    """Missing required columns and unknown ones, reported against row 1."""
    problems = []
    for col in REQUIRED_COLUMNS:
        if col not in header:
            problems.append(RowProblem(1, col, "MISSING_COLUMN", f"缺少列“{col}”", f"the column {col!r} is missing"))
    for col in header:
        if col and col not in COLUMNS:
            problems.append(RowProblem(1, col, "UNKNOWN_COLUMN", f"未知列“{col}”（可用列：{', '.join(COLUMNS)}）",
                                       f"unknown column {col!r} (known: {', '.join(COLUMNS)})"))
    seen = set()
    for col in header:
        if col in seen and col:
            problems.append(RowProblem(1, col, "DUPLICATE_COLUMN", f"列“{col}”重复", f"the column {col!r} appears twice"))
        seen.add(col)
    return problems


# ---------------------------------------------------------------- planning (pure)

@dataclass(frozen=True)
class PostSpec:
    type: PostType
    unit_ref: str
    start_date: str
    term_end_date: str
    dispatching_organ: str


def parse_posts(text: str) -> tuple[list[PostSpec], list[tuple[str, str, str]]]:
    """`TYPE|unit_ref|start|term_end|organ` entries joined by `;`; returns specs and (reason, zh, en) problems."""
    specs, problems = [], []
    for i, entry in enumerate(e.strip() for e in text.split(POST_SEP)):
        if not entry:
            continue
        parts = [p.strip() for p in entry.split(POST_FIELD_SEP)]
        if len(parts) > 5:
            problems.append(("MALFORMED_POST", f"第{i + 1}项职务“{entry}”字段过多（最多5个，用|分隔）",
                             f"post entry {i + 1} {entry!r} has more than 5 |-separated fields"))
            continue
        parts += [""] * (5 - len(parts))
        type_text, unit_ref, start, end, organ = parts
        try:
            post_type = PostType(type_text.upper())
        except ValueError:
            problems.append(("UNKNOWN_POST_TYPE", f"第{i + 1}项职务类型“{type_text}”无效",
                             f"post entry {i + 1}: unknown post type {type_text!r} "
                             f"(one of {', '.join(t.value for t in PostType)})"))
            continue
        bad_date = False
        for value, label in ((start, "start"), (end, "term_end")):
            if value and parse_date(value) is None:
                bad_date = True
                problems.append(("MALFORMED_DATE", f"第{i + 1}项职务的日期“{value}”格式应为 YYYY-MM-DD",
                                 f"post entry {i + 1}: {label} date {value!r} must be YYYY-MM-DD"))
        if bad_date:
            continue
        specs.append(PostSpec(post_type, unit_ref, start, end, organ))
    return specs, problems


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


@dataclass
class ImportPlan:
    units: list[Unit] = field(default_factory=list)  # parents before children
    members: list[Member] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


class _Planner:
    def __init__(self, rows: list[Row], ctx: ImportContext):
        self.rows, self.ctx = rows, ctx
        self.plan = ImportPlan()
        self.by_ref: dict[str, tuple[Row, Unit]] = {}
        self.bad_refs: set[str] = set()

    def problem(self, row: int, column: str, reason: str, zh: str, en: str) -> None:
        self.plan.problems.append(RowProblem(row, column, reason, zh, en))

    def from_error(self, row: int, column: str, err: PlatformError) -> None:
        if isinstance(err, InvalidArgument) and err.violations:
            for v in err.violations:
                self.problem(row, v.field.rsplit(".", 1)[-1] or column, err.reason, v.zh, v.en)
        else:
            self.problem(row, column, err.reason, err.zh, err.en)

    def run(self) -> ImportPlan:
        unit_rows, member_rows = [], []
        for row in self.rows:
            if not any(v.strip() for v in row.cells.values()):
                continue
            record = row.get("record").lower()
            if record == UNIT:
                unit_rows.append(row)
            elif record == MEMBER:
                member_rows.append(row)
            else:
                self.problem(row.number, "record", "UNKNOWN_RECORD", f"记录类型“{row.get('record')}”无效，应为 unit 或 member",
                             f"record must be 'unit' or 'member', not {row.get('record')!r}")
        self.read_units(unit_rows)
        self.place_units(unit_rows)
        self.read_members(member_rows)
        return self.plan

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
            v.require(star.isdigit(), "star_level", "星级应为0到5的整数", "must be a whole number 0..5")
            flags = {}
            for col in ("weak_and_lax", "demonstration_site"):
                text = row.get(col).lower()
                v.require(text in _TRUE | _FALSE, col, "应为 1/0（是/否）", "must be 1 or 0 (true/false)")
                flags[col] = text in _TRUE
            check_unit_fields(v, row.get("display_name"), row.get("division_code"), int(star) if star.isdigit() else 0,
                              prefix="")
            if ref and (ref in self.by_ref or ref in self.bad_refs):
                first = self.by_ref[ref][0].number if ref in self.by_ref else "?"
                v.add("ref", f"ref“{ref}”与第{first}行重复", f"ref {ref!r} repeats row {first}")
                ref = ""
            for viol in v.violations:
                self.problem(row.number, viol.field.rsplit(".", 1)[-1], "INVALID_ROW", viol.zh, viol.en)
            if v.violations:
                if ref:
                    self.bad_refs.add(ref)
                continue
            unit_id = new_id("u")
            unit = Unit(id=unit_id, tenant=self.ctx.tenant, type=unit_type, display_name=row.get("display_name"),
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
            if state.get(ref) == "done":
                return True
            if state.get(ref) == "bad":
                return False
            if state.get(ref) == "visiting":
                self.problem(row.number, "parent_ref", "PARENT_CYCLE", "上级关系成环", "the parent_ref chain loops back to this row")
                state[ref] = "bad"
                return False
            state[ref] = "visiting"
            parent_ref = row.get("parent_ref")
            parent = None
            if parent_ref:
                if parent_ref in self.by_ref:
                    if not visit(parent_ref):
                        if state.get(ref) != "bad":
                            self.problem(row.number, "parent_ref", "PARENT_REJECTED", f"上级“{parent_ref}”所在行有错误",
                                         f"the parent {parent_ref!r} has problems of its own")
                        state[ref] = "bad"
                        return False
                    parent = self.by_ref[parent_ref][1]
                elif parent_ref in self.bad_refs:
                    self.problem(row.number, "parent_ref", "PARENT_REJECTED", f"上级“{parent_ref}”所在行有错误",
                                 f"the parent {parent_ref!r} has problems of its own")
                    state[ref] = "bad"
                    return False
                else:
                    parent = self.ctx.existing_units.get(parent_ref)
                    if parent is None or not parent.active:
                        self.problem(row.number, "parent_ref", "UNKNOWN_PARENT",
                                     f"上级“{parent_ref}”既不是本表的 ref，也不是本县现有的组织",
                                     f"parent {parent_ref!r} is neither a ref in this sheet nor an active unit of the county")
                        state[ref] = "bad"
                        return False
            try:
                rules.check_parent(unit.type, parent, "parent_ref")
            except PlatformError as err:
                self.from_error(row.number, "parent_ref", err)
                state[ref] = "bad"
                return False
            unit.parent_id = parent.id if parent else None
            unit.path = child_path(parent, unit.id)
            unit.depth = parent.depth + 1 if parent else 1
            state[ref] = "done"
            return True

        placed = []
        for row in unit_rows:
            ref = row.get("ref")
            if ref in self.by_ref and self.by_ref[ref][0] is row and visit(ref):
                placed.append((row, self.by_ref[ref][1]))
        # Station capacity: counted in sheet order, so the row that overfills a station is the one named.
        coverage = dict(self.ctx.station_coverage)
        by_id = {u.id: u for _, u in placed} | self.ctx.existing_units
        for row, unit in placed:
            parent = by_id.get(unit.parent_id) if unit.parent_id else None
            if parent is not None and parent.type is UnitType.WORK_STATION and unit.type in rules.STATION_COVERED:
                coverage[parent.id] = coverage.get(parent.id, 0) + 1
                try:
                    rules.check_station_capacity(parent, coverage[parent.id], self.ctx.settings, "parent_ref")
                except PlatformError as err:
                    self.from_error(row.number, "parent_ref", err)
        self.plan.units = sorted((u for _, u in placed), key=lambda u: u.depth)

    # -------------------------------------------------------- members and posts

    def read_members(self, member_rows: list[Row]) -> None:
        id_cards: dict[str, int] = {}
        post_counts = dict(self.ctx.post_counts)
        for row in member_rows:
            before = len(self.plan.problems)
            number = pd.normalize_id_card(row.get("id_card_number"))
            status = category = None
            try:
                status = MemberStatus(row.get("status").upper() or MemberStatus.FULL.value)
            except ValueError:
                self.problem(row.number, "status", "INVALID_ROW", f"党员状态“{row.get('status')}”无效",
                             "must be FULL or PROBATIONARY")
            try:
                category = MemberCategory(row.get("category").upper() or MemberCategory.ORDINARY_FARMER.value)
            except ValueError:
                self.problem(row.number, "category", "INVALID_ROW", f"党员类别“{row.get('category')}”无效",
                             f"must be one of {', '.join(c.value for c in MemberCategory)}")
            gender = row.get("gender").upper()
            if gender and gender not in _GENDERS:
                self.problem(row.number, "gender", "INVALID_ROW", "性别应为 MALE 或 FEMALE", "must be MALE or FEMALE")
            member = Member(id=new_id("m"), tenant=self.ctx.tenant, unit_id="", display_name=row.get("display_name"),
                            gender=gender, id_card_number=number, phone=row.get("phone"),
                            status=status or MemberStatus.FULL, category=category or MemberCategory.ORDINARY_FARMER,
                            joined_on=row.get("joined_on"), education=row.get("education"), birth_date="")
            v = Validator()
            check_member_fields(v, member, prefix="")
            for viol in v.violations:
                self.problem(row.number, viol.field.rsplit(".", 1)[-1], "INVALID_ROW", viol.zh, viol.en)
            if not pd.id_card_problem(number):
                if number in id_cards:
                    self.problem(row.number, "id_card_number", "DUPLICATE_ID_CARD",
                                 f"身份证号与第{id_cards[number]}行重复", f"the ID number repeats row {id_cards[number]}")
                elif number in self.ctx.existing_id_cards:
                    self.problem(row.number, "id_card_number", "MEMBER_EXISTS", "该身份证号的党员已在本县登记",
                                 "a member with this ID number is already recorded in this county")
                else:
                    id_cards[number] = row.number
                member.birth_date = pd.birth_date_of(number).isoformat()
                member.gender = member.gender or pd.gender_of(number)
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
            start = parse_date(spec.start_date) if spec.start_date else self.ctx.today
            end = parse_date(spec.term_end_date) if spec.term_end_date else None
            v = Validator()
            if end is not None:
                v.require(end > start, "posts", f"{spec.type.value}的任期结束日期应晚于开始日期",
                          f"{spec.type.value}: the term end must be after the start")
            if spec.type is PostType.FIRST_SECRETARY:
                v.require(end is not None, "posts", "第一书记须填写任期结束日期",
                          "a first secretary is dispatched for a term: give its end date")
                v.text(spec.dispatching_organ, "posts", max_len=100)
            else:
                v.text(spec.dispatching_organ, "posts", max_len=100, required=False)
            for viol in v.violations:
                self.problem(row.number, "posts", "INVALID_POST", viol.zh, viol.en)
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
                              member_id=member.id, start_date=start.isoformat(), term_end_date=spec.term_end_date,
                              dispatching_organ=spec.dispatching_organ, member_display_name=member.display_name))
        return posts


def plan_import(rows: list[Row], ctx: ImportContext) -> ImportPlan:
    """Check every row against the organization rules; a plan to write, or every problem found."""
    return _Planner(rows, ctx).run()


# ---------------------------------------------------------------- the use cases

def _refs(rows: list[Row]) -> set[str]:
    """Every value that may name an existing unit: parent refs and post unit refs."""
    refs = set()
    for row in rows:
        refs.add(row.get("parent_ref"))
        for entry in row.get("posts").split(POST_SEP):
            parts = entry.split(POST_FIELD_SEP)
            if len(parts) > 1:
                refs.add(parts[1].strip())
    sheet_refs = {row.get("ref") for row in rows if row.get("record").lower() == UNIT}
    return {r for r in refs if r and r not in sheet_refs}


def _context(uow: OrgUnitOfWork, rows: list[Row]) -> ImportContext:
    tenant = load_tenant(uow, uow.tenant)
    existing = uow.units.get_many(sorted(_refs(rows)))
    coverage = {s.id: n for s, n in uow.units.stations_with_coverage(rules.STATION_COVERED) if s.id in existing}
    numbers = {pd.normalize_id_card(r.get("id_card_number")) for r in rows if r.get("record").lower() == MEMBER}
    return ImportContext(
        tenant=uow.tenant, settings=tenant.settings, today=today_in(tenant.settings.time_zone),
        existing_units=existing, station_coverage=coverage,
        post_counts=uow.posts.current_counts(list(existing)),
        existing_id_cards=uow.members.existing_id_cards(sorted(n for n in numbers if n)),
    )


def import_rows(rows: list[Row], uow: OrgUnitOfWork, actor: str = "import", dry_run: bool = False,
                header_problems: list[RowProblem] | None = None) -> ImportReport:
    """All or nothing: every problem reported, or every row written in one transaction with its events."""
    report = ImportReport(uow.tenant, problems=list(header_problems or []))
    with uow:
        plan = plan_import(rows, _context(uow, rows))
        report.problems += plan.problems
        report.units, report.members, report.posts = len(plan.units), len(plan.members), len(plan.posts)
        if not report.ok or dry_run:
            return report
        _write(uow, plan, actor)
        uow.commit()
        report.written = True
    uow.refresh_tree_statistics()
    return report


def _write(uow: OrgUnitOfWork, plan: ImportPlan, actor: str) -> None:
    tenant, now = uow.tenant, utcnow()
    uow.units.add_many(plan.units)
    uow.members.add_many(plan.members)
    uow.posts.add_many(plan.posts)
    uow.units.add_history_many([HistoryEntry(u.id, "CREATED", now, actor, "imported", u.parent_id) for u in plan.units])
    uow.members.add_history_many([(HistoryEntry(m.id, "CREATED", now, actor, "imported"), "", unit_name(tenant, m.unit_id))
                                  for m in plan.members])
    for u in plan.units:
        uow.emit(UnitCreated(unit_name(tenant, u.id), u.type.value, u.display_name,
                             unit_name(tenant, u.parent_id) if u.parent_id else ""))
    for m in plan.members:
        uow.emit(MemberCreated(member_name(tenant, m.id), unit_name(tenant, m.unit_id), m.status.value))
    for p in plan.posts:
        uow.emit(PostAssigned(post_name(tenant, p.id), p.type.value, unit_name(tenant, p.unit_id),
                              member_name(tenant, p.member_id), p.start_date, p.term_end_date))


def export_rows(uow: OrgUnitOfWork) -> list[dict[str, str]]:
    """The tenant's active tree, members and current posts in the import format (refs are unit ids)."""
    everything = 10**9
    with uow:
        load_tenant(uow, uow.tenant)
        units = uow.units.list(types=[], under=None, show_inactive=False, after=None, limit=everything)
        members = uow.members.list(under=None, status=None, category=None, post_holder=None, show_transferred=False,
                                   after=None, limit=everything)
        posts = uow.posts.list(unit_id=None, member_id=None, include_history=False, after=None, limit=everything)
    order = {u.id: i for i, u in enumerate(units)}
    by_member: dict[str, list[Post]] = {}
    for p in sorted(posts, key=lambda p: (order.get(p.unit_id, len(order)), p.type.value, p.start_date)):
        by_member.setdefault(p.member_id, []).append(p)
    out = [_unit_row(u) for u in units]
    for m in sorted(members, key=lambda m: (order.get(m.unit_id, len(order)), m.id)):
        out.append(_member_row(m, by_member.get(m.id, [])))
    return out


def _flag(value: bool) -> str:
    return "1" if value else ""


def _unit_row(u: Unit) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(record=UNIT, ref=u.id, parent_ref=u.parent_id or "", type=u.type.value, display_name=u.display_name,
               division_code=u.division_code, weak_and_lax=_flag(u.weak_and_lax),
               demonstration_site=_flag(u.demonstration_site), star_level=str(u.star_level) if u.star_level else "")
    return row


def _member_row(m: Member, posts: list[Post]) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    entries = [POST_FIELD_SEP.join([p.type.value, "" if p.unit_id == m.unit_id else p.unit_id, p.start_date,
                                    p.term_end_date, p.dispatching_organ]).rstrip(POST_FIELD_SEP) for p in posts]
    row.update(record=MEMBER, ref=m.id, parent_ref=m.unit_id, display_name=m.display_name,
               id_card_number=m.id_card_number, phone=m.phone, gender=m.gender, status=m.status.value,
               category=m.category.value, joined_on=m.joined_on, education=m.education,
               posts=POST_SEP.join(entries))
    return row
