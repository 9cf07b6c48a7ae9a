"""The results' domain events; each mirrors `<Name>Event` in assessment_events.proto (results
section) field for field. Names are resource names; the stored results hold the explanation."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ResultsPublished:
    round: str
    scheme: str
    round_display_name: str
    period: str
    target_count: int


@dataclass(frozen=True)
class TargetCommended:
    round: str
    result: str
    unit: str
    member: str
    display_name: str
    grade: str
    grade_display_name: str
    total: float
    rank: int


@dataclass(frozen=True)
class ReminderLetterDue:
    round: str
    result: str
    unit: str
    member: str
    display_name: str
    grade: str
    total: float
    rank: int
    target_count: int


@dataclass(frozen=True)
class AdmonishingTalkDue:
    round: str
    result: str
    unit: str
    member: str
    display_name: str
    consecutive_last_places: int
    previous_round: str


@dataclass(frozen=True)
class TitleGranted:
    round: str
    result: str
    unit: str
    member: str
    display_name: str
    title: str
    title_display_name: str
    grade: str


@dataclass(frozen=True)
class TitleRevoked:
    round: str
    result: str
    unit: str
    member: str
    display_name: str
    title: str
    title_display_name: str
    grade: str
    previous_round: str


@dataclass(frozen=True)
class TargetResult:
    unit: str
    member: str
    grade: str
    grade_display_name: str
    stars: int
    weak: bool
    total: float
    rank: int


@dataclass(frozen=True)
class ResultsFinalized:
    """One batch (at most RESULTS_BATCH targets) of a finalized round: the organization applies it."""

    round: str
    scheme: str
    round_display_name: str
    period: str
    batch: int
    batches: int
    sets_star_level: bool
    decides_weak_and_lax: bool
    results: list[TargetResult] = field(default_factory=list)


RESULTS_BATCH = 500  # targets per ResultsFinalized event: an event stays well under the broker's frame
