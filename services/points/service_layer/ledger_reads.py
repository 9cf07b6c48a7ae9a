"""The ledger's reads: GetBalance, ListEntries, GetStandings, GetUnitSummary, VerifyLedger."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.common import identifiers
from services.common.auth import Principal
from services.common.errors import FailedPrecondition, InvalidArgument, Validator, not_found
from services.common.pagination import Page
from services.points.adapters.ledger_queries import EntryFilter
from services.points.domain import ledger as rules
from services.points.domain.chain import ChainVerifier
from services.points.domain.ledger import Entry, EntryStatus, RuleUse, Standing, StatusCounts
from services.points.domain.names import entry_name, member_name, unit_name
from services.points.domain.rule_sets import Mode, RuleSetRevision
from services.points.service_layer import ledger_access as access
from services.points.service_layer import ledger_commands as c
from services.points.service_layer import scope
from services.points.service_layer.loaders import rules_in_force
from services.points.service_layer.unit_of_work import PointsUnitOfWork, PointsUnitOfWorkFactory

STANDINGS_MAX = 1000
DEFAULT_TOP = 10


@dataclass(frozen=True)
class RuleLine:
    use: RuleUse
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class BalanceView:
    member_id: str
    member_display_name: str
    year: int
    balance: int
    base: int
    mode: Mode | None
    status: str
    status_name_zh: str
    status_name_en: str
    rules: list[RuleLine] = field(default_factory=list)
    pending_count: int = 0

    @property
    def rules_near_cap(self) -> list[str]:
        return [line.use.rule_code for line in self.rules if line.use.near_cap]


def _year_rules(uow: PointsUnitOfWork, year: int) -> RuleSetRevision:
    """The rules that describe a year; a year before the county's first rules has no balances
    (a year with entries always has rules: each entry was counted under rules in force)."""
    revision = rules_in_force(uow, uow.tenant, access.day_for_year(uow, year))
    if revision is None:
        raise FailedPrecondition("NO_RULES_IN_FORCE", f"{year} 年本县尚无生效的积分规则，没有积分可查",
                                 f"no points rules of the county are in force in {year}: there are no balances",
                                 {"year": str(year)})
    return revision


def _base_status(revision: RuleSetRevision) -> tuple[int, str]:
    """A member-year without entries: the base, and the status the base puts a member in."""
    return revision.content.base, revision.status_of(revision.content.base)


def get_balance(cmd: c.GetBalance, uows: PointsUnitOfWorkFactory, who: Principal) -> BalanceView:
    with uows(cmd.tenant, write=False) as uow:
        year = access.year_of(uow, cmd.year)
        member = access.load_member(uow, identifiers.require(cmd.member_id, "member"))
        access.check_member_within(uow, who, member)
        revision = _year_rules(uow, year)
        state, stored_status = uow.ledger.member_years_with_status([member.id], year).get(member.id, (None, ""))
        base, status = _base_status(revision)
        if state is not None:
            base, status = state.base, stored_status
        content = revision.content
        threshold = next((t for t in content.thresholds if t.code == status), None)
        lines = []
        for code, points, quantity, pending in uow.ledger_queries.rule_totals(member.id, year):
            rule = revision.rule(code)  # None: a rule of an earlier revision of the year
            lines.append(RuleLine(RuleUse(code, points, quantity, rule.yearly_cap if rule else 0, pending),
                                  rule.name_zh if rule else code, rule.name_en if rule else code))
        return BalanceView(
            member.id, member.display_name, year, state.balance if state else base, base,
            content.mode, status,
            threshold.name_zh if threshold else "正常", threshold.name_en if threshold else "normal",
            lines, state.pending_count if state else 0)


def _subtree_root(uow: PointsUnitOfWork, who: Principal, unit_id: str, field_path: str):
    """The unit a read is confined to: the one asked for (inside a clerk's subtree), else the
    clerk's own root, else None (the county)."""
    if unit_id:
        unit = uow.directory.unit(identifiers.require(unit_id, field_path))
        if unit is None:
            raise not_found("组织", "unit", unit_name(uow.tenant, unit_id))
        scope.check_unit_within(uow, who, unit)
        return unit
    return scope.clerk_root(uow, who)


def list_entries(cmd: c.ListEntries, uows: PointsUnitOfWorkFactory, who: Principal) -> tuple[list[Entry], str]:
    if cmd.member_id and cmd.unit_id:
        raise InvalidArgument.field("unit", "按党员或按组织查询，二者选一", "give a member or a unit, not both")
    page = Page.open(cmd, uows.page_tokens, shape=(int,))
    status = cmd.status
    if status and status not in EntryStatus.__members__:
        raise InvalidArgument.field("status", "未知的条目状态", f"unknown entry status {status!r}")
    with uows(cmd.tenant, write=False) as uow:
        access.check_member_tenant(uow, who, cmd.member_tenant or cmd.tenant, "member")
        year = access.year_of(uow, cmd.year) if cmd.year else 0
        subtree = None
        if cmd.member_id:
            access.check_member_within(uow, who, access.load_member(uow, identifiers.require(cmd.member_id, "member")))
        else:
            root = _subtree_root(uow, who, cmd.unit_id, "unit")
            if root is not None:
                subtree = uow.directory.in_subtree(uow.directory.tables.members.c.unit_id, root.id)
        where = EntryFilter(cmd.member_id, year, identifiers.require(cmd.rule_code, "rule_code"), status, subtree)
        found = uow.ledger_queries.entries(where, page.after_one(), page.fetch)
        return page.cut(found, lambda entry: [entry.seq])


def _members_with_balances(uow: PointsUnitOfWork, who: Principal, unit_id: str, year: int):
    """Active members of the subtree (or county) and their balances of the year, base when none."""
    root = _subtree_root(uow, who, unit_id, "unit")
    members_table = uow.directory.tables.members
    subtree = uow.directory.in_subtree(members_table.c.unit_id, root.id) if root is not None else None
    found = uow.ledger_queries.active_members_with_balances(subtree, year)
    base, base_status = _base_status(_year_rules(uow, year))
    members = [m for m, _ in found]
    return root, members, {m.id: (b.balance, b.status) if b else (base, base_status) for m, b in found}


@dataclass(frozen=True)
class StandingLine:
    standing: Standing
    display_name: str
    unit_id: str
    status: str


@dataclass(frozen=True)
class StandingsView:
    year: int
    member_count: int
    top: list[StandingLine]
    bottom: list[StandingLine]


def get_standings(cmd: c.GetStandings, uows: PointsUnitOfWorkFactory, who: Principal) -> StandingsView:
    v = Validator()
    for field_path, n in (("top_n", cmd.top_n), ("bottom_n", cmd.bottom_n)):
        v.require(0 <= n <= STANDINGS_MAX, field_path, f"应在 0 至 {STANDINGS_MAX} 之间",
                  f"must be from 0 to {STANDINGS_MAX}")
    v.raise_if_any()
    top_n = cmd.top_n if cmd.top_n or cmd.bottom_n else DEFAULT_TOP
    with uows(cmd.tenant, write=False) as uow:
        year = access.year_of(uow, cmd.year)
        _, members, balances = _members_with_balances(uow, who, cmd.unit_id, year)
        ranked = rules.rank((mid, balance) for mid, (balance, _) in balances.items())
        by_id = {m.id: m for m in members}

        def line(s: Standing) -> StandingLine:
            return StandingLine(s, by_id[s.member_id].display_name, by_id[s.member_id].unit_id, balances[s.member_id][1])

        bottom = ranked[-cmd.bottom_n:] if cmd.bottom_n else []
        return StandingsView(year, len(ranked), [line(s) for s in ranked[:top_n]], [line(s) for s in bottom])


@dataclass(frozen=True)
class UnitSummaryView:
    year: int
    total: StatusCounts
    total_name: str
    children: list[tuple[StatusCounts, str]]


def get_unit_summary(cmd: c.GetUnitSummary, uows: PointsUnitOfWorkFactory, who: Principal) -> UnitSummaryView:
    with uows(cmd.tenant, write=False) as uow:
        year = access.year_of(uow, cmd.year)
        root, members, balances = _members_with_balances(uow, who, cmd.unit_id, year)
        units = uow.directory.units_in_subtree(root.id) if root is not None else uow.ledger_queries.units()
        parent_id = root.id if root is not None else None
        children = [u for u in units if u.parent_id == parent_id and u.active]
        path_of = {u.id: u.path for u in units}
        total = StatusCounts(root.id if root is not None else "")
        lines = {child.id: StatusCounts(child.id) for child in children}
        for member in members:
            balance, status = balances[member.id]
            total.add(balance, status)
            path = path_of.get(member.unit_id, "")
            for child in children:
                if path.startswith(child.path):
                    lines[child.id].add(balance, status)
                    break
        county = uow.directory.tenant()
        name = root.display_name if root is not None else (county.display_name if county else uow.tenant)
        return UnitSummaryView(year, total, name, [(lines[child.id], child.display_name) for child in children])


@dataclass(frozen=True)
class Verification:
    ok: bool
    links_checked: int
    entries_checked: int
    balances_checked: int
    first_broken: str = ""
    problem_zh: str = ""
    problem_en: str = ""


def verify_ledger(cmd: c.VerifyLedger, uows: PointsUnitOfWorkFactory, who: Principal) -> Verification:
    """Recompute the county's chain; then the statuses and the balances it implies."""
    with uows(cmd.tenant, write=False) as uow:
        verifier = ChainVerifier()
        broken = None
        for link in uow.ledger.links():
            broken = verifier.feed(link)
            if broken:
                break
        broken = broken or verifier.status_problem()
        balances = uow.ledger.count_balances()
        counts = dict(links_checked=verifier.checked, entries_checked=verifier.entries_checked,
                      balances_checked=balances)
        if broken:
            return Verification(False, first_broken=entry_name(uow.tenant, broken.entry_id), problem_zh=broken.zh,
                                problem_en=broken.en, **counts)
        for member_id, year, stored, summed in uow.ledger.projection_mismatches()[:1]:
            name = member_name(uow.tenant, member_id)
            return Verification(False, first_broken="", problem_zh=f"{name} {year} 年积分 {stored} 与台账合计 {summed} 不符",
                                problem_en=f"{name}'s {year} balance {stored} differs from its ledger's {summed}",
                                **counts)
        return Verification(True, **counts)
