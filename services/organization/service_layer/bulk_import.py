"""Use cases of the county sheet (组织体系导入导出): import all or nothing, export the active tree.

The sheet's layout is `domain.sheet`, the checks are `import_plan`; here the plan is written in
one transaction with the same history entries as the one-by-one use cases. Its events are
organization.resources_changed, the snapshots of every row written (built from the rows in
memory, SNAPSHOTS_PER_EVENT to an event), not one created event per row: a county of 10,000
members is a few dozen events (docs/directory.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from services.common.auth import Principal
from services.common.clock import today_in, utcnow
from services.common.errors import PermissionDenied, stale_etag
from services.common.tenancy import tenant_name
from services.organization.domain import personal_data as pd
from services.organization.domain import rules
from services.organization.domain.events import TenantUpdated, resources_changed
from services.organization.domain.model import HistoryEntry, Post, PostType
from services.organization.domain.names import unit_name
from services.organization.domain.sheet import (
    MEMBER,
    UNIT,
    Row,
    RowProblem,
    member_row,
    setting_rows,
    unit_row,
)
from services.organization.domain.snapshots import (
    MemberSnapshot,
    PostSnapshot,
    TenantSnapshot,
    UnitSnapshot,
)
from services.organization.service_layer import commands
from services.organization.service_layer.import_plan import (
    ImportContext,
    ImportPlan,
    Progress,
    plan_import,
    post_unit_refs,
)
from services.organization.service_layer.loaders import load_tenant
from services.organization.service_layer.unit_of_work import OrgUnitOfWork, OrgUnitOfWorkFactory


@dataclass
class ImportReport:
    """What an import did or would do, or every problem that stopped it."""

    tenant: str
    units: int = 0
    members: int = 0
    posts: int = 0
    settings_changed: bool = False
    problems: list[RowProblem] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def sorted_problems(self) -> list[RowProblem]:
        return sorted(self.problems, key=lambda p: (p.row, p.column))


def _refs(rows: list[Row]) -> set[str]:
    """Every value that may name an existing unit: parent refs and post unit refs."""
    refs = set()
    for row in rows:
        refs.add(row.get("parent_ref"))
        refs |= post_unit_refs(row.get("posts"))
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
        active_elsewhere=uow.members.active_elsewhere(sorted(n for n in numbers if n)),
    )


def import_rows(rows: list[Row], uow: OrgUnitOfWork, actor: str = "import", dry_run: bool = False,
                header_problems: list[RowProblem] | None = None, progress: Progress = lambda done: None,
                before_commit: Callable[[ImportReport], None] | None = None, source: str = "") -> ImportReport:
    """All or nothing: every problem reported, or every row written in one transaction with its events.

    `before_commit(report)` runs inside that transaction when rows are written (the caller's own
    record of the import commits with it, or not at all). `source` names the import in its
    events (its operation).
    """
    report = ImportReport(uow.tenant, problems=list(header_problems or []))
    with uow:
        plan = plan_import(rows, _context(uow, rows), progress)
        report.problems += plan.problems
        report.units, report.members, report.posts = len(plan.units), len(plan.members), len(plan.posts)
        report.settings_changed = plan.settings is not None
        if not report.ok or dry_run:
            return report
        _write(uow, plan, actor, source)
        report.written = True
        if before_commit is not None:
            before_commit(report)
        uow.commit()
    uow.refresh_tree_statistics()
    return report


def _write(uow: OrgUnitOfWork, plan: ImportPlan, actor: str, source: str) -> None:
    tenant, now = uow.tenant, utcnow()
    county = load_tenant(uow, tenant)
    if plan.settings is not None:
        county.settings = plan.settings
        if not uow.tenants.update(county):
            raise stale_etag(tenant_name(tenant))
        uow.emit(TenantUpdated(tenant, ["settings"], snapshot=TenantSnapshot.of(county)), tenant=tenant)
    uow.units.add_many(plan.units)
    uow.members.add_many(plan.members)
    uow.posts.add_many(plan.posts)
    uow.units.add_history_many([HistoryEntry(u.id, "CREATED", now, actor, "imported", u.parent_id) for u in plan.units])
    uow.members.add_history_many([(HistoryEntry(m.id, "CREATED", now, actor, "imported"), "", unit_name(tenant, m.unit_id))
                                  for m in plan.members])
    for event in resources_changed(tenant, "import", source, *_snapshots(plan, today_in())):
        uow.emit(event)


_CONCURRENT_TYPES = (PostType.SECRETARY, PostType.VILLAGE_DIRECTOR)


def _snapshots(plan: ImportPlan, today: dt.date) -> tuple[list[UnitSnapshot], list[MemberSnapshot], list[PostSnapshot]]:
    """The written rows as a Get would show them, from the rows in memory (a county's 10,000
    members are not read back): the sheet's members hold only the sheet's posts."""
    held: dict[tuple[str, str], set[PostType]] = {}
    for p in plan.posts:
        if p.current:
            held.setdefault((p.member_id, p.unit_id), set()).add(p.type)
    holders = {member_id for member_id, _ in held}
    names = {m.id: m.display_name for m in plan.members}
    return (
        [UnitSnapshot.of(u) for u in plan.units],
        [MemberSnapshot.of(m, post_holder=m.id in holders, today=today) for m in plan.members],
        [PostSnapshot.of(p, member_display_name=names[p.member_id],
                         concurrent=p.current and p.type in _CONCURRENT_TYPES
                         and rules.is_concurrent_secretary_director(held[(p.member_id, p.unit_id)]))
         for p in plan.posts],
    )


def export_organization(cmd: commands.ExportOrganization, uows: OrgUnitOfWorkFactory,
                        who: Principal) -> list[dict[str, str]]:
    """The sheet is made to be imported again, so it holds ID numbers and phones in clear: only
    for a caller who sees them in clear everywhere else (GetMember), never a masked copy."""
    if not who.sees_personal_data:
        raise PermissionDenied("PERSONAL_DATA_NOT_VISIBLE",
                               "导出表含明文身份证号和手机号，只有可查看个人信息的县级管理员可以导出",
                               "the sheet holds ID numbers and phones in clear: only a caller who may see "
                               "personal data (the county's admin) may export it")
    return export_rows(uows(cmd.tenant, write=False))


def export_rows(uow: OrgUnitOfWork) -> list[dict[str, str]]:
    """The tenant's settings, active tree, members and current posts in the import format (refs are unit ids)."""
    everything = 10**9
    with uow:
        tenant = load_tenant(uow, uow.tenant)
        units = uow.queries.units(types=[], under=None, show_inactive=False, after=None, limit=everything)
        members = uow.queries.members(under=None, status=None, category=None, post_holder=None, show_transferred=False,
                                      after=None, limit=everything)
        posts = uow.queries.posts(unit_id=None, member_id=None, include_history=False, after=None, limit=everything)
    order = {u.id: i for i, u in enumerate(units)}
    by_member: dict[str, list[Post]] = {}
    for p in sorted(posts, key=lambda p: (order.get(p.unit_id, len(order)), p.type.value, p.start_date)):
        by_member.setdefault(p.member_id, []).append(p)
    out = setting_rows(tenant.settings) + [unit_row(u) for u in units]
    for m in sorted(members, key=lambda m: (order.get(m.unit_id, len(order)), m.id)):
        out.append(member_row(m, by_member.get(m.id, [])))
    return out
