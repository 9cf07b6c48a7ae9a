"""The `channels` section of a county's notify settings (渠道设置): SMS gateway, quiet hours,
rate limits and retries, with the platform's defaults; registered with domain/settings.py.

The gateway key is a secret: the stored document holds it sealed (`key_sealed`, sealed by
`seal`, which the settings use case calls with the deployment's data key), the answer only says
whether one is set. Plain Python; the URL check is shared with webhook endpoints.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass

from services.common.errors import Validator
from services.notify.domain.settings import register_section

SEALED_FIELD = "notify.sms_gateway_key"  # the sealing's associated data: this key opens nowhere else
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
MAX_URL = 500

DEFAULTS = {
    "sms": {"url": "", "key_set": False, "signature": "", "segment_length": 70, "max_segments": 3},
    "quiet_hours": {"enabled": True, "start": "22:00", "end": "07:00"},
    "rate_limits": {"sms_per_minute": 60, "webhook_per_minute": 600},
    "retry": {"max_attempts": 5, "base_delay_seconds": 30, "max_delay_seconds": 3600,
              "webhook_failures_to_disable": 10},
}
# (section, field): (least, most) for the numbers.
BOUNDS = {
    ("sms", "segment_length"): (10, 1000), ("sms", "max_segments"): (1, 10),
    ("rate_limits", "sms_per_minute"): (0, 100_000), ("rate_limits", "webhook_per_minute"): (0, 100_000),
    ("retry", "max_attempts"): (1, 20), ("retry", "base_delay_seconds"): (1, 86_400),
    ("retry", "max_delay_seconds"): (1, 7 * 86_400), ("retry", "webhook_failures_to_disable"): (1, 1000),
}


def url_problem(url: str) -> tuple[str, str] | None:
    """Why `url` is no http(s) URL a channel may call, or None."""
    if len(url) > MAX_URL:
        return f"不能超过{MAX_URL}个字符", f"must be at most {MAX_URL} characters"
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "必须是 http:// 或 https:// 开头的网址", "must be an http:// or https:// URL with a host"
    if parsed.username or parsed.password or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return "网址不能含空白字符或用户名密码", "must hold no whitespace and no user:password"
    return None


def check(section: dict, field_path: str) -> dict:
    """The section with defaults filled in; INVALID_ARGUMENT naming every wrong field."""
    v, out = Validator(), {}
    for name, defaults in DEFAULTS.items():
        given = section.get(name) or {}
        part = {**defaults, **{k: given[k] for k in given if k in defaults}}
        for (sec, key), (low, high) in BOUNDS.items():
            if sec == name and not (isinstance(part[key], int) and low <= part[key] <= high):
                v.add(f"{field_path}.{name}.{key}", f"应在 {low} 到 {high} 之间", f"must lie between {low} and {high}")
        out[name] = part
    sms = out["sms"]
    sms["key_sealed"] = (section.get("sms") or {}).get("key_sealed", "")
    sms["key_set"] = bool(sms["key_sealed"])
    if sms["url"] and (problem := url_problem(sms["url"])):
        v.add(f"{field_path}.sms.url", *problem)
    sms["signature"] = v.text(sms["signature"], f"{field_path}.sms.signature", max_len=20, required=False)
    if sms["url"] and not sms["signature"]:
        v.add(f"{field_path}.sms.signature", "使用短信网关须填写短信签名（如【宜君县委组织部】）",
              "a gateway needs the signature its texts carry, e.g. 【宜君县委组织部】")
    for key in ("start", "end"):
        if not _HHMM.fullmatch(str(out["quiet_hours"][key])):
            v.add(f"{field_path}.quiet_hours.{key}", "时间格式应为 HH:MM（如 22:00）", "must be a time HH:MM, e.g. 22:00")
    retry = out["retry"]
    if isinstance(retry["max_delay_seconds"], int) and isinstance(retry["base_delay_seconds"], int) \
            and retry["max_delay_seconds"] < retry["base_delay_seconds"]:
        v.add(f"{field_path}.retry.max_delay_seconds", "不能小于首次重试间隔", "must not be below base_delay_seconds")
    v.raise_if_any()
    return out


def seal(section: dict, stored: dict, key) -> dict:
    """The section as stored: a key given in clear sealed with `key`; key_set without a key keeps
    the stored one (a document read, edited and applied again keeps its key); nothing else."""
    sms = dict(section.get("sms") or {})
    clear, keep, carried = sms.pop("key", ""), sms.pop("key_set", False), sms.pop("key_sealed", "")
    old = (stored.get("sms") or {}).get("key_sealed", "")
    if clear:
        sms["key_sealed"] = key.seal(SEALED_FIELD, clear)
    elif carried or (keep and old):  # another field changed, or the key was answered back as set
        sms["key_sealed"] = carried or old
    return {**section, "sms": sms} if sms else {k: val for k, val in section.items() if k != "sms"}


@dataclass(frozen=True)
class ChannelConfig:
    """The checked section, as the delivery process reads it."""

    sms_url: str
    sms_key_sealed: str
    signature: str
    segment_length: int
    max_segments: int
    quiet_enabled: bool
    quiet_start: dt.time
    quiet_end: dt.time
    per_minute: dict  # {channel value: sends per minute}
    max_attempts: int
    base_delay: int
    max_delay: int
    failures_to_disable: int

    @classmethod
    def of(cls, section: dict) -> ChannelConfig:
        s, q, r, t = section["sms"], section["quiet_hours"], section["rate_limits"], section["retry"]
        return cls(s["url"], s["key_sealed"], s["signature"], s["segment_length"], s["max_segments"], q["enabled"],
                   dt.time.fromisoformat(q["start"]), dt.time.fromisoformat(q["end"]),
                   {"SMS": r["sms_per_minute"], "WEBHOOK": r["webhook_per_minute"]}, t["max_attempts"],
                   t["base_delay_seconds"], t["max_delay_seconds"], t["webhook_failures_to_disable"])


register_section("channels", check, seal)
