"""Commands of the rounds' RPCs, reads included; a listing's filter fields key its page tokens."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.assessment.domain.rounds import ObjectionState, RoundState


@dataclass(frozen=True)
class Value:
    """One indicator's value as the request gave it (the double still unrounded)."""

    indicator: str
    value: float
    note: str = ""


@dataclass
class CreateRound:
    tenant: str
    scheme_id: str
    scheme_revision: int
    display_name: str
    period: str
    scope_unit_id: str  # "" for the whole county
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class GetRound:
    tenant: str
    round_id: str


@dataclass
class ListRounds:
    tenant: str
    scheme_id: str = ""
    state: RoundState | None = None
    page_size: int = 0
    page_token: str = ""


@dataclass
class ListRoundTargets:
    tenant: str
    round_id: str
    subtree_unit_id: str = ""
    incomplete_only: bool = False
    page_size: int = 0
    page_token: str = ""


@dataclass
class SubmitScores:
    tenant: str
    round_id: str
    target_id: str
    source: str
    values: list[Value] = field(default_factory=list)
    note: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class RecordNegativeItem:
    tenant: str
    round_id: str
    target_id: str
    code: str
    evidence: str
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class WithdrawNegativeItem:
    tenant: str
    round_id: str
    target_id: str
    code: str
    reason: str


@dataclass
class AdvanceRound:
    tenant: str
    round_id: str
    etag: str = ""
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class FileObjection:
    tenant: str
    round_id: str
    target_id: str
    reason: str
    request_id: str = ""
    fingerprint: str = ""


@dataclass(frozen=True)
class Adjustment:
    source: str
    values: list[Value]


@dataclass
class ResolveObjection:
    tenant: str
    round_id: str
    objection_id: str
    decision: ObjectionState | None
    note: str
    adjustment: Adjustment | None = None
    etag: str = ""


@dataclass
class ListObjections:
    tenant: str
    round_id: str
    state: ObjectionState | None = None
    page_size: int = 0
    page_token: str = ""


@dataclass
class ListRoundEvents:
    tenant: str
    round_id: str
    target_id: str = ""
    page_size: int = 0
    page_token: str = ""
