"""The channel rules without a database: quiet hours in the county's time, backoff, SMS parts,
endpoint filters, the signature, and how the gateway key is stored."""

from __future__ import annotations

import datetime as dt

from services.common.sealing import DataKey
from services.notify.domain import delivery
from services.notify.domain.channel_settings import SEALED_FIELD, ChannelConfig, check, seal
from services.notify.domain.webhooks import WebhookEndpoint, sign

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def config(**channels) -> ChannelConfig:
    return ChannelConfig.of(check(channels, "settings.channels"))


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 4, hour, minute, tzinfo=SHANGHAI).astimezone(dt.UTC)


def test_quiet_hours_span_midnight_in_the_countys_time():
    c = config()
    morning = dt.datetime(2026, 12, 5, 7, tzinfo=SHANGHAI)
    assert delivery.quiet_until(c, at(23, 30), "Asia/Shanghai") == morning
    assert delivery.quiet_until(c, at(3), "Asia/Shanghai") == morning - dt.timedelta(days=1)
    assert delivery.quiet_until(c, at(7), "Asia/Shanghai") is None
    assert delivery.quiet_until(c, at(21, 59), "Asia/Shanghai") is None
    # Urumqi keeps its own clock: 23:30 in Shanghai is 21:30 there, not quiet.
    assert delivery.quiet_until(c, at(23, 30), "Asia/Urumqi") is None
    assert delivery.quiet_until(config(quiet_hours={"enabled": False}), at(23, 30), "Asia/Shanghai") is None
    lunch = config(quiet_hours={"start": "12:00", "end": "14:00"})
    assert delivery.quiet_until(lunch, at(13), "Asia/Shanghai") == dt.datetime(2026, 12, 4, 14, tzinfo=SHANGHAI)


def test_backoff_doubles_up_to_its_cap():
    c = config(retry={"base_delay_seconds": 30, "max_delay_seconds": 100})
    assert [delivery.backoff(c, n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


def test_a_text_takes_one_part_up_to_70_characters_then_parts_of_67():
    c = config(sms={"signature": "【宜君】", "max_segments": 3})
    assert delivery.sms_text(c, "好" * 66).segments == 1
    assert delivery.sms_text(c, "好" * 67).segments == 2
    cut = delivery.sms_text(c, "好" * 500)
    assert (cut.segments, len(cut.text), cut.text.startswith("【宜君】"), cut.text[-1]) == (3, 201, True, "…")


def test_filters_take_exact_types_prefixes_or_everything():
    def endpoint(*types):
        now = dt.datetime.now(dt.UTC)
        return WebhookEndpoint("610222", "wh-1", "平台", "https://x.cn", types, "", True, "", 0, now, now)

    assert endpoint().receives("points.threshold_crossed")
    assert endpoint("assessment.*").receives("assessment.result_finalized")
    assert not endpoint("assessment.*").receives("assessmentx.y")
    assert not endpoint("points.threshold_crossed").receives("points.awarded")


def test_the_signature_covers_timestamp_and_body():
    assert sign("s", 1, b"{}") != sign("s", 2, b"{}") != sign("s", 1, b"[]")
    assert sign("s", 1, b"{}").startswith("sha256=")


def test_the_key_is_sealed_kept_when_answered_back_as_set_and_dropped_when_left_out():
    key = DataKey(b"k" * 32)
    stored = seal({"sms": {"url": "https://sms.cn", "key": "secret", "signature": "【宜君】"}}, {}, key)
    assert "key" not in stored["sms"] and key.open(SEALED_FIELD, stored["sms"]["key_sealed"]) == "secret"
    assert check(stored, "settings.channels")["sms"]["key_set"] is True
    kept = seal({"sms": {"url": "https://sms.cn", "key_set": True}}, stored, key)
    assert kept["sms"]["key_sealed"] == stored["sms"]["key_sealed"]
    assert seal({"quiet_hours": {"enabled": False}, "sms": dict(stored["sms"])}, stored, key)["sms"] == stored["sms"]
    assert "key_sealed" not in seal({"sms": {"url": "https://sms.cn"}}, stored, key)["sms"]
