"""Competition ranking (1, 1, 3): equal keys share a rank, the next rank skips the tied places.

A county's ranking table says "并列第一" for two villages with the same grade and total, and the
next village is third, not second: that is what these functions answer. Keys sort ascending
(smaller is better), so a caller passes (grade index, -total).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import TypeVar

Key = TypeVar("Key")


def competition_ranks(keys: Sequence[Key]) -> list[int]:
    """The rank of each key, in the input's order: 1 + how many keys are strictly better."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ranks = [0] * len(keys)
    previous_key, previous_rank = None, 0
    for place, index in enumerate(order, start=1):
        key = keys[index]
        if place == 1 or key != previous_key:
            previous_key, previous_rank = key, place
        ranks[index] = previous_rank
    return ranks


def ranks_in_groups(keys: Sequence[Key], groups: Sequence[Hashable]) -> list[int]:
    """Competition ranks inside each group (the villages of one township), in the input's order."""
    members: dict[Hashable, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        members[group].append(index)
    ranks = [0] * len(keys)
    for indexes in members.values():
        for index, rank in zip(indexes, competition_ranks([keys[i] for i in indexes]), strict=True):
            ranks[index] = rank
    return ranks
