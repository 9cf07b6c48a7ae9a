"""An addressed unit's own business with a notice: reading it, 签收, reporting back (两上).

Each is done by the unit's own clerk (or the county, a system account), in one transaction
that locks the copy: two clerks acknowledging at once record one receipt.
"""

from __future__ import annotations

from services.common import identifiers
from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.tenancy import check_etag
from services.notify.domain import events
from services.notify.domain.names import recipient_name
from services.notify.domain.notices import Notice, Recipient, Report
from services.notify.domain.rules import aggregate, check_report
from services.notify.service_layer import commands as c
from services.notify.service_layer.loaders import load_recipient
from services.notify.service_layer.reminders import cancel_reminders
from services.notify.service_layer.scope import check_own_unit
from services.notify.service_layer.unit_of_work import NotifyUnitOfWork, NotifyUnitOfWorkFactory


def _own_copy(uow: NotifyUnitOfWork, cmd, who: Principal) -> tuple[Notice, Recipient]:
    notice, recipient = load_recipient(uow, cmd.notice_id, cmd.unit_id, for_update=True)
    check_own_unit(uow, who, recipient.unit_id, recipient.unit_display_name)
    return notice, recipient


def mark_read(cmd: c.RecipientAction, uows: NotifyUnitOfWorkFactory, who: Principal) -> tuple[Notice, Recipient]:
    """Opened in the inbox; reading it again changes nothing."""
    with uows(cmd.tenant) as uow:
        notice, recipient = _own_copy(uow, cmd, who)
        if recipient.mark_read(who.subject, utcnow()):
            uow.notices.save_recipient(recipient)
            uow.commit()
        return notice, recipient


def acknowledge_notice(cmd: c.RecipientAction, uows: NotifyUnitOfWorkFactory, who: Principal,
                       now=None) -> tuple[Notice, Recipient]:
    """签收: the first receipt stands; acknowledging again answers it and emits nothing. `now` is
    the demo's, which backdates a past week."""
    now = now or utcnow()
    with uows(cmd.tenant) as uow:
        notice, recipient = _own_copy(uow, cmd, who)
        if recipient.acknowledge(who.subject, now):
            uow.notices.save_recipient(recipient)
            cancel_reminders(uow, notice, recipient, now)
            uow.emit(events.NoticeAcknowledged.of(notice, recipient, now))
            uow.commit()
        return notice, recipient


def submit_report(cmd: c.SubmitReport, uows: NotifyUnitOfWorkFactory, who: Principal,
                  now=None) -> tuple[Notice, Recipient]:
    """The unit's report, checked against the notice's form; with include_forwarded, the fields not
    given are filled from what the units it forwarded the notice to reported (the station's 汇总)."""
    now = now or utcnow()
    with uows(cmd.tenant) as uow:
        notice, recipient = _own_copy(uow, cmd, who)
        if not notice.requires_report:
            raise FailedPrecondition("NO_REPORT_REQUESTED", "该通知不要求汇报", "this notice asks for no report")
        check_etag(cmd.etag, recipient.version, recipient_name(uow.tenant, recipient.notice_id, recipient.unit_id))
        filled: dict[str, str] = {}
        below: list[Recipient] = []
        if cmd.include_forwarded:
            if not recipient.forwarded_notice_id:
                raise InvalidArgument.field("include_forwarded", "本单位未转发该通知，没有可汇总的下级汇报",
                                            "this unit did not forward the notice: there are no reports to include",
                                            "NOT_FORWARDED")
            below = uow.notices.recipients([recipient.forwarded_notice_id])[recipient.forwarded_notice_id]
            filled, _ = aggregate(notice.report_form, [(r.unit_display_name, r.report) for r in below])
        v, values = check_report(notice.report_form, cmd.values, "values", filled)
        v.raise_if_any()
        given = {identifiers.normalize(name) for name, _ in cmd.values}
        report = Report(values, tuple(name for name in values if name not in given and name in filled),
                        sum(r.report is not None for r in below), len(below))
        acknowledged = recipient.submit(report, who.subject, now)
        uow.notices.save_recipient(recipient)
        cancel_reminders(uow, notice, recipient, now)
        if acknowledged:
            uow.emit(events.NoticeAcknowledged.of(notice, recipient, now))
        uow.emit(events.ReportSubmitted.of(notice, recipient, now))
        uow.commit()
        return notice, recipient
