"""Reciprocal-rank fusion and duplicate removal: pure functions over ranked lists of row numbers."""

from __future__ import annotations

import re
from typing import Hashable, Sequence


def rrf(rankings: Sequence[Sequence[Hashable]], k: int = 60, weights: Sequence[float] | None = None) -> list[tuple[Hashable, float]]:
    """Fuse ranked lists (best first) by weighted reciprocal rank: score(d) = sum_i w_i / (k + rank_i(d)), rank from 1.

    Ties keep the order in which items were first seen, so the result is deterministic.
    """
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[Hashable, float] = {}
    first_seen: dict[Hashable, int] = {}
    for ranking, w in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
            first_seen.setdefault(item, len(first_seen))
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))


_SPACE = re.compile(r"\s+")


def text_key(text: str) -> str:
    """Identity of a passage's text for duplicate removal: case and spacing do not count."""
    return _SPACE.sub("", text).lower()


def dedupe(items: Sequence[tuple[Hashable, float]], text_of) -> list[tuple[Hashable, float]]:
    """Keep the first (best) of items whose texts are the same."""
    seen: set[str] = set()
    out = []
    for item, score in items:
        key = text_key(text_of(item))
        if key in seen:
            continue
        seen.add(key)
        out.append((item, score))
    return out
