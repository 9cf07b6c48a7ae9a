"""The events notify turns into messages, their fields and shipped zh-CN defaults (事件消息模板).

Each event type's data is built by service_layer/event_messages.py from the event and the
directory; the names here are all a county's own template may use (domain/template_checks.py).
SMS texts are short and carry no subject: a text message has none.
"""

from __future__ import annotations

from services.notify.domain.messages import Channel
from services.notify.domain.templates import register

THRESHOLD_CROSSED = "points.threshold_crossed"
REMINDER_LETTER = "assessment.reminder_letter_due"
ADMONISHING_TALK = "assessment.admonishing_talk_due"
COMMENDED = "assessment.target_commended"
CASE_OPENED = "assessment.case_opened"
PROBLEM_OVERDUE = "assessment.problem_overdue"
SUPERVISION_DUE = "assessment.case_supervision_due"
PUBLIC_NOTICE = "assessment.round_advanced"  # only a round entering its public-notice stage
POST_TERM_EXPIRING = "organization.post_term_expiring"

INBOX, SMS = Channel.INBOX, Channel.SMS

register(THRESHOLD_CROSSED, {"member_name", "unit_name", "threshold_name", "threshold_code", "year", "balance"}, {
    INBOX: ("积分预警：{{ member_name }}已达“{{ threshold_name }}”",
            "{{ unit_name }}党员{{ member_name }}{{ year }}年度积分为{{ balance }}分，已达到“{{ threshold_name }}”"
            "标准。请党支部书记按规定及时开展{{ threshold_name }}相关工作，并做好记录。"),
    SMS: ("", "【党建积分】{{ member_name }}同志{{ year }}年度积分{{ balance }}分，已达“{{ threshold_name }}”标准，"
              "请及时联系党支部。"),
}, sample={"member_name": "王某某", "unit_name": "西村党支部", "threshold_name": "提醒谈话",
           "threshold_code": "REMINDER_TALK", "year": "2026", "balance": "5"})

_RESULT = {"target_name", "grade", "grade_name", "total", "rank", "target_count"}
_RESULT_SAMPLE = {"target_name": "西村党支部", "grade": "ONE_STAR", "grade_name": "一星", "total": "58.5",
                  "rank": "18", "target_count": "18"}

register(REMINDER_LETTER, _RESULT, {
    INBOX: ("考核结果提醒函：{{ target_name }}",
            "{{ target_name }}在本次考核中得分{{ total }}，排名第{{ rank }}（共{{ target_count }}个）。按考核办法发出"
            "提醒函，请认真查找问题、制定整改措施，并按要求报送整改情况。"),
    SMS: ("", "【考核提醒】{{ target_name }}本次考核排名第{{ rank }}（共{{ target_count }}个），已发提醒函，请登录系统查看。"),
}, sample=_RESULT_SAMPLE)

register(ADMONISHING_TALK, {"target_name", "consecutive_last_places"}, {
    INBOX: ("诫勉谈话通知：{{ target_name }}",
            "{{ target_name }}已连续{{ consecutive_last_places }}次考核排名末位。按考核办法，将对其负责人进行诫勉谈话，"
            "请做好准备并按通知时间参加。"),
    SMS: ("", "【考核提醒】{{ target_name }}连续{{ consecutive_last_places }}次考核末位，将进行诫勉谈话，请登录系统查看。"),
}, sample={"target_name": "西村党支部", "consecutive_last_places": "2"})

register(COMMENDED, _RESULT, {
    INBOX: ("考核表扬：{{ target_name }}",
            "{{ target_name }}在本次考核中评为“{{ grade_name }}”，得分{{ total }}，排名第{{ rank }}，予以通报表扬。"
            "望再接再厉。"),
    SMS: ("", "【考核表扬】{{ target_name }}本次考核评为“{{ grade_name }}”，排名第{{ rank }}，予以通报表扬。"),
}, sample={**_RESULT_SAMPLE, "target_name": "东村党支部", "grade": "FIVE_STAR", "grade_name": "五星", "total": "96",
           "rank": "1"})

register(CASE_OPENED, {"unit_name", "title", "problem_count", "next_supervision_date"}, {
    INBOX: ("整改台账已建立：{{ title }}",
            "{{ unit_name }}的整改台账“{{ title }}”已建立，共{{ problem_count }}个问题。请逐项落实整改措施，"
            "下次督办日期为{{ next_supervision_date }}。"),
    SMS: ("", "【整改督办】{{ unit_name }}整改台账“{{ title }}”已建立，共{{ problem_count }}个问题，请登录系统查看。"),
}, sample={"unit_name": "西村党支部", "title": "2026年度评星定级整改", "problem_count": "3",
           "next_supervision_date": "2026-12-20"})

register(PROBLEM_OVERDUE, {"unit_name", "description", "deadline", "days_overdue", "owner_name"}, {
    INBOX: ("整改问题逾期：{{ unit_name }}",
            "{{ unit_name }}的整改问题“{{ description }}”（责任人：{{ owner_name }}）整改期限为{{ deadline }}，"
            "已逾期{{ days_overdue }}天。请责任人尽快完成整改并申请销号，工作站站长督促落实。"),
    SMS: ("", "【整改督办】{{ unit_name }}整改问题已逾期{{ days_overdue }}天（期限{{ deadline }}），请尽快完成整改。"),
}, sample={"unit_name": "西村党支部", "description": "“三会一课”记录不全", "deadline": "2026-11-30",
           "days_overdue": "4", "owner_name": "王某某（村党支部书记）"})

register(SUPERVISION_DUE, {"unit_name", "title", "supervision_date", "next_supervision_date", "open_problems",
                           "overdue_problems"}, {
    INBOX: ("整改督办：{{ title }}",
            "{{ unit_name }}的整改台账“{{ title }}”今日（{{ supervision_date }}）到督办日期：尚有{{ open_problems }}"
            "个问题未销号，其中{{ overdue_problems }}个已逾期。请报送整改进展；下次督办日期为{{ next_supervision_date }}。"),
    SMS: ("", "【整改督办】{{ unit_name }}尚有{{ open_problems }}个整改问题未销号（{{ overdue_problems }}个逾期），请报送进展。"),
}, sample={"unit_name": "西村党支部", "title": "2026年度评星定级整改", "supervision_date": "2026-12-05",
           "next_supervision_date": "2026-12-20", "open_problems": "2", "overdue_problems": "1"})

register(PUBLIC_NOTICE, {"round_name", "unit_name", "notice_end_date"}, {
    INBOX: ("考核结果公示：{{ round_name }}",
            "{{ round_name }}结果已进入公示期，公示至{{ notice_end_date }}。{{ unit_name }}可登录系统查看本单位结果，"
            "如有异议请在公示期内提出。"),
    SMS: ("", "【考核公示】{{ round_name }}结果公示至{{ notice_end_date }}，如有异议请在公示期内提出。"),
}, sample={"round_name": "2026年度评星定级", "unit_name": "西村党支部", "notice_end_date": "2026-12-12"})

register(POST_TERM_EXPIRING, {"post_type", "post_name", "unit_name", "member_name", "term_end_date", "days_left"}, {
    INBOX: ("任期即将届满：{{ unit_name }}{{ post_name }}",
            "{{ unit_name }}{{ post_name }}{{ member_name }}的任期将于{{ term_end_date }}届满（还有{{ days_left }}天）。"
            "请提前做好换届（或改选）准备工作。"),
    SMS: ("", "【任期提醒】{{ unit_name }}{{ post_name }}任期将于{{ term_end_date }}届满，请提前做好换届准备。"),
}, sample={"post_type": "SECRETARY", "post_name": "书记", "unit_name": "西村党支部", "member_name": "王某某",
           "term_end_date": "2027-01-04", "days_left": "30"})
