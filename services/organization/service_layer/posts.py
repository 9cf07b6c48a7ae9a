"""Use cases for posts (职务): assign, end, and read the record (履历)."""

from __future__ import annotations

import datetime as dt

from services.common.auth import Principal
from services.common.clock import iso_date, today_in
from services.common.errors import FailedPrecondition, InvalidArgument, Validator
from services.common.ids import new_id
from services.common.pagination import Page
from services.common.text import REASON_MAX, normalize
from services.organization.domain import rules
from services.organization.domain.events import PostAssigned, PostEnded, PostTermExpiring
from services.organization.domain.factories import check_post_term
from services.organization.domain.model import MemberState, Post, PostType
from services.organization.domain.names import member_name, post_name, unit_name
from services.organization.domain.snapshots import PostSnapshot
from services.organization.service_layer import commands as c
from services.organization.service_layer.loaders import (
    load_member,
    load_post,
    load_tenant,
    load_unit,
    referenced_unit,
)
from services.organization.service_layer.scope import check_within
from services.organization.service_layer.unit_of_work import (
    OrgUnitOfWork,
    OrgUnitOfWorkFactory,
    PostView,
)

# The daily sweep announces terms ending within this many days.
TERM_NOTICE_DAYS = 30


def end_posts(uow: OrgUnitOfWork, posts: list[Post], day: dt.date, reason: str) -> None:
    """End current posts on `day` for `reason`, each announced (merges and transfers out)."""
    for post in posts:
        post.end_date, post.end_reason = day, reason
        uow.posts.end(post)
    ended = {view.id: view for view in uow.queries.posts_by_id([p.id for p in posts])}
    for post in posts:
        uow.emit(PostEnded(post_name(uow.tenant, post.id), post.type.value, unit_name(uow.tenant, post.unit_id),
                           member_name(uow.tenant, post.member_id), day.isoformat(), reason,
                           snapshot=PostSnapshot.of(ended[post.id])))


def assign_post(cmd: c.AssignPost, uows: OrgUnitOfWorkFactory, who: Principal) -> PostView:
    v = Validator()
    v.require(cmd.type is not None, "post.type", "请选择职务类型", "must name a post type")
    v.require(bool(cmd.unit_id), "post.unit", "请指定任职组织", "must name the unit")
    v.require(bool(cmd.member_id), "post.member", "请指定任职党员", "must name the member")
    start = v.date(cmd.start_date, "post.start_date")
    end = v.date(cmd.term_end_date, "post.term_end_date")
    check_post_term(v, cmd.type, start, end, cmd.dispatching_organ)
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("AssignPost", cmd)
        if claim.done:
            post = load_post(uow, claim.done)
            check_within(uow, who, load_unit(uow, post.unit_id))  # a replay answers only what ListPosts would
            return uow.queries.post(post.id)
        tenant = load_tenant(uow, cmd.tenant)
        unit = referenced_unit(uow, cmd.unit_id, "post.unit", lock=True, active=True)
        check_within(uow, who, unit)
        member = uow.members.get(cmd.member_id)
        if member is None:
            raise InvalidArgument.field("post.member", "党员不存在", f"no such member: {member_name(cmd.tenant, cmd.member_id)}",
                                        "UNKNOWN_MEMBER")
        if member.state is not MemberState.ACTIVE:
            raise FailedPrecondition("MEMBER_TRANSFERRED_OUT", "该党员组织关系已转出", "the member has transferred out")
        # A clerk appoints their own members only.
        check_within(uow, who, unit if member.unit_id == unit.id else load_unit(uow, member.unit_id))
        today = today_in(tenant.settings.time_zone)
        start = start or today
        rules.check_post_start(start, dt.date.fromisoformat(member.birth_date) if member.birth_date else None, today)
        rules.check_post_placement(cmd.type, unit, uow.posts.current_count(unit.id, cmd.type))
        if any(p.type is cmd.type and p.unit_id == unit.id for p in uow.posts.current_for_member(member.id)):
            raise FailedPrecondition("POST_ALREADY_HELD", f"{member.display_name}已担任该职务",
                                     "the member already holds this post in this unit")
        if cmd.type is PostType.REVITALIZATION_SPECIALIST:
            rules.check_specialist(dt.date.fromisoformat(member.birth_date), member.education, start)
        post = Post(id=new_id("p"), tenant=cmd.tenant, type=cmd.type, unit_id=unit.id, member_id=member.id,
                    start_date=start, term_end_date=end,
                    dispatching_organ=normalize(cmd.dispatching_organ))
        uow.posts.add(post)
        name = post_name(cmd.tenant, post.id)
        claim.remember(name)
        view = uow.queries.post(post.id)
        uow.emit(PostAssigned(name, post.type.value, unit_name(cmd.tenant, unit.id), member_name(cmd.tenant, member.id),
                              post.start_date.isoformat(), iso_date(post.term_end_date), snapshot=PostSnapshot.of(view)))
        uow.commit()
        return view


def end_post(cmd: c.EndPost, uows: OrgUnitOfWorkFactory, who: Principal) -> PostView:
    v = Validator()
    end = v.date(cmd.end_date, "end_date")
    v.text(cmd.reason, "reason", max_len=REASON_MAX, required=False, multi_line=True)
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        post = load_post(uow, cmd.post_id)
        check_within(uow, who, load_unit(uow, post.unit_id))
        if not post.current:
            raise FailedPrecondition("POST_ALREADY_ENDED", f"该职务已于{post.end_date}结束", f"the post already ended on {post.end_date}")
        end = end or today_in(load_tenant(uow, cmd.tenant).settings.time_zone)
        if end < post.start_date:
            raise InvalidArgument.field("end_date", "结束日期不能早于任职开始日期", "must not be before the post's start date")
        post.end_date, post.end_reason = end, normalize(cmd.reason)
        uow.posts.end(post)
        view = uow.queries.post(post.id)
        uow.emit(PostEnded(post_name(cmd.tenant, post.id), post.type.value, unit_name(cmd.tenant, post.unit_id),
                           member_name(cmd.tenant, post.member_id), end.isoformat(), post.end_reason,
                           snapshot=PostSnapshot.of(view)))
        uow.commit()
        return view


def list_posts(cmd: c.ListPosts, uows: OrgUnitOfWorkFactory, who: Principal) -> tuple[list[PostView], str]:
    if bool(cmd.unit_id) == bool(cmd.member_id):
        raise InvalidArgument.field("unit", "请在 unit 与 member 中指定且只指定一个", "give exactly one of unit or member")
    page = Page.open(cmd, uows.page_tokens, shape=(str,))
    with uows(cmd.tenant, write=False) as uow:
        # A clerk reads the posts of their subtree's units and members, as with GetMember.
        if cmd.unit_id:
            check_within(uow, who, load_unit(uow, cmd.unit_id))
        else:
            check_within(uow, who, load_unit(uow, load_member(uow, cmd.member_id).unit_id))
        found = uow.queries.posts(unit_id=cmd.unit_id, member_id=cmd.member_id, include_history=cmd.include_history,
                                  after=page.after_one(), limit=page.fetch)
    return page.cut(found, lambda p: [p.id])


def sweep_expiring_terms(cmd: c.SweepExpiringTerms, uows: OrgUnitOfWorkFactory, who: Principal) -> list[Post]:
    """Daily: announce once each current term that ends within TERM_NOTICE_DAYS."""
    tenant = cmd.tenant
    with uows(tenant) as uow:
        settings = load_tenant(uow, tenant).settings
        today = cmd.today or today_in(settings.time_zone)
        due = uow.posts.expiring(today + dt.timedelta(days=TERM_NOTICE_DAYS))
        for post in due:
            uow.emit(PostTermExpiring(post_name(tenant, post.id), post.type.value, unit_name(tenant, post.unit_id),
                                      member_name(tenant, post.member_id), post.term_end_date.isoformat(),
                                      (post.term_end_date - today).days))
        uow.posts.mark_expiry_announced([p.id for p in due])
        uow.commit()
        return due
