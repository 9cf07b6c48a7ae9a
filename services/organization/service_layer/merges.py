"""撤并: merging units of one type into a target, with everything they hold."""

from __future__ import annotations

from services.common.auth import Principal
from services.common.clock import today_in, utcnow
from services.common.errors import InvalidArgument, Validator
from services.common.text import REASON_MAX
from services.organization.domain import rules
from services.organization.domain.events import UnitMerged, resources_changed
from services.organization.domain.model import HistoryEntry, UnitState, UnitType
from services.organization.domain.names import unit_name
from services.organization.domain.snapshots import MemberSnapshot, PostSnapshot, UnitSnapshot
from services.organization.service_layer import commands as c
from services.organization.service_layer.loaders import load_tenant, load_unit, referenced_unit
from services.organization.service_layer.posts import end_posts
from services.organization.service_layer.scope import check_within
from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory, UnitView
from services.organization.service_layer.units import unit_answer, unit_history

MERGE_POST_END_REASON = "撤并 / merged"


def merge_units(cmd: c.MergeUnits, uows: OrgUnitOfWorkFactory, who: Principal) -> UnitView:
    """撤并: members, children, groupings and post history of each source move to the target.

    The sources' current posts end on the day of the merge (reason 撤并): the target keeps its own
    office holders, and the merged organization elects anew, so the target never holds two
    current secretaries or directors (the limits AssignPost keeps). An alliance left with no
    member besides its lead is dissolved, as one could not be created so."""
    v = Validator()
    v.require(bool(cmd.source_ids), "sources", "请至少指定一个被撤并的组织", "must name at least one unit to merge")
    v.require(cmd.target_id not in cmd.source_ids, "sources", "不能把组织并入自己", "must not contain the target")
    v.require(len(set(cmd.source_ids)) == len(cmd.source_ids), "sources", "有重复的组织", "must not repeat a unit")
    cmd.reason = v.text(cmd.reason, "reason", max_len=REASON_MAX, required=False, multi_line=True)
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("MergeUnits", cmd)
        if claim.done:
            return unit_answer(uow, claim.done)
        target = load_unit(uow, cmd.target_id, active=True, lock=True)
        check_within(uow, who, target)
        sources = []
        for i, source_id in enumerate(cmd.source_ids):
            source = referenced_unit(uow, source_id, f"sources[{i}]", lock=True, active=True)
            if source.type is not target.type:
                raise InvalidArgument.field(f"sources[{i}]", "只能撤并同类型的组织",
                                            f"must be a {target.type.value} like the target, not a {source.type.value}",
                                            "MERGE_TYPE_MISMATCH")
            if source.contains(target):
                raise InvalidArgument.field(f"sources[{i}]", "不能把上级并入其下级", "must not contain the target", "MOVE_CYCLE")
            check_within(uow, who, source)
            sources.append(source)
        # Every row the merge rewrites besides the units named: their state goes out after it.
        moved_units, moved_members, moved_posts = [], [], []
        today = today_in(load_tenant(uow, cmd.tenant).settings.time_zone)
        for source in sources:
            end_posts(uow, uow.posts.current_in_unit(source.id), today, MERGE_POST_END_REASON)
            children, changed = uow.units.reparent_children(source, target)
            for child in children:
                unit_history(uow, who, child.id, "MOVED", f"{source.display_name} → {target.display_name}（撤并）", target.id)
            moved_units += changed
            moved = uow.members.move_all(source.id, target.id)
            for member_id in moved:
                uow.members.add_history(
                    HistoryEntry(member_id, "MOVED_BY_MERGE", utcnow(), who.subject, cmd.reason),
                    unit_name(cmd.tenant, source.id), unit_name(cmd.tenant, target.id))
            moved_members += moved
            moved_posts += uow.posts.move_unit(source.id, target.id)
            for alliance in uow.groupings.repoint_unit(source.id, target.id):
                uow.groupings.remove_alliance(alliance.id)
                unit_history(uow, who, target.id, "ALLIANCE_DISSOLVED",
                         f"联盟“{alliance.display_name}”撤并后只剩牵头村，已解散 / dissolved: no member village left")
            source.state, source.merged_into = UnitState.MERGED, target.id
            uow.units.update(source)
            unit_history(uow, who, source.id, "MERGED_INTO", f"并入{target.display_name}" + (f"（{cmd.reason}）" if cmd.reason else ""),
                     target.id)
            unit_history(uow, who, target.id, "MERGED_FROM", f"{source.display_name}并入" + (f"（{cmd.reason}）" if cmd.reason else ""),
                     source.id)
        if target.type is UnitType.WORK_STATION:
            settings = load_tenant(uow, cmd.tenant).settings
            rules.check_station_capacity(target, uow.units.count_children(target.id, rules.STATION_COVERED),
                                         settings, "target")
        name = unit_name(cmd.tenant, target.id)
        claim.remember(name)
        view = unit_answer(uow, target.id)
        uow.emit(UnitMerged(name, [unit_name(cmd.tenant, s.id) for s in sources], len(moved_members), len(moved_posts),
                            cmd.reason, target_snapshot=UnitSnapshot.of(view),
                            source_snapshots=[UnitSnapshot.of(s) for s in sources]))
        for event in resources_changed(
                cmd.tenant, "merge", name, units=[UnitSnapshot.of(u) for u in moved_units],
                members=[MemberSnapshot.of(m) for m in uow.queries.members_by_id(moved_members)],
                posts=[PostSnapshot.of(p) for p in uow.queries.posts_by_id(moved_posts)]):
            uow.emit(event)
        uow.commit()
        return view
