"""Use cases for units: build the tree, move and merge parts of it, keep its history."""

from __future__ import annotations

from services.common import identifiers
from services.common.auth import Principal, Role
from services.common.clock import utcnow
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    Validator,
    check_update_mask,
    not_found,
    stale_etag,
    valid_text,
)
from services.common.ids import new_id
from services.common.pagination import Page
from services.common.tenancy import check_etag
from services.common.text import REASON_MAX, normalize
from services.organization.domain import rules
from services.organization.domain.events import (
    UnitArchived,
    UnitCreated,
    UnitMoved,
    UnitUpdated,
    resources_changed,
)
from services.organization.domain.factories import place_unit
from services.organization.domain.model import HistoryEntry, Unit, UnitState, UnitType, child_path
from services.organization.domain.names import unit_name
from services.organization.domain.snapshots import UnitSnapshot
from services.organization.service_layer import commands as c
from services.organization.service_layer.loaders import (
    load_tenant,
    load_unit,
    referenced_parent,
    referenced_unit,
)
from services.organization.service_layer.scope import check_within, clerk_root
from services.organization.service_layer.unit_of_work import (
    OrgUnitOfWork,
    OrgUnitOfWorkFactory,
    UnitView,
)

UNIT_FIELDS = {"display_name", "division_code", "weak_and_lax", "demonstration_site", "star_level"}
# 软弱涣散, 示范点 and the star level are the county's judgement of a unit, never its own clerk's.
COUNTY_JUDGEMENT = frozenset({"weak_and_lax", "demonstration_site", "star_level"})
MAX_STAR_LEVEL = 5


def _check_judgement(who: Principal, fields: set[str]) -> None:
    if who.role is Role.CLERK and fields & COUNTY_JUDGEMENT:
        raise PermissionDenied(
            "COUNTY_JUDGEMENT",
            "软弱涣散、示范点和星级由县委组织部评定，经办人不能设置",
            f"{', '.join(sorted(fields & COUNTY_JUDGEMENT))}: set by the county, not by a clerk",
        )


def check_unit_fields(v: Validator, display_name: str, division_code: str, star_level: int, *, tenant: str,
                      unit_type: UnitType | None, prefix: str = "unit") -> None:
    v.text(display_name, f"{prefix}.display_name", max_len=60)
    division_code = identifiers.check(v, division_code, f"{prefix}.division_code")
    if not any(x.field == f"{prefix}.division_code" for x in v.violations):
        rules.check_division_code(v, division_code, tenant, unit_type, f"{prefix}.division_code")
    v.require(0 <= star_level <= MAX_STAR_LEVEL, f"{prefix}.star_level", "星级应在0到5之间", "must be within 0..5")


def _check_division_code_free(uow: OrgUnitOfWork, unit: Unit) -> None:
    """A township, village or community's code is its own within the county."""
    if not unit.division_code or unit.type not in rules.DIVISIONS:
        return
    other = uow.units.holding_division_code(unit.division_code, rules.DIVISIONS)
    if other is not None and other.id != unit.id:
        raise InvalidArgument.field(
            "unit.division_code", f"区划代码{unit.division_code}已属于“{other.display_name}”",
            f"division code {unit.division_code} already belongs to {other.display_name!r}",
            "DUPLICATE_DIVISION_CODE")


def _check_station_room(uow: OrgUnitOfWork, unit_type: UnitType, parent: Unit | None, field_path: str,
                        extra: int = 1) -> None:
    """Room in a work station under the tenant's maximum."""
    if parent is not None and parent.type is UnitType.WORK_STATION and unit_type in rules.STATION_COVERED:
        settings = load_tenant(uow, uow.tenant).settings
        covered = uow.units.count_children(parent.id, rules.STATION_COVERED)
        rules.check_station_capacity(parent, covered + extra, settings, field_path)


def unit_answer(uow: OrgUnitOfWork, unit_id: str) -> UnitView:
    """What GetUnit answers, read in the use case's own transaction."""
    view = uow.queries.unit(unit_id)
    if view is None:
        raise not_found("组织", "unit", unit_name(uow.tenant, unit_id))
    return view


def unit_history(uow: OrgUnitOfWork, who: Principal, unit_id: str, kind: str, detail: str = "", related: str | None = None) -> None:
    uow.units.add_history(HistoryEntry(unit_id, kind, utcnow(), who.subject, detail, related))


def create_unit(cmd: c.CreateUnit, uows: OrgUnitOfWorkFactory, who: Principal) -> UnitView:
    _check_judgement(who, {name for name in COUNTY_JUDGEMENT if getattr(cmd, name)})
    v = Validator()
    v.require(cmd.type is not None, "unit.type", "请选择组织类型", "must be one of TOWNSHIP, WORK_STATION, VILLAGE, "
              "COMMUNITY, BRANCH, PARTY_GROUP")
    check_unit_fields(v, cmd.display_name, cmd.division_code, cmd.star_level, tenant=cmd.tenant,
                      unit_type=cmd.type)
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        load_tenant(uow, cmd.tenant)
        claim = uow.idempotency.claim("CreateUnit", cmd)
        if claim.done:
            return unit_answer(uow, claim.done)
        parent = None
        if cmd.parent_id:
            parent = referenced_parent(uow, cmd.parent_id, "unit.parent", "上级组织", "parent unit")
            check_within(uow, who, parent)
        elif clerk_root(uow, who) is not None:
            raise PermissionDenied("OUTSIDE_CLERK_SUBTREE", "经办人不能在县级直接新建乡镇",
                                   "a clerk cannot create a unit at the county root")
        unit = Unit(
            id=new_id("u"), tenant=cmd.tenant, type=cmd.type, display_name=normalize(cmd.display_name),
            parent_id=None, path="", depth=0, division_code=identifiers.normalize(cmd.division_code),
            weak_and_lax=cmd.weak_and_lax, demonstration_site=cmd.demonstration_site, star_level=cmd.star_level,
        )
        place_unit(unit, parent, "unit.parent")
        _check_station_room(uow, cmd.type, parent, "unit.parent")
        _check_division_code_free(uow, unit)
        uow.units.add(unit)
        unit_history(uow, who, unit.id, "CREATED", f"created under {parent.display_name if parent else 'the county'}",
                 parent.id if parent else None)
        name = unit_name(cmd.tenant, unit.id)
        claim.remember(name)
        view = unit_answer(uow, unit.id)
        uow.emit(UnitCreated(name, unit.type.value, unit.display_name,
                             unit_name(cmd.tenant, parent.id) if parent else "", snapshot=UnitSnapshot.of(view)))
        uow.commit()
        return view


def _unit_to_change(uow: OrgUnitOfWork, who: Principal, unit_id: str, etag: str, *, lock: bool = False) -> Unit:
    """An active unit the caller may change, still at the version the caller read."""
    unit = load_unit(uow, unit_id, active=True, lock=lock)
    check_within(uow, who, unit)
    check_etag(etag, unit.version, unit_name(uow.tenant, unit.id))
    return unit


def get_unit(cmd: c.GetUnit, uows: OrgUnitOfWorkFactory, who: Principal) -> UnitView:
    with uows(cmd.tenant, write=False) as uow:
        return unit_answer(uow, cmd.unit_id)


def list_units(cmd: c.ListUnits, uows: OrgUnitOfWorkFactory, who: Principal) -> tuple[list[UnitView], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(str, str))
    with uows(cmd.tenant, write=False) as uow:
        under = None
        if cmd.under_id:
            under = referenced_unit(uow, cmd.under_id, "under")
        found = uow.queries.units(types=cmd.types, under=under, show_inactive=cmd.show_inactive,
                                 after=tuple(page.after) if page.after else None, limit=page.fetch)
        if not found and under is None:
            load_tenant(uow, cmd.tenant)  # an empty page of an unknown county is NOT_FOUND
    return page.cut(found, lambda u: [u.path, u.id])


def update_unit(cmd: c.UpdateUnit, uows: OrgUnitOfWorkFactory, who: Principal) -> UnitView:
    _check_judgement(who, set(cmd.changes))
    check_update_mask(cmd.changes, UNIT_FIELDS)
    with uows(cmd.tenant) as uow:
        unit = _unit_to_change(uow, who, cmd.unit_id, cmd.etag)
        before = unit.display_name
        for path, value in cmd.changes.items():
            setattr(unit, path, normalize(value) if isinstance(value, str) else value)
        unit.division_code = identifiers.normalize(unit.division_code)
        v = Validator()
        check_unit_fields(v, unit.display_name, unit.division_code, unit.star_level, tenant=cmd.tenant,
                          unit_type=unit.type)
        v.raise_if_any()
        if "division_code" in cmd.changes:
            _check_division_code_free(uow, unit)
        if not uow.units.update(unit):
            raise stale_etag(unit_name(cmd.tenant, unit.id))
        if unit.display_name != before:
            unit_history(uow, who, unit.id, "RENAMED", f"{before} → {unit.display_name}")
        others = sorted(set(cmd.changes) - {"display_name"})
        if others:
            unit_history(uow, who, unit.id, "UPDATED", ", ".join(f"{k}={getattr(unit, k)}" for k in others))
        view = unit_answer(uow, unit.id)
        uow.emit(UnitUpdated(unit_name(cmd.tenant, unit.id), sorted(cmd.changes), snapshot=UnitSnapshot.of(view)))
        uow.commit()
        return view


def move_unit(cmd: c.MoveUnit, uows: OrgUnitOfWorkFactory, who: Principal) -> UnitView:
    cmd.reason = valid_text(cmd.reason, "reason", max_len=REASON_MAX, required=False, multi_line=True)
    with uows(cmd.tenant) as uow:
        unit = _unit_to_change(uow, who, cmd.unit_id, cmd.etag, lock=True)
        new_parent = None
        if cmd.new_parent_id:
            new_parent = referenced_parent(uow, cmd.new_parent_id, "new_parent", "目标上级组织", "new parent")
            check_within(uow, who, new_parent)
        rules.check_move(unit, new_parent)
        if (new_parent.id if new_parent else None) == unit.parent_id:
            raise InvalidArgument.field("new_parent", "组织已在该上级之下", "the unit already sits under that parent",
                                        "ALREADY_THERE")
        rules.check_parent(unit.type, new_parent, "new_parent")
        _check_station_room(uow, unit.type, new_parent, "new_parent")
        old_parent = uow.units.get(unit.parent_id) if unit.parent_id else None
        old_path, old_depth = unit.path, unit.depth
        unit.parent_id = new_parent.id if new_parent else None
        unit.path, unit.depth = child_path(new_parent, unit.id), (new_parent.depth + 1) if new_parent else 1
        if not uow.units.update(unit):
            raise stale_etag(unit_name(cmd.tenant, unit.id))
        below = uow.units.move_subtree(unit, old_path, old_depth)
        old_label = old_parent.display_name if old_parent else "县"
        new_label = new_parent.display_name if new_parent else "县"
        unit_history(uow, who, unit.id, "MOVED", f"{old_label} → {new_label}" + (f"（{cmd.reason}）" if cmd.reason else ""),
                 new_parent.id if new_parent else None)
        name = unit_name(cmd.tenant, unit.id)
        view = unit_answer(uow, unit.id)
        uow.emit(UnitMoved(name, unit_name(cmd.tenant, old_parent.id) if old_parent else "",
                           unit_name(cmd.tenant, new_parent.id) if new_parent else "", cmd.reason,
                           snapshot=UnitSnapshot.of(view)))
        for event in resources_changed(cmd.tenant, "move", name, units=[UnitSnapshot.of(u) for u in below]):
            uow.emit(event)
        uow.commit()
        return view


def archive_unit(cmd: c.ArchiveUnit, uows: OrgUnitOfWorkFactory, who: Principal) -> UnitView:
    cmd.reason = valid_text(cmd.reason, "reason", max_len=REASON_MAX, required=False, multi_line=True)
    with uows(cmd.tenant) as uow:
        unit = _unit_to_change(uow, who, cmd.unit_id, cmd.etag, lock=True)
        remaining = uow.queries.active_members_in_subtree(unit)
        if remaining:
            raise FailedPrecondition(
                "UNIT_HAS_MEMBERS",
                f"“{unit.display_name}”下还有{remaining}名党员，请先转接组织关系或撤并",
                f"{remaining} active members remain in this unit's subtree; transfer them or merge the unit first",
                {"members": str(remaining)},
            )
        if uow.units.has_active_children(unit):
            raise FailedPrecondition("UNIT_HAS_CHILDREN", f"“{unit.display_name}”下还有下级组织，请先移走或撤销",
                                     "the unit still has active sub-units; move or archive them first")
        # Refused rather than ended here: the county ends each post with its own date and reason.
        current = uow.posts.current_in_unit(unit.id)
        if current:
            raise FailedPrecondition(
                "UNIT_HAS_CURRENT_POSTS",
                f"“{unit.display_name}”还有{len(current)}个现任职务，请先结束任职（EndPost）",
                f"{len(current)} posts in this unit are current; end them (EndPost) first",
                {"posts": str(len(current))},
            )
        unit.state = UnitState.ARCHIVED
        if not uow.units.update(unit):
            raise stale_etag(unit_name(cmd.tenant, unit.id))
        unit_history(uow, who, unit.id, "ARCHIVED", cmd.reason)
        view = unit_answer(uow, unit.id)
        uow.emit(UnitArchived(unit_name(cmd.tenant, unit.id), cmd.reason, snapshot=UnitSnapshot.of(view)))
        uow.commit()
        return view


def get_unit_path(cmd: c.GetUnitPath, uows: OrgUnitOfWorkFactory, who: Principal) -> list[UnitView]:
    with uows(cmd.tenant, write=False) as uow:
        return uow.queries.unit_path(load_unit(uow, cmd.unit_id))


def list_unit_history(cmd: c.ListUnitHistory, uows: OrgUnitOfWorkFactory,
                      who: Principal) -> tuple[list[HistoryEntry], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(int,))
    with uows(cmd.tenant, write=False) as uow:
        load_unit(uow, cmd.unit_id)
        rows = uow.units.history(cmd.unit_id, page.after_one(), page.fetch)
    rows, next_token = page.cut(rows, lambda row: [row[0]])
    return [e for _, e in rows], next_token

