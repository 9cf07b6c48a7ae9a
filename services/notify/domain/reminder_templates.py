"""The event types of reminders, escalations and calendar dates, with their fields and zh-CN
defaults (domain/templates.py). A county overrides any of them with its own template."""

from __future__ import annotations

from services.notify.domain.calendar import TITLES, event_type
from services.notify.domain.messages import Channel
from services.notify.domain.reminders import ESCALATED, REMINDER_DUE, REMINDER_OVERDUE
from services.notify.domain.templates import register

# notice: its resource name; title, sender: the notice's; unit: the addressed unit; due: the
# deadline in the county's time ("2026-12-11 18:00"); asks: what is missing (签收 / 汇报).
NOTICE_FIELDS = {"notice", "title", "sender", "unit", "due", "asks"}

register(REMINDER_DUE, NOTICE_FIELDS | {"days_left"}, {
    Channel.INBOX: ("【提醒】{{ title }}",
                    "{{ unit }}：{{ sender }}的通知《{{ title }}》将于{{ due }}截止"
                    "{% if days_left %}（还有{{ days_left }}天）{% else %}（今天截止）{% endif %}，请及时{{ asks }}。"),
    Channel.SMS: ("", "【党建提醒】{{ sender }}《{{ title }}》{{ due }}截止，请{{ unit }}及时{{ asks }}。"),
})
register(REMINDER_OVERDUE, NOTICE_FIELDS | {"days_overdue"}, {
    Channel.INBOX: ("【逾期提醒】{{ title }}",
                    "{{ unit }}：{{ sender }}的通知《{{ title }}》已于{{ due }}截止，已逾期{{ days_overdue }}天，"
                    "请尽快{{ asks }}。"),
    Channel.SMS: ("", "【党建提醒】《{{ title }}》已逾期{{ days_overdue }}天，请{{ unit }}尽快{{ asks }}。"),
})
register(ESCALATED, NOTICE_FIELDS | {"days_overdue", "parent"}, {
    Channel.INBOX: ("【督办】{{ unit }}逾期未{{ asks }}：{{ title }}",
                    "{{ parent }}：下级单位“{{ unit }}”收到的通知《{{ title }}》已于{{ due }}截止，"
                    "逾期{{ days_overdue }}天仍未{{ asks }}，请督促落实。"),
})

CALENDAR_FIELDS = {"title", "date", "days_left", "unit"}
_CALENDAR_BODIES = {
    "party_day": "{{ unit }}：本月{{ title }}定于{{ date }}"
                 "{% if days_left %}（{{ days_left }}天后）{% else %}（今天）{% endif %}，请提前做好组织安排，活动后及时记录。",
    "org_life": "{{ unit }}：按要求每年第四季度召开1次{{ title }}，请于{{ date }}前召开"
                "{% if days_left %}（还有{{ days_left }}天）{% endif %}，会前做好谈心谈话和征求意见。",
    "democratic_review": "{{ unit }}：每年开展1次{{ title }}，请于{{ date }}前完成"
                         "{% if days_left %}（还有{{ days_left }}天）{% endif %}，并按程序报送评议结果。",
}
for _key, _title in TITLES.items():
    register(event_type(_key), CALENDAR_FIELDS, {Channel.INBOX: ("【{{ title }}】{{ date }}", _CALENDAR_BODIES[_key])})
