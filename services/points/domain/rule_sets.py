"""Points rules as data: a county's rule sets, their revisions, and the pure check of a revision.

A rule set has revisions 1..n. A revision is a DRAFT until published with the date it takes
effect; a published revision never changes, so every ledger entry can name the exact rules it
was counted under. The county's rules in force on a day are those of the published revision
(of any of its rule sets) with the latest effective_from on or before that day.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, replace

from services.common import identifiers
from services.common.errors import Validator


class Mode(enum.StrEnum):
    ACCUMULATE = "ACCUMULATE"  # 积分制: from 0 each year
    DEDUCT_FROM_BASE = "DEDUCT_FROM_BASE"  # 十二分制: from the base each calendar year


class State(enum.StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"


class Kind(enum.StrEnum):
    AWARD = "AWARD"
    DEDUCT = "DEDUCT"
    DEDUCT_ALL = "DEDUCT_ALL"  # the balance goes to the floor; points are ignored


class Unit(enum.StrEnum):
    TIMES = "TIMES"
    HOURS = "HOURS"
    MEETING = "MEETING"


class Comparison(enum.StrEnum):
    BELOW = "BELOW"
    AT_OR_BELOW = "AT_OR_BELOW"
    AT_OR_ABOVE = "AT_OR_ABOVE"


class RecorderRole(enum.StrEnum):
    COUNTY_ADMIN = "county_admin"
    CLERK = "clerk"
    SYSTEM = "system"


DEFAULT_RECORDERS = (RecorderRole.COUNTY_ADMIN, RecorderRole.CLERK)
DEFAULT_BASE = {Mode.DEDUCT_FROM_BASE: 12, Mode.ACCUMULATE: 0}
DEFAULT_MAX_QUANTITY = 100
# Sane bounds a county cannot mistype past: a base of 1200 or a quantity of a million is a typo.
BASE_RANGE = (0, 1000)
POINTS_MAX = 1000
MAX_QUANTITY_LIMIT = 10_000
MAX_RULES = 200
MAX_THRESHOLDS = 20
NORMAL = "NORMAL"  # the status of a balance that meets no threshold

RULE_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*|[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
THRESHOLD_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
RULE_SET_ID = re.compile(r"[a-z][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class Threshold:
    code: str
    name_zh: str
    name_en: str
    comparison: Comparison | None
    value: int
    severity: int = 0

    def met_by(self, balance: int) -> bool:
        if self.comparison is Comparison.BELOW:
            return balance < self.value
        if self.comparison is Comparison.AT_OR_BELOW:
            return balance <= self.value
        return balance >= self.value


@dataclass(frozen=True)
class Rule:
    code: str
    name_zh: str
    name_en: str
    kind: Kind | None
    points: int
    unit: Unit | None
    yearly_cap: int = 0
    needs_approval: bool = False
    recorder_roles: tuple[RecorderRole, ...] = DEFAULT_RECORDERS
    exchange_points: int = 0
    lift_above_base: bool = False
    description: str = ""


@dataclass(frozen=True)
class RuleSetContent:
    """What a revision states: the part a publish freezes. `None` for a value the request left unset."""

    mode: Mode | None
    base: int | None = None
    floor: int = 0
    max_quantity: int = 0
    thresholds: tuple[Threshold, ...] = ()
    rules: tuple[Rule, ...] = ()

    def with_defaults(self) -> RuleSetContent:
        """Unset base and max_quantity take the mode's defaults; no recorder roles means the default ones."""
        base = self.base if self.base is not None else DEFAULT_BASE.get(self.mode, 0)
        rules = tuple(rule if rule.recorder_roles else replace(rule, recorder_roles=DEFAULT_RECORDERS)
                      for rule in self.rules)
        return replace(self, base=base, max_quantity=self.max_quantity or DEFAULT_MAX_QUANTITY, rules=rules)


@dataclass(frozen=True)
class RuleSetRevision:
    """One revision of a rule set as stored."""

    tenant: str
    rule_set_id: str
    revision: int
    state: State
    content: RuleSetContent
    effective_from: dt.date | None = None
    published_at: dt.datetime | None = None
    published_by: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def published(self) -> bool:
        return self.state is State.PUBLISHED

    def rule(self, code: str) -> Rule | None:
        wanted = identifiers.normalize(code)
        return next((rule for rule in self.content.rules if rule.code == wanted), None)

    def status_of(self, balance: int) -> str:
        """The most severe threshold the balance meets, else NORMAL."""
        met = [t for t in self.content.thresholds if t.met_by(balance)]
        return max(met, key=lambda t: t.severity).code if met else NORMAL


@dataclass(frozen=True)
class RuleSet:
    """A rule set's own row: its name, and which revision is the latest."""

    tenant: str
    id: str
    display_name: str
    description: str
    template: str
    latest_revision: int
    version: int = 1
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a revision: where (`rules[3].points`) and why, zh-CN and English."""

    path: str
    zh: str
    en: str


def in_force(revisions: list[RuleSetRevision], on: dt.date) -> RuleSetRevision | None:
    """The published revision in force on `on`: latest effective_from <= on; ties, the later publish."""
    candidates = [r for r in revisions if r.published and r.effective_from is not None and r.effective_from <= on]
    return max(candidates, key=lambda r: (r.effective_from, r.published_at), default=None)


def check_rule_set_id(v: Validator, value: str, field_path: str) -> str:
    rule_set_id = identifiers.check(v, value, field_path)
    v.require(not rule_set_id or bool(RULE_SET_ID.fullmatch(rule_set_id)), field_path,
              "应为小写字母开头的小写字母、数字或连字符，最多40个字符",
              "must be 1-40 lower-case letters, digits or hyphens, starting with a letter")
    return rule_set_id
