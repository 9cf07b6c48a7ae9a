"""How a queued message moves (投递规则): quiet hours, rate windows, retries with backoff, and
the status a channel's answer leads to. Plain Python; the delivery process applies it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from services.notify.domain.channel_settings import ChannelConfig
from services.notify.domain.messages import Message, Status

RATE_WINDOW = dt.timedelta(minutes=1)
ELLIPSIS = "…"


@dataclass(frozen=True)
class Outcome:
    """What one call of a channel answered."""

    ok: bool
    status_code: int = 0  # HTTP status; 0: none came back
    error: str = ""
    retryable: bool = True  # a failure worth trying again (5xx, 429, timeout), not a 4xx refusal
    duration_ms: int = 0
    confirmed: bool = False  # the far side took it for good (a webhook's 2xx): DELIVERED, not SENT


def quiet_until(config: ChannelConfig, now: dt.datetime, time_zone: str) -> dt.datetime | None:
    """The end of the quiet hours `now` falls in (county time), as UTC; None outside them."""
    if not config.quiet_enabled or config.quiet_start == config.quiet_end:
        return None
    local = now.astimezone(ZoneInfo(time_zone or "Asia/Shanghai"))
    t, start, end = local.time(), config.quiet_start, config.quiet_end
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, local.tzinfo).astimezone(dt.UTC)


def backoff(config: ChannelConfig, attempts: int) -> dt.timedelta:
    """Wait before try number `attempts + 1`: base × 2^(attempts − 1), at most the cap."""
    return dt.timedelta(seconds=min(config.max_delay, config.base_delay * 2 ** max(attempts - 1, 0)))


def after_call(msg: Message, outcome: Outcome, config: ChannelConfig, now: dt.datetime) -> tuple[Message, str]:
    """The message after one call, and the log's outcome (DELIVERED, SENT, RETRY, FAILED)."""
    if outcome.ok:
        status = Status.DELIVERED if outcome.confirmed else Status.SENT
        return replace(msg.with_status(status, now), attempts=msg.attempts + 1, next_attempt_at=None), status.value
    attempts = msg.attempts + 1
    reason = outcome.error or f"HTTP {outcome.status_code}"
    if not outcome.retryable or attempts >= config.max_attempts:
        given_up = f"{reason}（已尝试{attempts}次 / after {attempts} attempt(s)）"
        return replace(msg.with_status(Status.FAILED, now, given_up), next_attempt_at=None), "FAILED"
    retry = replace(msg, attempts=attempts, status_reason=reason, next_attempt_at=now + backoff(config, attempts),
                    version=msg.version + 1)
    return retry, "RETRY"


def deferred(msg: Message, until: dt.datetime, reason: str) -> Message:
    """Still queued, not tried, until `until` (quiet hours, a full rate window): no attempt counted."""
    return replace(msg, next_attempt_at=until, status_reason=reason, version=msg.version + 1)


def failed(msg: Message, now: dt.datetime, reason: str) -> Message:
    """Given up without a call (no phone, the endpoint gone or disabled)."""
    return replace(msg.with_status(Status.FAILED, now, reason), attempts=msg.attempts, next_attempt_at=None)


@dataclass(frozen=True)
class SmsText:
    text: str
    segments: int


def sms_text(config: ChannelConfig, body: str) -> SmsText:
    """Signature and body as the phone shows them, cut to the segments allowed (ending in …).

    One part holds `segment_length` characters; a longer text goes in parts of 3 fewer (the
    concatenation header takes them), as Chinese (UCS-2) texts do."""
    text = f"{config.signature}{body}"
    one, part = config.segment_length, config.segment_length - 3
    if len(text) <= one:
        return SmsText(text, 1)
    room = part * config.max_segments
    if len(text) > room:
        text = text[:room - 1] + ELLIPSIS
    return SmsText(text, math.ceil(len(text) / part))
