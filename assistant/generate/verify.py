"""Sentence-by-sentence verification of a generated answer against the passages it cites.

A sentence stands only if it cites passages it was given ([n]); is in the answer's language; repeats no instruction
found in a document; states something (no question, no bare figure); every number, date, percentage and article in
it is in the cited passages (assistant/generate/facts.py), and every name (a known place or programme, a proper
noun), in either language; and one statement of those passages (a sentence, or two side by side) holds it whole:
close in meaning (multilingual USE, the project's sentence embedder), with all its facts, half its content words and
every noun (a word counts in its other-language renderings too), every limiting condition it puts (the classes of
`limiting` in assistant/data/generation.yaml), and the same negation. A figure or a noun found elsewhere in the
passage than in the statement the sentence rests on is not support: that is how a cost becomes an area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from assistant.text import is_korean, morphemes, split_sentences, tokenize

from . import facts as F
from .binding import Anchor, anchors, misbound, unbounded

# Shares and similarities a sentence needs. Content words: half, since a fluent sentence adds particles of its own
# and a paraphrase may name a thing another way (meaning then carries it). Meaning: the cosine above which a
# sentence and a passage sentence say the same thing; set on training questions (scripts/calibrate_verifier.py
# prints the figures: a sentence against its own passage and against an unrelated one).
MIN_COVERAGE = 0.5
MIN_MEANING = 0.5
_MARKER = re.compile(r"\[(\d+(?:\s*[,\-]\s*\d+)*)\]")
_LEADING = re.compile(r"^(?:\s*\[\d+(?:\s*[,\-]\s*\d+)*\])+")
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][A-Za-z]+(?:[- ][A-Z][A-Za-z]+)*")


@dataclass(frozen=True)
class Source:
    """A numbered passage the model was given: the cited passage with its neighbours, as it read them."""

    n: int
    doc_id: str
    title: str
    text: str


@dataclass(frozen=True)
class SentenceCheck:
    """One generated sentence and the verifier's finding: `reason` is "" when verified, else why it was removed
    (no_citation, unknown_passage, wrong_language, instruction, not_a_statement, fact_not_in_passage,
    name_not_in_passage, meaning_far, fact_elsewhere, fact_misbound, words_not_covered, noun_not_in_statement,
    condition_dropped, negation_differs), with `detail` saying what was missing."""

    text: str
    cites: tuple[int, ...]
    reason: str = ""
    detail: str = ""

    @property
    def verified(self) -> bool:
        return not self.reason

    def to_json(self) -> dict:
        return {"text": self.text, "cites": list(self.cites), "verified": self.verified, "reason": self.reason,
                "detail": self.detail}


@lru_cache(maxsize=1)
def cues() -> dict[str, re.Pattern]:
    import yaml
    from importlib import resources

    from assistant.cues import data_pattern

    raw = yaml.safe_load(resources.files("assistant.data").joinpath("generation.yaml").read_text(encoding="utf-8"))
    return {name: data_pattern(entry["pattern"]) for name, entry in flat(raw).items()}


def flat(raw: dict) -> dict[str, dict]:
    """The data file's cues by name; a group of cues (limiting: only, except, bound) as "limiting.only" …"""
    out = {}
    for name, entry in raw.items():
        if "pattern" in entry:
            out[name] = entry
        else:
            out.update({f"{name}.{part}": sub for part, sub in entry.items()})
    return out


def limits(text: str) -> frozenset[str]:
    """The classes of limiting condition a text states (see `limiting` in the data file)."""
    return frozenset(name for name, pattern in cues().items() if name.startswith("limiting.") and pattern.search(text))


def is_instruction(text: str) -> bool:
    return bool(cues()["instruction"].search(text))


def _numbers(group: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in re.split(r"\s*,\s*", group):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b) + 1) if b and int(b) - int(a) < 20 else [int(a)])
    return tuple(out)


def split_cited(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """A generated answer's sentences with the passages each cites. A marker standing alone after a sentence
    ("…이다. [2]"), or opening the next one, belongs to the sentence before it when that one has none, unless the
    answer opens with a marker: then each marker belongs to the sentence it opens ("[1] …. [2] ….")."""
    if _LEADING.match(text.strip()):
        return _split_leading(text)
    out: list[tuple[str, tuple[int, ...]]] = []
    for s, e in split_sentences(text):
        sentence = text[s:e].strip()
        lead = _LEADING.match(sentence)
        if lead and out and not out[-1][1]:
            prev = out[-1][0]
            out[-1] = (f"{prev} {lead.group(0).strip()}", _cites(lead.group(0)))
            sentence = sentence[lead.end():].strip()
            if not sentence:
                continue
        if not _MARKER.sub("", sentence).strip(" .") and out:
            prev, prev_cites = out[-1]
            out[-1] = (f"{prev} {sentence}", tuple(dict.fromkeys(prev_cites + _cites(sentence))))
            continue
        out.append((sentence, _cites(sentence)))
    return out


def _split_leading(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """An answer whose markers open its sentences: each run of markers cites the sentence that follows it."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for part in re.split(r"(?=(?<!\])\[\d+(?:\s*[,\-]\s*\d+)*\])", text):
        lead = _LEADING.match(part)
        cites = _cites(lead.group(0)) if lead else ()
        body = part[lead.end():] if lead else part
        for i, (s, e) in enumerate(split_sentences(body)):
            out.append(((lead.group(0).strip() + " " if lead and i == 0 else "") + body[s:e].strip(),
                        cites if i == 0 else ()))
    return out


def _cites(text: str) -> tuple[int, ...]:
    return tuple(dict.fromkeys(n for m in _MARKER.finditer(text) for n in _numbers(m.group(1))))


def bare(text: str) -> str:
    """A sentence without its citation markers."""
    return " ".join(_MARKER.sub(" ", text).split())


def _names(sentence: str) -> list[str]:
    """Proper nouns a reader would check: Kiwi's NNP in Korean, capitalised words in English."""
    korean = [m.form for m in morphemes(sentence) if m.tag == "NNP" and len(m.form) > 1]
    return korean + [m.group(0) for m in _CAPITALISED.finditer(sentence)]


def _fragment(text: str) -> bool:
    """A phrase that takes its claim from the question, which no passage sentence is checked against: in Korean,
    one that does not end as a statement does ("KTX 동대구역 접근성", "정부 계획에 근거한 절차") unless it is a report's
    item stating a figure and what it is of ("2031년 완료 목표"); in English (not read for verbs), one of under four
    words. A table or glossary row ("기간: 2021년 7월 5일부터", "상무지구 · Sangmu district · …") names what each
    part states."""
    text = re.sub(r"\s*\([^()]*\)\s*[.。]?\s*$", "", text.strip())  # a closing reference: "(제46조제3항)."
    if re.search(r"\S: \S| · ", text):
        return False
    if not is_korean(text):
        return len(re.findall(r"[A-Za-z]+", text)) < 4
    tags = [m.tag for m in morphemes(text) if not m.tag.startswith(("S", "J"))]
    if tags and tags[-1].startswith(("E", "V")):
        return False
    return F.facts(text).empty or len(_words(tokenize(text))) < 2  # "94만㎡" alone says of what nothing


def _english_names(sentence: str) -> tuple[str, ...]:
    """An English sentence's names: its capitalised words, and its first word when that names a known place or
    programme ("Daegu submitted …")."""
    from assistant.query import find_entities

    first = re.match(r"\s*([A-Z][A-Za-z]+(?:[- ][A-Z][A-Za-z]+)*)", sentence)
    lead = [first.group(1)] if first and find_entities(first.group(1)) else []
    return tuple(dict.fromkeys(lead + [m.group(0) for m in _CAPITALISED.finditer(sentence)]))


def _found(name: str, source_text: str, source_entities: set[str]) -> bool:
    from assistant.query import find_entities

    squashed = "".join(source_text.split()).lower()
    if "".join(name.split()).lower() in squashed:
        return True
    named = find_entities(name)
    return bool(named) and all(e.id in source_entities for e in named)


def _words(tokens: Sequence[str]) -> list[str]:
    """A text's content words: its tokens without the figures (which facts.py checks)."""
    return [t for t in dict.fromkeys(tokens) if not t.replace(".", "").isdigit()]


def _coverage(sentence_tokens: list[str], source_tokens: set[str]) -> float:
    from assistant.query import word_translations

    words = _words(sentence_tokens)
    if not words:
        return 1.0
    renderings = dict(word_translations(words))
    covered = sum(1 for t in words if t in source_tokens
                  or any(set(tokenize(r)) & source_tokens for r in renderings.get(t, ())))
    return covered / len(words)


def windows(text: str) -> list[str]:
    """What one statement of a passage can be: each sentence (a table row with its column names, as answers show
    it), and each two sentences side by side."""
    from assistant.answer.sentences import shown_sentences

    # A question in a passage (an FAQ's heading, "**Which …?** Daegu.") states nothing: a sentence resting on it
    # would claim its premise. Only its answer is kept.
    sentences = [piece for t in shown_sentences(text, split_sentences(text))
                 for piece in re.split(r"(?<=\?)[*_]*\s+", t) if piece.strip() and not cues()["question"].search(piece)]
    return sentences + [f"{a} {b}" for a, b in zip(sentences, sentences[1:])]


def meaning(a: str, b: str, embed: Callable) -> float:
    """How close two texts are in meaning (cosine of their sentence vectors)."""
    return float(_similarities(a, [b], embed)[0])


def _similarities(sentence: str, parts: Sequence[str], embed: Callable) -> np.ndarray:
    vectors = np.asarray(embed([sentence, *parts]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return vectors[1:] @ vectors[0]


@dataclass(frozen=True)
class Claim:
    """What one generated sentence states, read once: its facts, its tokens, its nouns (Korean: Kiwi's), the classes
    of limiting condition it keeps, whether it says its figures are rounded and whether it denies."""

    text: str
    facts: F.Facts
    tokens: tuple[str, ...]
    nouns: tuple[str, ...]
    limits: frozenset[str]
    approximate: bool
    denies: bool
    anchors: tuple[Anchor, ...]  # Korean: each figure with its nearest nouns (assistant/generate/binding.py)

    @classmethod
    def of(cls, text: str) -> "Claim":
        korean = is_korean(text)
        nouns = tuple(dict.fromkeys(m.form for m in morphemes(text) if m.tag in ("NNG", "NNP") and len(m.form) > 1)
                      ) if korean else _english_names(text)
        return cls(text, F.facts(text), tuple(tokenize(text)), nouns, limits(text),
                   bool(cues()["approximate"].search(text)), bool(cues()["negation"].search(text)),
                   anchors(text) if korean else ())


def _support(claim: Claim, cited: str, embed: Callable) -> tuple[str, str]:
    """("", "") when one statement of the cited passages (a sentence, or two side by side) holds the sentence: its
    facts, half its words, every noun, its limiting conditions, its meaning and its negation; else the reason and
    detail of the closest one in meaning."""
    parts = windows(cited)
    if not parts:
        return "meaning_far", "0.00"
    similar = _similarities(claim.text, parts, embed)
    closest: tuple[str, str] | None = None
    for i in np.argsort(-similar)[:8]:  # the statements closest in meaning first
        failed = _fails(parts[i], float(similar[i]), claim)
        if not failed[0]:
            return "", ""
        closest = closest or failed
    return closest or ("meaning_far", "0.00")


def _absent_nouns(nouns: Sequence[str], part: str, tokens: set[str]) -> list[str]:
    """The nouns a statement does not hold: as written, in one of their other-language renderings, or as the same
    known place or programme under another name ("Busan" in "부산시는 …"; `_found`, as for names). The statement's
    places and programmes are read only when a noun is not there as written."""
    from assistant.query import find_entities, word_translations

    squashed = "".join(part.split()).lower()
    absent = [n for n in nouns if "".join(n.split()).lower() not in squashed
              and not any(set(tokenize(r)) & tokens for _, rs in word_translations(tokenize(n)) for r in rs)]
    if not absent:
        return []
    entities = {e.id for e in find_entities(part)}
    return [n for n in absent if not _found(n, part, entities)]


def _fails(part: str, meaning: float, claim: Claim) -> tuple[str, str]:
    """Why one statement of a passage does not hold the sentence ("" when it does). Every noun must be there, not
    only half the words: a fluent sentence that swaps what a figure measures ("총사업비" for "면적") keeps most of
    its words. A condition the statement puts on what it says (who, except whom, how much at most) must be kept."""
    if meaning < MIN_MEANING:
        return "meaning_far", f"{meaning:.2f}"
    lost = F.missing(claim.facts, F.facts(part), claim.approximate)
    if lost:
        return "fact_elsewhere", "; ".join(lost)
    wrong = misbound(claim.anchors, part)
    if wrong:
        return "fact_misbound", "; ".join(wrong)
    tokens = set(tokenize(part))
    share = _coverage(list(claim.tokens), tokens)
    if share < MIN_COVERAGE:
        return "words_not_covered", f"{share:.2f}"
    absent = _absent_nouns(claim.nouns, part, tokens)
    if absent:
        return "noun_not_in_statement", ", ".join(absent)
    dropped = limits(part) - claim.limits
    if dropped:
        return "condition_dropped", ", ".join(sorted(d.split(".", 1)[1] for d in dropped))
    loose = unbounded(claim.text, part)
    if loose:
        return "condition_dropped", "bound on " + ", ".join(loose)
    if claim.denies != bool(cues()["negation"].search(part)):
        return "negation_differs", part.strip()[:120]
    return "", ""


def check_sentence(sentence: str, cites: tuple[int, ...], sources: dict[int, Source], lang: str,
                   embed: Callable) -> SentenceCheck:
    """The verifier's finding on one sentence (see the module's docstring for the order of the checks)."""
    from assistant.query import find_entities

    found = lambda reason, detail="": SentenceCheck(sentence, cites, reason, detail)  # noqa: E731
    text = bare(sentence)
    if not cites:
        return found("no_citation")
    if any(n not in sources for n in cites):
        return found("unknown_passage", ", ".join(str(n) for n in cites if n not in sources))
    letters = re.sub(r"[^A-Za-z\uac00-\ud7a3]", "", text)
    if letters and is_korean(text) != (lang == "ko"):
        return found("wrong_language")
    if is_instruction(text):
        return found("instruction")
    claim = Claim.of(text)
    if cues()["question"].search(text) or not _words(claim.tokens) or _fragment(text):
        return found("not_a_statement")
    cited = "\n".join(sources[n].text for n in cites)
    lost = F.missing(claim.facts, F.facts(cited), claim.approximate)
    if lost:
        return found("fact_not_in_passage", "; ".join(lost))
    entities = {e.id for e in find_entities(cited)}
    names = [n for n in _names(text) if not _found(n, cited, entities)]
    if names:
        return found("name_not_in_passage", ", ".join(dict.fromkeys(names)))
    return found(*_support(claim, cited, embed))
