"""Use cases for members (党员): record, correct, list, and transfer their organization relationship."""

from __future__ import annotations

from services.common import identifiers
from services.common.auth import Principal, Role
from services.common.clock import today_in, utcnow
from services.common.errors import (
    AlreadyExists,
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
from services.common.tenancy import ALL_TENANTS, check_etag
from services.common.text import REASON_MAX, normalize
from services.organization.domain import personal_data as pd
from services.organization.domain import rules
from services.organization.domain.events import MemberCreated, MemberTransferred, MemberUpdated
from services.organization.domain.factories import new_member
from services.organization.domain.model import (
    HistoryEntry,
    Member,
    MemberState,
)
from services.organization.domain.names import member_name, unit_name
from services.organization.domain.snapshots import MemberSnapshot
from services.organization.service_layer import commands as c
from services.organization.service_layer.loaders import (
    load_member,
    load_tenant,
    load_unit,
    referenced_unit,
)
from services.organization.service_layer.posts import end_posts
from services.organization.service_layer.scope import check_within, clerk_root
from services.organization.service_layer.unit_of_work import (
    MEMBER_EXISTS,
    MemberView,
    OrgUnitOfWork,
    OrgUnitOfWorkFactory,
)

MEMBER_FIELDS = {"display_name", "gender", "phone", "status", "category", "joined_on", "education", "id_card_number"}
EDUCATION_MAX = 20
_GENDER_ZH = {"MALE": "男", "FEMALE": "女"}


def check_member_fields(v: Validator, m: Member, prefix: str = "member") -> None:
    """Normalises the member's identifiers in place (every path that records a member, the import
    included, passes here), then records every wrong field, implausible dates included."""
    v.text(m.display_name, f"{prefix}.display_name", max_len=50)
    m.id_card_number = identifiers.check(v, pd.normalize_id_card(m.id_card_number), f"{prefix}.id_card_number")
    m.phone = identifiers.check(v, pd.normalize_phone(m.phone), f"{prefix}.phone")
    id_problem = pd.id_card_problem(m.id_card_number)
    if id_problem:
        v.add(f"{prefix}.id_card_number", *id_problem)
    elif m.gender and m.gender != pd.gender_of(m.id_card_number):
        # The birth date is derived from the number; a gender given beside it must agree with it too.
        v.add(f"{prefix}.gender", f"性别与身份证号不符（身份证号第17位表示{_GENDER_ZH[pd.gender_of(m.id_card_number)]}）",
              f"contradicts the ID number (its 17th digit says {pd.gender_of(m.id_card_number)})")
    phone_problem = pd.phone_problem(m.phone)
    if phone_problem:
        v.add(f"{prefix}.phone", *phone_problem)
    rules.check_member_dates(v, None if id_problem else pd.birth_date_of(m.id_card_number), m.joined_on,
                             today_in(), prefix)
    v.text(m.education, f"{prefix}.education", max_len=EDUCATION_MAX, required=False)


def create_member(cmd: c.CreateMember, uows: OrgUnitOfWorkFactory, who: Principal) -> MemberView:
    v = Validator()
    joined = v.date(cmd.joined_on, "member.joined_on")
    member = new_member(new_id("m"), cmd.tenant, cmd.unit_id, display_name=cmd.display_name,
                        id_card_number=cmd.id_card_number, gender=cmd.gender, phone=cmd.phone, status=cmd.status,
                        category=cmd.category, joined_on=joined, education=cmd.education)
    number = member.id_card_number
    v.require(bool(cmd.unit_id), "member.unit", "请指定所在党组织", "must name the member's unit")
    check_member_fields(v, member)
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("CreateMember", cmd)
        if claim.done:
            return _readable_member(uow, who, claim.done)
        unit = referenced_unit(uow, cmd.unit_id, "member.unit", "党组织不存在", active=True)
        check_within(uow, who, unit)
        if uow.members.by_id_card(number) is not None:
            raise MEMBER_EXISTS.error()
        uow.members.add(member)
        uow.members.add_history(HistoryEntry(member.id, "CREATED", utcnow(), who.subject), to_unit=unit_name(cmd.tenant, unit.id))
        name = member_name(cmd.tenant, member.id)
        claim.remember(name)
        view = uow.queries.member(member.id)
        uow.emit(MemberCreated(name, unit_name(cmd.tenant, unit.id), member.status.value,
                               snapshot=MemberSnapshot.of(view)))
        uow.commit()
        return view


def _readable_member(uow: OrgUnitOfWork, who: Principal, member_id: str) -> MemberView:
    """What GetMember answers to this caller, also for a replayed create's answer."""
    member = uow.queries.member(member_id)
    if member is None:
        raise not_found("党员", "member", member_name(uow.tenant, member_id))
    if clerk_root(uow, who) is not None:
        check_within(uow, who, load_unit(uow, member.unit_id))
    return member


def get_member(cmd: c.GetMember, uows: OrgUnitOfWorkFactory, who: Principal) -> MemberView:
    with uows(cmd.tenant, write=False) as uow:
        return _readable_member(uow, who, cmd.member_id)


def list_members(cmd: c.ListMembers, uows: OrgUnitOfWorkFactory, who: Principal) -> tuple[list[MemberView], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(str,))
    with uows(cmd.tenant, write=False) as uow:
        under = None
        if cmd.under_id:
            under = referenced_unit(uow, cmd.under_id, "under")
            check_within(uow, who, under)
        else:
            load_tenant(uow, cmd.tenant)
            # A clerk listing "everything" sees their own subtree.
            under = clerk_root(uow, who)
        found = uow.queries.members(under=under, status=cmd.status, category=cmd.category, post_holder=cmd.post_holder,
                                    show_transferred=cmd.show_transferred, after=page.after_one(), limit=page.fetch)
    return page.cut(found, lambda m: [m.id])


def _check_not_transferred(member: Member) -> None:
    if member.state is not MemberState.ACTIVE:
        raise FailedPrecondition("MEMBER_TRANSFERRED_OUT", "该党员组织关系已转出", "the member has transferred out")


def update_member(cmd: c.UpdateMember, uows: OrgUnitOfWorkFactory, who: Principal) -> MemberView:
    check_update_mask(cmd.changes, MEMBER_FIELDS)
    v = Validator()
    for key in ("status", "category"):
        v.require(key not in cmd.changes or cmd.changes[key] is not None, f"member.{key}", "不能设为未指定",
                  "must not be unspecified")
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        member = load_member(uow, cmd.member_id)
        _check_not_transferred(member)
        check_within(uow, who, load_unit(uow, member.unit_id))
        check_etag(cmd.etag, member.version, member_name(cmd.tenant, member.id))
        v = Validator()
        for path, value in cmd.changes.items():
            if path == "id_card_number":
                value = pd.normalize_id_card(value)
            elif path == "joined_on":
                value = v.date(value, "member.joined_on")
            # Status and category are StrEnums: strip only plain text, or the enum is lost.
            setattr(member, path, normalize(value) if type(value) is str else value)
        check_member_fields(v, member)
        v.raise_if_any()
        if "id_card_number" in cmd.changes:
            other = uow.members.by_id_card(member.id_card_number)
            if other is not None and other.id != member.id:
                raise MEMBER_EXISTS.error()
            member.birth_date = pd.birth_date_of(member.id_card_number).isoformat()
        if not uow.members.update(member):
            raise stale_etag(member_name(cmd.tenant, member.id))
        uow.members.add_history(HistoryEntry(member.id, "UPDATED", utcnow(), who.subject,
                                             ", ".join(sorted(cmd.changes))))
        view = uow.queries.member(member.id)
        uow.emit(MemberUpdated(member_name(cmd.tenant, member.id), sorted(cmd.changes), snapshot=MemberSnapshot.of(view)))
        uow.commit()
        return view


def transfer_member(cmd: c.TransferMember, uows: OrgUnitOfWorkFactory, who: Principal) -> MemberView:
    """组织关系转接: within the county, or (operator) to another county as a new record there."""
    cross = cmd.to_tenant != cmd.tenant
    if cross and who.role is not Role.OPERATOR:
        raise PermissionDenied("CROSS_TENANT_TRANSFER", "跨县转接组织关系须由平台运营方办理",
                               "only an operator may transfer a member to another county")
    cmd.reason = valid_text(cmd.reason, "reason", max_len=REASON_MAX, required=False, multi_line=True)
    # A transfer to another county writes both counties in one transaction.
    with uows(ALL_TENANTS if cross else cmd.tenant) as uow:
        here = uow.other_tenant(cmd.tenant) if cross else uow
        there = uow.other_tenant(cmd.to_tenant) if cross else uow
        claim = here.idempotency.claim("TransferMember", cmd)
        if claim.done:
            return _readable_member(there, who, claim.done)
        member = load_member(here, cmd.member_id)
        _check_not_transferred(member)
        check_etag(cmd.etag, member.version, member_name(cmd.tenant, member.id))
        check_within(here, who, load_unit(here, member.unit_id))
        if cross:
            load_tenant(uow, cmd.to_tenant)
        dest = referenced_unit(there, cmd.to_unit_id, "to_unit", "目标党组织不存在", active=True)
        check_within(there, who, dest)
        if not cross and dest.id == member.unit_id:
            raise InvalidArgument.field("to_unit", "党员已在该党组织", "the member already belongs to that unit", "ALREADY_THERE")
        from_name = unit_name(cmd.tenant, member.unit_id)
        to_name = unit_name(cmd.to_tenant, dest.id)
        now = utcnow()
        if not cross:
            member.unit_id = dest.id
            if not here.members.update(member):
                raise stale_etag(member_name(cmd.tenant, member.id))
            here.members.add_history(HistoryEntry(member.id, "TRANSFERRED", now, who.subject, cmd.reason), from_name, to_name)
            claim.remember(member_name(cmd.tenant, member.id))
            view = here.queries.member(member.id)
            uow.emit(MemberTransferred(member_name(cmd.tenant, member.id), from_name, to_name, "", cmd.reason,
                                       snapshot=MemberSnapshot.of(view)))
            uow.commit()
            return view
        if there.members.by_id_card(member.id_card_number) is not None:
            raise AlreadyExists("MEMBER_EXISTS", "目标县已登记该身份证号的党员", "the destination county already records a member with this ID number")
        today = today_in(load_tenant(uow, cmd.tenant).settings.time_zone)
        end_posts(here, here.posts.current_for_member(member.id), today, "组织关系转出 / transferred out")
        moved = Member(**{**member.__dict__, "id": new_id("m"), "tenant": cmd.to_tenant, "unit_id": dest.id,
                          "version": 1})
        member.state = MemberState.TRANSFERRED_OUT
        if not here.members.update(member):
            raise stale_etag(member_name(cmd.tenant, member.id))
        there.members.add(moved)
        new_name = member_name(cmd.to_tenant, moved.id)
        claim.remember(new_name)
        here.members.add_history(HistoryEntry(member.id, "TRANSFERRED_OUT", now, who.subject, f"{cmd.reason} → {new_name}"),
                                 from_name, to_name)
        there.members.add_history(HistoryEntry(moved.id, "TRANSFERRED_IN", now, who.subject,
                                               f"{cmd.reason} ← {member_name(cmd.tenant, member.id)}"), from_name, to_name)
        # Each county hears of its own member: this transaction's uow is bound to every tenant
        # (its own emit would write tenant "*"), so each event goes through its county's view.
        old_name = member_name(cmd.tenant, member.id)
        here.emit(MemberTransferred(old_name, from_name, to_name, new_name, cmd.reason,
                                    snapshot=MemberSnapshot.of(here.queries.member(member.id))))
        view = there.queries.member(moved.id)
        there.emit(MemberCreated(new_name, to_name, moved.status.value, snapshot=MemberSnapshot.of(view),
                                 transferred_from=old_name))
        uow.commit()
        return view


def list_member_history(cmd: c.ListMemberHistory, uows: OrgUnitOfWorkFactory,
                        who: Principal) -> tuple[list[tuple[HistoryEntry, str, str]], str]:
    """The member's record (履历): entries with the units they moved from and to."""
    page = Page.open(cmd, uows.page_tokens, shape=(int,))
    with uows(cmd.tenant, write=False) as uow:
        _readable_member(uow, who, cmd.member_id)
        rows = uow.members.history(cmd.member_id, page.after_one(), page.fetch)
    rows, next_token = page.cut(rows, lambda row: [row[0]])
    return [(e, f, t) for _, e, f, t in rows], next_token
