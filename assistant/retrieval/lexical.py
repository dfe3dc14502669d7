"""Okapi BM25 over pre-tokenised passages (Korean content morphemes, stemmed English words).

Small and explicit rather than a library: the answer composer needs the same IDF table, and the corpus
(thousands of passages) scores in about a millisecond with postings in numpy arrays.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np


class BM25:
    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.n = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        self.avgdl = float(lengths.mean()) if self.n else 0.0
        self._norm = k1 * (1 - b + b * lengths / max(self.avgdl, 1e-9))
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for row, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                rows, tfs = postings.setdefault(term, ([], []))
                rows.append(row)
                tfs.append(tf)
        self.postings = {t: (np.array(r, dtype=np.int64), np.array(f, dtype=np.float32)) for t, (r, f) in postings.items()}
        self.idf_table = {t: self._idf(len(r)) for t, (r, _) in self.postings.items()}

    def _idf(self, df: int) -> float:
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def idf(self, term: str) -> float:
        """IDF of a term; an unseen term counts as rarest."""
        return self.idf_table.get(term, self._idf(0))

    def contributions(self, term: str) -> np.ndarray:
        """What the term adds to the score of each passage in its postings (float32, in postings order)."""
        rows, tf = self.postings[term]
        return self.idf_table[term] * tf * (self.k1 + 1) / (tf + self._norm[rows])

    def scores(self, query: list[str]) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float32)
        for term in Counter(query):
            if term in self.postings:
                out[self.postings[term][0]] += self.contributions(term)
        return out

    def search(self, query: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best k rows with a positive score (rows outside `mask` excluded)."""
        s = self.scores(query)
        if mask is not None:
            s = np.where(mask, s, 0.0)
        k = min(k, int((s > 0).sum()))
        if k <= 0:
            return []
        top = np.argpartition(-s, k - 1)[:k]
        top = top[np.argsort(-s[top], kind="stable")]
        return [(int(r), float(s[r])) for r in top]
