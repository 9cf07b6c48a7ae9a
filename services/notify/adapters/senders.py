"""Channel adapters (发送适配器): what carries a message out of the platform.

`SmsSender.send(sms) -> Outcome` is the SMS interface: `SmsSink` keeps what would be sent (a
table, ListSmsSink), `HttpSmsGateway` POSTs to a county's generic HTTP gateway. `post_webhook`
makes one signed call to an endpoint. A 2xx answer is success; a 4xx other than 408/429 is a
refusal that retrying will not change; 5xx, 408, 429, a timeout or a refused connection are
tried again. HTTP through the standard library: one request at a time, a deadline on each.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from services.notify.domain.delivery import Outcome
from services.notify.domain.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)

USER_AGENT = "partybuilding-notify/1"
_RETRIED_4XX = (408, 429)


@dataclass(frozen=True)
class OutgoingSms:
    tenant: str
    message_id: str
    phone: str  # in clear, only in memory on its way out
    text: str  # signature included, cut to its segments
    segments: int
    signature: str


class SmsSender(Protocol):
    def send(self, sms: OutgoingSms) -> Outcome: ...


def _post(url: str, body: bytes, headers: dict, timeout: float) -> Outcome:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": USER_AGENT, **headers})
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (http(s) checked on save)
            answer.read(4096)
            return Outcome(True, answer.status, duration_ms=took(), confirmed=True)
    except urllib.error.HTTPError as err:
        code = err.code
        return Outcome(False, code, f"HTTP {code}", retryable=code >= 500 or code in _RETRIED_4XX, duration_ms=took())
    except (TimeoutError, urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        kind = "timeout" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else "connection"
        return Outcome(False, 0, f"{kind}: {reason}"[:300], retryable=True, duration_ms=took())


class HttpSmsGateway:
    """A generic HTTP SMS gateway: POST {phone_number, sign_name, content, message_id} as JSON,
    the county's key as `Authorization: Bearer`. Accepted is SENT (the handset's receipt is the
    gateway's business)."""

    def __init__(self, url: str, key: str, timeout: float = 5.0):
        self.url, self.key, self.timeout = url, key, timeout

    def send(self, sms: OutgoingSms) -> Outcome:
        body = json.dumps({"phone_number": sms.phone, "sign_name": sms.signature, "content": sms.text,
                           "message_id": sms.message_id}, ensure_ascii=False).encode()
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        outcome = _post(self.url, body, headers, self.timeout)
        return Outcome(outcome.ok, outcome.status_code, outcome.error, outcome.retryable, outcome.duration_ms)


class SmsSink:
    """The default SMS 'gateway': the text, the masked phone and its segments go to a table
    (ListSmsSink), in a transaction of its own; nothing leaves the platform."""

    def __init__(self, uows):
        self.uows = uows

    def send(self, sms: OutgoingSms) -> Outcome:
        from services.common.clock import utcnow
        from services.common.identifiers import mask_phone
        from services.notify.adapters.repositories.deliveries import SinkEntry

        with self.uows(sms.tenant) as uow:
            uow.deliveries.add_sink(SinkEntry(sms.message_id, mask_phone(sms.phone), sms.text, sms.segments, utcnow()))
            uow.commit()
        return Outcome(True, 200)


def post_webhook(url: str, secret: str, event_type: str, message_id: str, payload: str, timeout: float,
                 now: float | None = None) -> Outcome:
    """One signed POST of `payload` (the event's JSON) to an endpoint."""
    body = payload.encode()
    stamp = int(now if now is not None else time.time())
    headers = {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(secret, stamp, body), EVENT_HEADER: event_type,
               DELIVERY_HEADER: message_id}
    return _post(url, body, headers, timeout)
