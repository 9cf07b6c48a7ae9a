"""Webhook endpoints (推送接口): another government system that receives the county's events as
signed JSON POSTs. Plain Python: the endpoint, its filters, the signature, the checks.

The signature lets the receiver check who sent a call and that it is fresh: HMAC-SHA256 under
the endpoint's secret over "{timestamp}.{body}", sent as `X-Partybuilding-Signature:
sha256=<hex>` beside `X-Partybuilding-Timestamp` (Unix seconds); a receiver refuses a
timestamp too far from its clock, so a recorded call cannot be replayed later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, replace

from services.common.errors import Validator
from services.common.tenancy import Collection
from services.notify.domain.channel_settings import url_problem

SIGNATURE_HEADER = "X-Partybuilding-Signature"
TIMESTAMP_HEADER = "X-Partybuilding-Timestamp"
EVENT_HEADER = "X-Partybuilding-Event"
DELIVERY_HEADER = "X-Partybuilding-Delivery"
MAX_FILTERS = 50
_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?|\*")
FIELDS = frozenset({"display_name", "url", "event_types", "enabled"})
ENDPOINTS = Collection("webhookEndpoints")  # tenants/{code}/webhookEndpoints/{id}
endpoint_name = ENDPOINTS.name


@dataclass(frozen=True)
class WebhookEndpoint:
    tenant: str
    id: str
    display_name: str
    url: str
    event_types: tuple[str, ...]
    secret_sealed: str
    enabled: bool
    disabled_reason: str
    consecutive_failures: int
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = 1

    def receives(self, event_type: str) -> bool:
        """Whether its filters take this event type: exact, a prefix ("assessment.*"), or none at all."""
        return not self.event_types or any(
            f == "*" or f == event_type or (f.endswith(".*") and event_type.startswith(f[:-1]))
            for f in self.event_types)

    def failed_call(self, error: str, limit: int, now: dt.datetime) -> WebhookEndpoint:
        """One more failure in a row; at `limit` the endpoint is disabled, saying why."""
        failures = self.consecutive_failures + 1
        if failures < limit or not self.enabled:
            return replace(self, consecutive_failures=failures, version=self.version + 1, updated_at=now)
        reason = f"连续{failures}次投递失败，已停用（最近一次：{error}）/ disabled after {failures} failed calls in a row " \
                 f"(last: {error})"
        return replace(self, consecutive_failures=failures, enabled=False, disabled_reason=reason,
                       version=self.version + 1, updated_at=now)

    def succeeded(self, now: dt.datetime) -> WebhookEndpoint | None:
        """After a good call; None when nothing changes (no write)."""
        if not self.consecutive_failures:
            return None
        return replace(self, consecutive_failures=0, version=self.version + 1, updated_at=now)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for one call."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def check_fields(v: Validator, fields: dict, prefix: str) -> dict:
    """The given fields checked and normalised (display name, URL, filters); violations into `v`."""
    out = dict(fields)
    if "display_name" in fields:
        out["display_name"] = v.text(fields["display_name"], f"{prefix}.display_name", max_len=100)
    if "url" in fields:
        url = (fields["url"] or "").strip()
        if not url:
            v.add(f"{prefix}.url", "不能为空", "must not be empty")
        elif problem := url_problem(url):
            v.add(f"{prefix}.url", *problem)
        out["url"] = url
    if "event_types" in fields:
        types = [t.strip() for t in fields["event_types"]]
        if len(types) > MAX_FILTERS:
            v.add(f"{prefix}.event_types", f"最多{MAX_FILTERS}项", f"must hold at most {MAX_FILTERS} items")
        for i, t in enumerate(types):
            if not _EVENT_TYPE.fullmatch(t) or len(t) > 80:
                v.add(f"{prefix}.event_types[{i}]", "应为事件类型（如 points.threshold_crossed）或前缀（如 assessment.*）",
                      "must be an event type (points.threshold_crossed) or a prefix (assessment.*)")
        out["event_types"] = tuple(dict.fromkeys(types))
    return out
