"""Fusion of ranked lists (reciprocal rank, or standardised scores) and duplicate removal: pure functions."""

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


def zscore_fusion(scored: Sequence[Sequence[tuple[Hashable, float]]],
                  weights: Sequence[float] | None = None) -> list[tuple[Hashable, float]]:
    """Fuse scored lists by the weighted sum of each list's standardised scores (z = (s - mean) / sd).

    Unlike rank fusion this keeps how far ahead a retriever's best candidate is: when BM25 is sure (one paragraph
    shares the question's rare words) a dense ranker's near-ties cannot outvote it, and the reverse. An item a list
    did not return gets that list's lowest z. Ties keep first-seen order.
    """
    weights = list(weights) if weights is not None else [1.0] * len(scored)
    if len(weights) != len(scored):
        raise ValueError("one weight per list")
    zs: list[dict[Hashable, float]] = []
    floors: list[float] = []
    first_seen: dict[Hashable, int] = {}
    for items in scored:
        values = [s for _, s in items]
        if not values:
            zs.append({})
            floors.append(0.0)
            continue
        mean = sum(values) / len(values)
        sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5 or 1.0
        z = {item: (s - mean) / sd for item, s in items}
        zs.append(z)
        floors.append(min(z.values()))
        for item, _ in items:
            first_seen.setdefault(item, len(first_seen))
    fused = {item: sum(w * z.get(item, floor) for z, floor, w in zip(zs, floors, weights)) for item in first_seen}
    return sorted(fused.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))


def reserve_slot(ranked: Sequence[tuple[Hashable, float]], extra: Sequence[tuple[Hashable, float]],
                 position: int) -> list[tuple[Hashable, float]]:
    """Make sure the best of `extra` is within the first `position` items: if none of `extra`'s first item is there,
    it is placed at `position` (1-based) and the rest shift down."""
    ranked = list(ranked)
    if not extra or position < 1:
        return ranked
    item = extra[0]
    head = [r for r, _ in ranked[:position]]
    if item[0] in head:
        return ranked
    rest = [r for r in ranked if r[0] != item[0]]
    score = rest[position - 2][1] if 0 <= position - 2 < len(rest) else item[1]
    return rest[:position - 1] + [(item[0], score)] + rest[position - 1:]


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



def distinct_first(items: Sequence[tuple[Hashable, float]], doc_of, n: int) -> list[tuple[Hashable, float]]:
    """The first n items from n different documents, in their order; a document's further passages wait just below.
    A search list then shows the documents that match, not one document's neighbouring chunks."""
    if n < 1:
        return list(items)
    head, held, seen = [], [], set()
    for i, item in enumerate(items):
        if len(head) >= n:
            return head + held + list(items[i:])
        doc = doc_of(item[0])
        (held if doc in seen else head).append(item)
        seen.add(doc)
    return head + held
