"""From events to messages (事件转消息): what each consumed event says, and to whom.

Every handler opens its unit of work first (the consumer claims the event there), builds the
template data from the event and the directory, and calls compose() once per distinct data, with
the event id as the source key: a redelivered event finds its messages stored and adds none.
Members do not sign in (services/common/auth.py has no member identity), so a message to a member
goes to the inbox of their unit as well, where its clerk reads it.
"""

from __future__ import annotations

from collections.abc import Callable

from partybuilding.assessment.v1 import assessment_events_pb2 as aev
from partybuilding.organization.v1 import organization_events_pb2 as oev
from partybuilding.points.v1 import points_events_pb2 as pev

from services.common.clock import utcnow
from services.common.directory.model import id_of, tenant_of_name
from services.common.events.envelope import typed_payload
from services.notify.domain import event_templates as et
from services.notify.domain.messages import SourceKind
from services.notify.service_layer import addressees as to
from services.notify.service_layer.messaging import compose

# 职务 as a message names it (organization_resources.proto PostType).
POST_NAMES = {"SECRETARY": "书记", "DEPUTY_SECRETARY": "副书记", "COMMITTEE_MEMBER": "委员",
              "VILLAGE_DIRECTOR": "村委会主任", "FIRST_SECRETARY": "第一书记", "STATION_CHIEF": "站长",
              "STATION_DEPUTY": "副站长", "PARTY_AFFAIRS_WORKER": "专职党务工作者", "RESERVE_CADRE": "后备干部",
              "REVITALIZATION_SPECIALIST": "乡村振兴工作专员"}

# One (data, recipients) per distinct text an event makes.
Made = list[tuple[dict, list]]


def _own(uow, name: str) -> str:
    """A name of this county, else "" (an event never addresses another county's unit from here)."""
    return name if name and tenant_of_name(name) == uow.tenant else ""


def _name(recipient, fallback: str = "") -> str:
    return (recipient.display_name if recipient is not None else "") or fallback


def threshold_crossed(uow, e: pev.ThresholdCrossedEvent) -> Made:
    member, unit = to.member(uow, _own(uow, e.member)), to.unit(uow, _own(uow, e.unit))
    secretaries = to.branch_secretaries(uow, unit.id) if unit else []
    data = {"member_name": _name(member, id_of(e.member)), "unit_name": _name(unit), "year": str(e.year),
            "threshold_name": e.threshold_name_zh, "threshold_code": e.threshold_code, "balance": str(e.balance)}
    return [(data, to.inbox(member, *secretaries, unit) + to.sms(member, *secretaries))]


def _result(uow, e) -> Made:
    unit, member = to.unit(uow, _own(uow, e.unit)), to.member(uow, _own(uow, e.member))
    data = {"target_name": e.display_name or _name(member) or _name(unit), "grade": getattr(e, "grade", ""),
            "grade_name": getattr(e, "grade_display_name", "") or getattr(e, "grade", ""),
            "total": f"{getattr(e, 'total', 0):g}", "rank": str(getattr(e, "rank", 0)),
            "target_count": str(getattr(e, "target_count", 0))}
    return [(data, to.inbox(unit, member) + to.sms(member))]


def admonishing_talk(uow, e: aev.AdmonishingTalkDueEvent) -> Made:
    unit, member = to.unit(uow, _own(uow, e.unit)), to.member(uow, _own(uow, e.member))
    data = {"target_name": e.display_name or _name(member) or _name(unit),
            "consecutive_last_places": str(e.consecutive_last_places)}
    return [(data, to.inbox(unit, member) + to.sms(member))]


def _station(uow, unit) -> list:
    station = to.work_station(uow, unit.id) if unit else None
    chiefs = to.station_chiefs(uow, station)
    return [to.unit(uow, station.id) if station else None, *chiefs]


def case_opened(uow, e: aev.CaseOpenedEvent) -> Made:
    case = e.case
    unit = to.unit(uow, _own(uow, case.unit))
    owners = [to.member(uow, _own(uow, p.owner.member), p.owner.display_name) for p in case.problems]
    station = _station(uow, unit)
    data = {"unit_name": case.unit_display_name or _name(unit), "title": case.title,
            "problem_count": str(len(case.problems)), "next_supervision_date": case.next_supervision_date}
    return [(data, to.inbox(unit, *owners, *station) + to.sms(*owners, *station[1:]))]


def problem_overdue(uow, e: aev.ProblemOverdueEvent) -> Made:
    unit = to.unit(uow, _own(uow, e.unit))
    owner = to.member(uow, _own(uow, e.owner.member), e.owner.display_name)
    station = _station(uow, unit)
    data = {"unit_name": _name(unit), "description": e.description, "deadline": e.deadline,
            "days_overdue": str(e.days_overdue), "owner_name": e.owner.display_name or _name(owner)}
    return [(data, to.inbox(owner, unit, *station) + to.sms(owner, *station[1:]))]


def supervision_due(uow, e: aev.CaseSupervisionDueEvent) -> Made:
    unit = to.unit(uow, _own(uow, e.unit))
    station = _station(uow, unit)
    data = {"unit_name": _name(unit), "title": e.title, "supervision_date": e.supervision_date,
            "next_supervision_date": e.next_supervision_date, "open_problems": str(e.open_problems),
            "overdue_problems": str(e.overdue_problems)}
    return [(data, to.inbox(unit, *station) + to.sms(*station[1:]))]


def public_notice_opened(uow, e: aev.RoundAdvancedEvent) -> Made:
    """A round entering its public-notice stage (公示): each judged unit is told, by name."""
    if e.to_stage_kind != "PUBLIC_NOTICE":
        return []
    made = []
    for name in dict.fromkeys(e.target_units):
        unit = to.unit(uow, _own(uow, name))
        if unit is not None:
            made.append(({"round_name": e.round_display_name, "unit_name": _name(unit),
                          "notice_end_date": e.notice_end_date}, to.inbox(unit)))
    return made


def post_term_expiring(uow, e: oev.PostTermExpiringEvent) -> Made:
    """To the holder, their unit and the unit above it (which organizes the election, 换届)."""
    unit, member = to.unit(uow, _own(uow, e.unit)), to.member(uow, _own(uow, e.member))
    found = to.unit_record(uow, unit.id) if unit else None
    above = to.unit(uow, found.parent_id) if found is not None and found.parent_id else None
    data = {"post_type": e.post_type, "post_name": POST_NAMES.get(e.post_type, e.post_type),
            "unit_name": _name(unit), "member_name": _name(member), "term_end_date": e.term_end_date,
            "days_left": str(e.days_left)}
    return [(data, to.inbox(member, unit, above) + to.sms(member))]


# {(producer, type): (payload contract, what it makes)}
EVENTS: dict[tuple[str, str], tuple[type, Callable]] = {
    ("points", et.THRESHOLD_CROSSED): (pev.ThresholdCrossedEvent, threshold_crossed),
    ("assessment", et.REMINDER_LETTER): (aev.ReminderLetterDueEvent, _result),
    ("assessment", et.COMMENDED): (aev.TargetCommendedEvent, _result),
    ("assessment", et.ADMONISHING_TALK): (aev.AdmonishingTalkDueEvent, admonishing_talk),
    ("assessment", et.CASE_OPENED): (aev.CaseOpenedEvent, case_opened),
    ("assessment", et.PROBLEM_OVERDUE): (aev.ProblemOverdueEvent, problem_overdue),
    ("assessment", et.SUPERVISION_DUE): (aev.CaseSupervisionDueEvent, supervision_due),
    ("assessment", et.PUBLIC_NOTICE): (aev.RoundAdvancedEvent, public_notice_opened),
    ("organization", et.POST_TERM_EXPIRING): (oev.PostTermExpiringEvent, post_term_expiring),
}


def _handler(contract: type, make: Callable) -> Callable:
    def to_messages(env, uows) -> None:
        # The unit of work first: the consumer claims the event as its opening statement.
        with uows(env.tenant) as uow:
            event = typed_payload(env, contract, ignore_unknown_fields=True)
            now = utcnow()
            for data, recipients in make(uow, event):
                if recipients:
                    compose(uow, source_kind=SourceKind.EVENT, source_key=env.event_id, source_type=env.type,
                            data=data, recipients=recipients, now=now)
            uow.commit()

    to_messages.__qualname__ = f"to_messages[{contract.__name__}]"
    return to_messages


def message_handlers() -> dict[tuple[str, str], Callable]:
    """{(producer, type): handler} for every event notify turns into messages."""
    return {key: _handler(contract, make) for key, (contract, make) in EVENTS.items()}
