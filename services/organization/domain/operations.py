"""A long-running operation (AIP-151) such as a county import: who started it, how far it got, how it ended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class Operation:
    id: str
    tenant: str
    kind: str
    created_by: str
    validate_only: bool
    rows_total: int
    created_at: dt.datetime
    done: bool = False
    rows_done: int = 0
    # JSON-ready dicts: `result` is the kind's report, `error` a PlatformError (code, reason, zh, en).
    result: dict | None = None
    error: dict | None = None
