"""What-if: who moves if the county publishes a change (PreviewResults).

Both sides come from scoring.score on the same round's data (the current scheme revision, and a
draft revision or weight overrides), so the preview is exactly what finalizing would answer.
The movers (grade or rank in scope changed) come first, the biggest rank change first, so a
county admin reads the consequences of a change before publishing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.assessment.domain.scoring import Scoring, Target


@dataclass(frozen=True)
class Side:
    grade: str
    total: Decimal
    rank_in_township: int
    rank_in_scope: int


@dataclass(frozen=True)
class Comparison:
    target: Target
    current: Side
    draft: Side
    moved: bool  # grade or rank in scope changed

    @property
    def rank_change(self) -> int:
        """Places gained (positive) or lost (negative) under the draft."""
        return self.current.rank_in_scope - self.draft.rank_in_scope


def _side(scoring: Scoring, target_id: str) -> Side:
    r = scoring.of(target_id)
    return Side(r.grade, r.total, r.rank_in_township, r.rank_in_scope)


def compare(current: Scoring, draft: Scoring) -> tuple[Comparison, ...]:
    """Each target under both scorings: movers first (largest rank change), then by draft rank."""
    ids = [r.target.target_id for r in current.results]
    if sorted(ids) != sorted(r.target.target_id for r in draft.results):
        raise ValueError("a preview compares two scorings of the same targets")
    rows = []
    for result in current.results:
        before, after = _side(current, result.target.target_id), _side(draft, result.target.target_id)
        moved = before.grade != after.grade or before.rank_in_scope != after.rank_in_scope
        rows.append(Comparison(result.target, before, after, moved))
    rows.sort(key=lambda c: (not c.moved, -abs(c.rank_change), c.draft.rank_in_scope,
                             c.target.target_id))
    return tuple(rows)


def count_movers(rows: tuple[Comparison, ...]) -> int:
    return sum(1 for row in rows if row.moved)
