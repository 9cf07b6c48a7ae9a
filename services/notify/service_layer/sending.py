"""Sending a notice and forwarding one down the tree (两下: township → stations → villages).

Recipients are resolved through the directory when the notice is sent and frozen with it.
"""

from __future__ import annotations

from services.common.auth import Principal, Role
from services.common.clock import utcnow
from services.common.errors import FailedPrecondition, InvalidArgument, Validator
from services.common.ids import new_id
from services.notify.domain import events
from services.notify.domain.names import notice_name, unit_name
from services.notify.domain.notices import Notice, Recipient, RecipientSelector
from services.notify.domain.recipients import Candidates, resolve
from services.notify.domain.rules import BOUNDS, check_due, check_report_form, check_selectors
from services.notify.service_layer import commands as c
from services.notify.service_layer.loaders import load_notice, load_recipient, referenced_unit
from services.notify.service_layer.reminders import cancel_reminders
from services.notify.service_layer.scope import check_own_unit, check_within, own_unit_id
from services.notify.service_layer.unit_of_work import NotifyUnitOfWork, NotifyUnitOfWorkFactory

COUNTY_SENDER = "县委组织部"


def send_notice(cmd: c.SendNotice, uows: NotifyUnitOfWorkFactory, who: Principal, now=None) -> Notice:
    """Resolve the selectors, freeze the recipients, and put the notice in each one's inbox. `now`
    is the demo's, which backdates a past week."""
    now = now or utcnow()
    with uows(cmd.tenant) as uow:
        # Who may send from where and to whom comes before what the notice says.
        sender_id = cmd.sender_unit_id or (own_unit_id(who) if who.role is Role.CLERK else None)
        sender = referenced_unit(uow, sender_id, "notice.sender") if sender_id else None
        if sender is not None:
            check_within(uow, who, sender)
        roots = _roots(uow, who, cmd.selectors, "notice.recipients")
        claim = uow.idempotency.claim("SendNotice", cmd)
        if claim.done:
            return load_notice(uow, claim.done)
        v = Validator()
        title = v.text(cmd.title, "notice.title", max_len=BOUNDS.title_max)
        body = v.text(cmd.body, "notice.body", max_len=BOUNDS.body_max, required=False, multi_line=True)
        check_selectors(v, cmd.selectors, "notice.recipients")
        form = check_report_form(v, cmd.report_form, "notice.report_form.fields") if cmd.requires_report else ()
        if cmd.report_form and not cmd.requires_report:
            v.add("notice.report_form", "不要求汇报的通知不能带汇报表", "is given without requires_report")
        check_due(v, cmd.due_at, now, "notice.due_time")
        v.raise_if_any()
        notice = Notice(cmd.tenant, new_id("n"), sender.id if sender else None,
                        sender.display_name if sender else _county_sender(uow), title, body, tuple(cmd.selectors),
                        cmd.requires_ack, cmd.requires_report, form, cmd.due_at, who.subject, now)
        recipients = _recipients(uow, notice, roots, now)
        notice.recipient_count = len(recipients)
        uow.notices.add(notice, recipients)
        uow.emit(events.NoticeSent.of(notice))
        claim.remember(notice_name(notice.tenant, notice.id))
        uow.commit()
        return notice


def forward_notice(cmd: c.ForwardNotice, uows: NotifyUnitOfWorkFactory, who: Principal, now=None) -> Notice:
    """A recipient passes the notice on to units below it: a child notice with the same form,
    linked to the recipient's copy, due no later than the parent (forwarding is receipt: a copy
    that asked only for 签收 has its queued reminders cancelled)."""
    now = now or utcnow()
    with uows(cmd.tenant) as uow:
        parent, forwarder = load_recipient(uow, cmd.notice_id, cmd.unit_id, for_update=True)
        check_own_unit(uow, who, forwarder.unit_id, forwarder.unit_display_name)
        claim = uow.idempotency.claim("ForwardNotice", cmd)
        if claim.done:
            return load_notice(uow, claim.done)
        if forwarder.forwarded_notice_id:
            raise FailedPrecondition("ALREADY_FORWARDED", f"“{forwarder.unit_display_name}”已转发过该通知",
                                     f"{forwarder.unit_display_name} already forwarded this notice as "
                                     f"{notice_name(uow.tenant, forwarder.forwarded_notice_id)}")
        if cmd.due_at is None and parent.due_at is not None and parent.due_at <= now:
            raise FailedPrecondition("NOTICE_PAST_DUE", "该通知已过截止时间，不能再转发",
                                     "the notice is past its deadline and can no longer be forwarded")
        site = referenced_unit(uow, forwarder.unit_id, "name")
        roots = _roots(uow, who, cmd.selectors, "recipients", under=site)
        v = Validator()
        note = v.text(cmd.note, "note", max_len=BOUNDS.note_max, required=False, multi_line=True)
        check_selectors(v, cmd.selectors, "recipients")
        check_due(v, cmd.due_at, now, "due_time", not_after=parent.due_at)
        v.raise_if_any()
        child = parent.forwarded(new_id("n"), forwarder, tuple(cmd.selectors), note, cmd.due_at, who.subject, now)
        recipients = _recipients(uow, child, roots, now)
        child.recipient_count = len(recipients)
        uow.notices.add(child, recipients)
        acknowledged = forwarder.forward_as(child.id, who.subject, now)
        uow.notices.save_recipient(forwarder)
        cancel_reminders(uow, parent, forwarder, now)
        if acknowledged:
            uow.emit(events.NoticeAcknowledged.of(parent, forwarder, now))
        uow.emit(events.NoticeSent.of(child))
        uow.emit(events.NoticeForwarded.of(child))
        claim.remember(notice_name(child.tenant, child.id))
        uow.commit()
        return child


def _county_sender(uow: NotifyUnitOfWork) -> str:
    tenant = uow.directory.tenant()
    return f"{tenant.display_name}委组织部" if tenant is not None else COUNTY_SENDER


def _roots(uow: NotifyUnitOfWork, who: Principal, selectors: list[RecipientSelector], field_path: str, under=None):
    """Each selector's subtree root: known, active, inside the caller's reach (and under `under`)."""
    roots = []
    for i, selector in enumerate(selectors):
        root = referenced_unit(uow, selector.subtree_id, f"{field_path}[{i}].subtree")
        check_within(uow, who, root)
        if under is not None and not root.path.startswith(under.path):
            raise InvalidArgument.field(
                f"{field_path}[{i}].subtree", f"只能转发给“{under.display_name}”下属的组织",
                f"must lie under {unit_name(uow.tenant, under.id)}, the unit forwarding the notice", "NOT_UNDER_FORWARDER")
        roots.append(root)
    return roots


def _recipients(uow: NotifyUnitOfWork, notice: Notice, roots: list, now) -> list[Recipient]:
    """The units the selectors name now, frozen; FAILED_PRECONDITION when they name nobody."""
    posts_by_unit: dict[str, list] = {}
    if any(s.post_types for s in notice.selectors):
        for post in uow.directory.current_posts():
            posts_by_unit.setdefault(post.unit_id, []).append(post)
    candidates = [Candidates(selector, uow.directory.units_in_subtree(root.id), posts_by_unit)
                  for selector, root in zip(notice.selectors, roots, strict=True)]
    names = {unit.id: unit.display_name for group in candidates for unit in group.units}
    for parent_id in {unit.parent_id for group in candidates for unit in group.units} - set(names) - {None}:
        parent = uow.directory.unit(parent_id)
        names[parent_id] = parent.display_name if parent is not None else ""
    recipients = resolve(notice.tenant, notice.id, candidates, names, notice.sender_unit_id, now)
    if not recipients:
        raise FailedPrecondition(
            "NO_RECIPIENTS", "按所选范围、组织类型和职务找不到任何接收单位，通知未发送",
            "the recipients resolve to nobody: no active unit of the selected types (holding the selected posts) "
            "lies in the selected subtrees; nothing was sent")
    return recipients
