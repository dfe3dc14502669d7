"""Stage 3 of the answer pipeline: every sentence of the ranked passages as a candidate answer, with its evidence
signals (coverage, closeness in meaning, kind match, "not stated" remark) and its feature vector."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from assistant.text import is_bilingual, is_korean, tokenize, tokenize_many
from assistant.types import Chunk

from .evidence import Analysis, Evidence
from .features import candidate_features, compound_heads, coverage, group_coverage
from .kinds import definition_match, field_match, names_kind, type_match
from .remarks import not_stated_clauses, split_remark
from .sentences import answers_nothing, heading_key, is_table_row, passage_sentences

# An other-language sentence's coverage (through translations and names) counts this share. Measured with the
# other-language place in retrieval: 0.7 gave accuracy 0.592, cross-lingual 0.22, false declines 0.031 (0.4:
# 0.573 / 0.11 / 0.045), citation precision 0.549 -> 0.521.
OTHER_LANGUAGE_WEIGHT = 0.7
# The previous sentence's words count 0.3 of their weight ("It opened on …" is about what the sentence before it
# names). Measured (test / held-out / train accuracy): none 0.769 / 0.698 / 0.642; 0.3: 0.773 / 0.730 / 0.642 with
# no question lost; 0.4 and 0.5 gained one more on held-out but lost 1-3 elsewhere.
NEAR_WEIGHT = 0.3


@dataclass(frozen=True)
class Candidate:
    passage: int  # position in the ranked passage list
    text: str  # as shown
    terms: frozenset[str]
    lex: float = 0.0
    own_lex: float = 0.0  # coverage of the question's own words, without what a follow-up carries over
    dense: float = 0.0
    tmatch: float = 0.0
    score: float = 0.0
    features: tuple[float, ...] = ()
    not_stated: float = 0.0  # how much of the question its "the sources do not give this" clause covers
    bilingual: bool = False  # a glossary row or a sentence in both languages: in neither language only
    near: frozenset[str] = frozenset()  # the words of the sentence before it in its passage
    item: tuple[int, int] = (0, 0)  # (list, number) in a numbered list of its passage
    parts: tuple[tuple[str, float], ...] = field(default=(), compare=False)  # the score's contributions


@dataclass(frozen=True)
class _Draft:
    passage: int
    text: str
    terms: frozenset[str]
    near: frozenset[str]
    item: tuple[int, int]


def _drafts(passages: Sequence[Chunk]) -> list[_Draft]:
    """The sentences that may answer, each with its words and its predecessor's ("It opened on 17 October 2008" is
    about the phase the sentence before it names). Table rows stand alone: their column names are in them."""
    out = []
    for i, p in enumerate(passages):
        sentences = passage_sentences(i, p)
        heading = heading_key(p)
        prev: list[str] = []
        for s, toks in zip(sentences, tokenize_many([s.text for s in sentences])):
            row = is_table_row(s.text)
            if not answers_nothing(s.text, heading):
                out.append(_Draft(i, s.text, frozenset(toks), frozenset() if row else frozenset(prev), s.item))
            prev = [] if row else toks
    return out


def _not_stated_cover(d: _Draft, section: str, an: Analysis, ctx: set[str]) -> float:
    """How much of the question a "the sources do not give this" clause of the sentence covers (0: none)."""
    best = 0.0
    for clause in not_stated_clauses(d.text, section):
        remark, tail = split_remark(clause)
        words = set(tokenize(remark))
        if tail and (set(tokenize(tail)) - words) & an.own.keys():
            continue  # the sentence goes on to give something asked (a table row's next cell)
        if names_kind(an.kinds, remark):
            # The remark names the kind asked ("the amounts are not published"), and the rest of the sentence
            # says of what.
            words |= d.terms
        cover = coverage(an.weights, words, ctx, aliases=an.aliases)
        if an.alt_groups and is_korean(clause) != (an.lang == "ko"):
            cover = max(cover, OTHER_LANGUAGE_WEIGHT * group_coverage(an.alt_groups, words, ctx))
        best = max(best, cover)
    return best


def _kind_match(d: _Draft, question: str, an: Analysis, said: float) -> tuple[float, float]:
    """(kind match with the definition and form-field bonuses, the form-field bonus alone)."""
    kinds = list(an.kinds)
    field_bonus = field_match(question, d.text, kinds)
    tmatch = type_match(kinds, d.text, question) + definition_match(question, d.text, list(an.subjects)) + field_bonus
    if said > 0 and tmatch < 0:
        # A remark that what was asked is missing holds no figure, yet answers as far as the sources go: it is
        # not the wrong kind of thing.
        tmatch = 0.0
    return tmatch, field_bonus


def candidates(ev: Evidence, an: Analysis) -> list[Candidate]:
    """Every candidate sentence with its evidence signals and features, in passage order."""
    drafts = _drafts(ev.passages)
    if not drafts:
        return []
    sims = np.zeros(len(drafts), dtype=np.float32)
    if ev.embed is not None:
        vecs = ev.embed([ev.query] + [d.text for d in drafts])
        sims = vecs[1:] @ vecs[0]
    contexts = tokenize_many([f"{p.title}\n{p.section}" for p in ev.passages])
    # Other-language coverage reads a compound's head too; a passage's title and heading are read once.
    context_heads = [compound_heads(c) for c in contexts] if an.alt_groups else []
    top_score = max(ev.passage_scores) if len(ev.passage_scores) else 0.0
    passage_cover: dict[int, float] = {}  # only passages holding a form field need their whole text tokenised
    out = []
    for d, sim in zip(drafts, sims):
        p, ctx = ev.passages[d.passage], set(contexts[d.passage])
        lex = coverage(an.weights, d.terms, ctx, d.near, NEAR_WEIGHT, an.aliases)
        own_lex = coverage(an.own, d.terms, ctx, d.near, NEAR_WEIGHT, an.aliases) if ev.carried_terms else lex
        other = is_korean(d.text) != (an.lang == "ko")
        if an.alt_groups and other:
            lex = max(lex, OTHER_LANGUAGE_WEIGHT * group_coverage(
                an.alt_groups, compound_heads(d.terms), context_heads[d.passage], compound_heads(d.near), NEAR_WEIGHT))
        said = _not_stated_cover(d, p.section, an, ctx)
        tmatch, field_bonus = _kind_match(d, ev.question, an, said)
        if field_bonus > 0:
            # A printed form's field ("일 시 2024년5월7일") is read with its form: the page names the rest.
            if d.passage not in passage_cover:
                passage_cover[d.passage] = coverage(an.weights, set(tokenize(p.text)), ctx)
            lex = max(lex, passage_cover[d.passage])
        out.append(Candidate(
            passage=d.passage, text=d.text, terms=d.terms, lex=lex, own_lex=own_lex, dense=float(sim), tmatch=tmatch,
            features=candidate_features(lex, float(sim), d.passage, len(ev.passages), tmatch,
                                        float(ev.passage_scores[d.passage]), float(top_score), other, d.text),
            not_stated=said, bilingual=p.doc_type == "glossary" or is_bilingual(d.text), near=d.near, item=d.item))
    return out
