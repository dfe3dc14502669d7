"""The typed hand-offs of the answer pipeline: what retrieval hands the answer stages (`Evidence`), and what
question analysis makes of the question once (`Analysis`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Mapping

import numpy as np

from assistant.cues import cue
from assistant.query import compound_aliases, find_entities, is_bare_topic, term_aliases
from assistant.text import is_korean
from assistant.types import Chunk

from .kinds import question_kinds
from .steps import Step, asked_step

Renderings = tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]  # (token, its other-language renderings as tokens)


@dataclass(frozen=True)
class Evidence:
    """The question, the query it became, the ranked passages and how to weigh words: all an answer is made from."""
    question: str
    query: str
    passages: tuple[Chunk, ...]
    passage_scores: tuple[float, ...]
    idf: Callable[[str], float]
    query_terms: tuple[str, ...]  # the question's own tokens
    embed: Callable[[list[str]], np.ndarray] | None = None  # sentence similarity; None: not measured
    carried_terms: tuple[str, ...] = ()  # tokens a follow-up carries from the conversation (half weight)
    other_language_terms: tuple[str, ...] = ()  # the question's names in the other language
    translations: Renderings = ()
    carried_translations: Renderings = ()
    premise_terms: tuple[str, ...] = ()  # a premise the question states, searched on its own (plan.premise_step)

    def with_passages(self, extra: tuple[Chunk, ...], score: float) -> "Evidence":
        """These passages added after the ranked ones, all at `score` (they come second to what was found first)."""
        return replace(self, passages=self.passages + tuple(extra),
                       passage_scores=self.passage_scores + (score,) * len(extra))

    @property
    def floor(self) -> float:
        return min(self.passage_scores) if self.passage_scores else 0.0


@dataclass(frozen=True)
class Analysis:
    """What the question asks, worked out once: its language, the kinds of thing it asks for, its subjects, the
    weights of its words and the other ways the documents write them."""
    lang: str
    kinds: tuple[str, ...]  # what it asks for; a bare follow-up ("2단계는요?") asks what the question it continues did
    own_kinds: tuple[str, ...]  # from the question's own words only
    subjects: tuple[str, ...]  # names of what the query is about
    own: Mapping[str, float]  # the question's tokens -> IDF
    weights: Mapping[str, float]  # the question's and the carried tokens (half) -> IDF
    aliases: Mapping[str, tuple[frozenset[str], ...]]
    alt_groups: tuple[tuple[float, tuple[frozenset[str], ...]], ...]  # other-language renderings with their weight
    step: Step | None = None  # a place in a numbered list asked for
    cities: frozenset[str] = field(default_factory=frozenset)  # the cities the query names
    part_names: frozenset[str] = field(default_factory=frozenset)  # a part of a document the question names


def translated_weight(idf: Callable[[str], float], term: str, renderings: tuple[tuple[str, ...], ...]) -> float:
    """The weight of a question word found through its translations. A word the documents never use (every English
    word over Korean-only documents) would weigh as the rarest of all, a word for what every passage names as much
    as a word for what one passage names: it weighs what its most common rendering weighs there, a rendering
    weighing what its rarest token does."""
    unseen = idf("")  # no text has the empty token: the weight of a word the documents never use
    own = idf(term)
    if own < unseen:
        return own
    present = [max(idf(t) for t in r) for r in renderings if r and all(idf(t) < unseen for t in r)]
    return min(present, default=own)


def analyse(ev: Evidence) -> Analysis:
    """Question analysis: every cue and weight the later stages read."""
    idf, question = ev.idf, ev.question
    own = {t: idf(t) for t in set(ev.query_terms)}
    weights = {t: 0.5 * idf(t) for t in set(ev.carried_terms)}
    weights.update(own)
    # A translated word weighs what the question's word weighs; a follow-up's carried words half, in either
    # language, or an other-language sentence would be judged on the follow-up's few words alone.
    groups = [(idf(t), (frozenset([t]),)) for t in set(ev.other_language_terms)]
    groups += [(translated_weight(idf, q, renderings), tuple(frozenset(r) for r in renderings))
               for q, renderings in ev.translations]
    groups += [(0.5 * translated_weight(idf, q, renderings), tuple(frozenset(r) for r in renderings))
               for q, renderings in ev.carried_translations if q not in own]
    own_kinds = question_kinds(question)
    kinds = own_kinds or (question_kinds(ev.query) if ev.carried_terms and is_bare_topic(question) else [])
    aliases = term_aliases(question)
    # A compound asked may be written as its parts ("혁신도시" asked, "혁신 도시" in the Act).
    for t, alts in compound_aliases(list(ev.query_terms)).items():
        aliases[t] = tuple(aliases.get(t, ())) + alts
    entities = find_entities(ev.query)
    return Analysis(
        lang="ko" if is_korean(question) else "en", kinds=tuple(kinds), own_kinds=tuple(own_kinds),
        subjects=tuple(n for e in entities for n in e.names), own=own, weights=weights, aliases=aliases,
        alt_groups=tuple(groups), step=asked_step(question),
        cities=frozenset(e.id for e in entities if e.kind == "city"),
        part_names=frozenset(m.group(1) for m in cue("part_cue").finditer(question + " ")),
    )
