"""One dataclass per results request (reads included); a listing's filter fields are its page-token key."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class GetResult:
    tenant: str
    round_id: str
    target_id: str


@dataclass(frozen=True)
class ListResults:
    tenant: str
    round_id: str
    township_id: str = ""  # only targets frozen in this township
    under_unit_id: str = ""  # only targets inside this unit's subtree
    grade: str = ""
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class ExportResults:
    tenant: str
    round_id: str
    township_id: str = ""
    under_unit_id: str = ""


@dataclass(frozen=True)
class PreviewResults:
    tenant: str
    round_id: str
    revision: int = 0  # 0: the round's own revision
    dimension_weights: dict[str, float] = field(default_factory=dict)  # percent, as the request gave it
    source_weights: dict[str, float] = field(default_factory=dict)
    movers_only: bool = False
