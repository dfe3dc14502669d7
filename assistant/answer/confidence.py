"""Stage 7 of the answer pipeline: how likely the composed answer is right, from features of the whole answer, and
the one calibrated threshold below which it declines instead.

The sentence scores say which sentence answers best; they cannot say that the best is not good enough when a
question shares most of its words with a passage that does not answer it (the same figure asked for another place,
year or programme). What tells is what the question names that the answering passages never mention: a salient
word missing from them all. The model (logistic regression, weights in assistant/data/confidence_model.json,
written by scripts/train_confidence_model.py from training questions only) weighs that against the lead sentence's own
evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from assistant.cues import cue
from assistant.query import find_entities, name_tokens
from assistant.text import tokenize

from .candidates import Candidate
from .evidence import Analysis, Evidence
from .features import dense01
from .scorer import log_odds_parts, logistic, read_model_json

FEATURES = ("score", "coverage", "own_coverage", "meaning", "kind_match", "kind_asked", "missing_share",
            "missing_top", "missing_any", "lead_rank", "support", "names_missing", "names_missing_any",
            "lead_missing_top", "lead_names_missing", "negation_unmatched", "extreme_unmatched")
VERSION = 3
_CAPITALISED = re.compile(r"(?<=[a-z,;:]\s)[A-Z][\w'-]+|(?<=\s)[A-Z]{2,}\b")


def _named_everywhere(question: str, tokens: set[str]) -> set[str]:
    """The tokens of every name of each place or programme the question names that the tokens hold under any of
    its names, in either language ("대구" asked, "Daegu" written)."""
    out: set[str] = set()
    for e in find_entities(question):
        names = [frozenset(name_tokens(n)) for n in e.names]
        if any(n and n <= tokens for n in names):
            out |= set().union(*names)
    return out


def missing_terms(ev: Evidence, an: Analysis, passages: Sequence[int]) -> dict[str, float]:
    """The question's own words (with their IDF) that none of these passages holds, in title, heading or text, in
    either language (an alias, a translation, another name of the same place count): what the question names that
    the answer's sources never mention."""
    tokens: set[str] = set()
    for i in passages:
        p = ev.passages[i]
        tokens |= set(tokenize(f"{p.title}\n{p.section}\n{p.text}"))
    return absent_terms(ev, an, tokens)


def lead_window(ev: Evidence, lead: Candidate) -> set[str]:
    """The words the lead sentence is read with: its own, the sentence before it, its passage's title and heading."""
    p = ev.passages[lead.passage]
    return set(lead.terms) | set(lead.near) | set(tokenize(f"{p.title}\n{p.section}"))


def absent_terms(ev: Evidence, an: Analysis, tokens: set[str]) -> dict[str, float]:
    """The question's own words (with their IDF) that these tokens do not hold under any of their names."""
    named = _named_everywhere(ev.question, tokens)
    translated = {q for q, renderings in ev.translations if any(r and frozenset(r) <= tokens for r in renderings)}
    out = {}
    for term, w in an.own.items():
        if term in tokens or term in named or term in translated:
            continue
        if any(a <= tokens for a in an.aliases.get(term, ())):
            continue
        out[term] = w
    return out


def named_terms(question: str) -> set[str]:
    """The question's tokens that name something: a figure (a year, an amount), a known place or programme, or an
    English word capitalised within the sentence. A question that names what its sources never mention is about
    something else than they are (another city, year or body), whatever else it shares with them."""
    out = {t for t in tokenize(question) if any(ch.isdigit() for ch in t)}
    for e in find_entities(question):
        for n in e.names:
            out |= set(name_tokens(n)) if n.lower() in question.lower() else set()
    for word in _CAPITALISED.findall(question):
        out |= set(tokenize(word))
    return out


def unmatched_cue(name: str, question: str, sentence: str) -> float:
    """1 when the question has a word of this cue (a negation, an end of an order) that the sentence lacks: "Which
    city was not chosen?" read against a sentence naming the city chosen."""
    asked = {m.group(0).strip().lower() for m in cue(name).finditer(question)}
    given = {m.group(0).strip().lower() for m in cue(name).finditer(sentence)}
    return 1.0 if asked - given else 0.0


@dataclass(frozen=True)
class AnswerFeatures:
    values: tuple[float, ...]  # in FEATURES order
    missing: tuple[str, ...]  # the question's words the answer's passages never mention

    def named(self) -> tuple[tuple[str, float], ...]:
        return tuple(zip(FEATURES, self.values))


def answer_features(ev: Evidence, an: Analysis, chosen: Sequence[Candidate], lead_support: bool) -> AnswerFeatures:
    lead = chosen[0]
    missing = missing_terms(ev, an, sorted({c.passage for c in chosen}))
    total = sum(an.own.values()) or 1.0
    top = max(an.own.values(), default=0.0) or 1.0
    gone = sum(missing.values())
    names = named_terms(ev.question) & set(an.own)
    names_gone = [t for t in names if t in missing]
    # The same asked of the lead sentence alone: a question written against a passage shares its words, but the
    # sentence it seems to ask about may lack the one word that was swapped (another year, the opposite word).
    window = lead_window(ev, lead)
    off_lead = absent_terms(ev, an, window)
    said = " ".join(c.text for c in chosen)
    values = (
        lead.score, lead.lex, lead.own_lex, dense01(lead.dense), max(min(lead.tmatch, 2.0), -1.0),
        1.0 if an.own_kinds else 0.0, gone / total, max(missing.values(), default=0.0) / top,
        1.0 if missing else 0.0, min(lead.passage, 10) / 10, 1.0 if lead_support else 0.0,
        len(names_gone) / len(names) if names else 0.0, 1.0 if names_gone else 0.0,
        max(off_lead.values(), default=0.0) / top, sum(t in off_lead for t in names) / len(names) if names else 0.0,
        unmatched_cue("negation", ev.question, said), unmatched_cue("extreme", ev.question, said),
    )
    return AnswerFeatures(values, tuple(sorted(missing)))


@dataclass(frozen=True)
class ConfidenceModel:
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, values: Sequence[float]) -> float:
        """The probability that an answer with these feature values (FEATURES order) is right."""
        return logistic(self.bias, self.weights, values)

    def parts(self, values: Sequence[float]) -> tuple[tuple[str, float], ...]:
        return log_odds_parts(FEATURES, self.bias, self.weights, values)

    def to_json(self, **meta) -> dict:
        return {"version": VERSION, "features": list(FEATURES), "weights": [round(w, 6) for w in self.weights],
                "bias": round(self.bias, 6), "threshold": round(self.threshold, 6), **meta}

    @classmethod
    def load(cls, path: str | Path | None = None) -> "ConfidenceModel | None":
        """The shipped model, or the one at path; None when absent or written for other features."""
        raw = read_model_json(path, "confidence_model.json")
        if raw is None or raw.get("version") != VERSION or tuple(raw.get("features", ())) != FEATURES:
            return None
        return cls(tuple(float(w) for w in raw["weights"]), float(raw["bias"]), float(raw["threshold"]))
