"""A tenant's notify settings: one document, each section read by the part that uses it.

Stored as JSON (adapters/repositories/settings.py); a missing section or key means the
platform's default. Sections: `reminders` (when a notice is reminded and escalated, the
calendar), `channels` (SMS gateway, quiet hours, rate limits, webhook defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NotifySettings:
    """The parsed document; `raw` keeps sections this version does not model yet."""

    raw: dict = field(default_factory=dict)
    version: int = 0

    def section(self, name: str) -> dict:
        value = self.raw.get(name)
        return value if isinstance(value, dict) else {}


def parse_settings(doc: dict, version: int) -> NotifySettings:
    return NotifySettings(doc, version)
