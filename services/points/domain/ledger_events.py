"""The ledger's domain events; each mirrors `<Name>Event` in points_events.proto field for field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThresholdCrossed:
    """A member's balance met a threshold (e.g. below 6: 提醒谈话) for the first time this year."""

    member: str
    unit: str
    threshold_code: str
    threshold_name_zh: str
    threshold_name_en: str
    year: int
    balance: int
    entry: str
    status: str


@dataclass(frozen=True)
class ThresholdCleared:
    """A crossed threshold is no longer met (a reversal, an appeal upheld, points earned back)."""

    member: str
    unit: str
    threshold_code: str
    threshold_name_zh: str
    threshold_name_en: str
    year: int
    balance: int
    entry: str
    status: str
