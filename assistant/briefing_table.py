"""The table a briefing opens with: the key facts of one zone, district or programme, or a comparison of several,
one row per attribute (assistant/data/briefing.yaml), every cell a value cut from a cited sentence. A figure that
sources state differently is shown once, its values side by side, each with its own citation."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable

from assistant.answer.sentences import clean_sentence
from assistant.briefing_timeline import Dated, Sentence, briefing_data, cue, last_mention, mentions
from assistant.cues import cue as stated_cue
from assistant.query import Entity, entities

NOT_IN_DOCS = {"ko": "문서에 없음", "en": "not in the documents"}
DIFFER = {"ko": "출처에 따라 다름", "en": "sources differ"}
Cite = Callable[[Sentence], int]
Search = Callable[[str], list[Sentence]]


@dataclass(frozen=True)
class Part:
    text: str
    n: int | None = None  # its citation; None for none
    date: str = ""  # its source's date, shown when sources differ


@dataclass(frozen=True)
class Cell:
    parts: tuple[Part, ...] = ()
    differ: bool = False  # the parts are one figure as different sources state it

    def shown(self, lang: str) -> str:
        if not self.parts:
            return NOT_IN_DOCS[lang]
        if self.differ:
            dated = (f"{p.text} ({p.date}) [{p.n}]" if p.date else f"{p.text} [{p.n}]" for p in self.parts)
            return " / ".join(dated) + f" ({DIFFER[lang]})"
        return " / ".join(f"{p.text} [{p.n}]" if p.n else p.text for p in self.parts)


@dataclass(frozen=True)
class FactTable:
    columns: tuple[str, ...]
    rows: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]

    def shown(self, lang: str) -> list[list[str]]:
        """The header row, then one row per attribute, as the writers print them."""
        return [list(self.columns)] + [[label] + [c.shown(lang) for c in cells]
                                       for label, cells in zip(self.rows, self.cells)]

    def figures(self) -> set[str]:
        return {k for row in self.cells for c in row for p in c.parts for k in quantities(p.text)}

    def differing_words(self) -> set[str]:
        """The search words of the rows whose figure sources state differently ("사업비", "cost" …): a sentence
        that discusses such a disagreement repeats what the table shows."""
        labels = {label for label, row in zip(self.rows, self.cells) if any(c.differ for c in row)}
        return {w for kind in briefing_data()["attributes"] for a in attributes(kind) if labels & {a.ko, a.en}
                for w in a.words}


@dataclass(frozen=True)
class Attribute:
    ko: str
    en: str
    query: str
    sentence: re.Pattern
    value: re.Pattern | None
    quantity: bool
    milestones: tuple[str, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(w.lower() for w in self.query.split() if len(w) >= 2)


@lru_cache(maxsize=None)
def attributes(kind: str) -> tuple[Attribute, ...]:
    rows = briefing_data()["attributes"].get(kind, [])
    return tuple(Attribute(r["ko"], r["en"], r["query"], re.compile(r["sentence"], re.I),
                           re.compile(r["value"], re.I) if r.get("value") else None, bool(r.get("quantity")),
                           tuple(r.get("milestones", ()))) for r in rows)


# Tables abbreviate: €180M, $2.3B, S$5bn (an upper-case M or B only: "m" is a metre).
_UNIT = {"조": 1e12, "억": 1e8, "만": 1e4, "천": 1e3, "trillion": 1e12, "billion": 1e9, "million": 1e6, "bn": 1e9,
         "b": 1e9, "m": 1e6}
_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(조|억|만|천|trillion|billion|million|bn\b|(?-i:[MB])\b)?", re.I)
_KIND = re.compile(r"㎡|m²|m2|평|hectare|(?<![a-z])ha\b|acre|에이커|원|won|\$|€", re.I)


# Area units as square metres, so that figures in different units compare.
_AREA = {"ha": 1e4, "hectare": 1e4, "acre": 4046.86, "에이커": 4046.86, "평": 3.305785}


def quantity(value: str) -> str | None:
    """A figure as one comparable key ("4조411억 원" → "4041100000000:원", "200ha" → "2000000:㎡"), None when it
    holds no number."""
    unit = _KIND.search(value)
    total, found = 0.0, False
    for m in _AMOUNT.finditer(value):
        number = float(m.group(1).replace(",", ""))
        total += number * _UNIT.get((m.group(2) or "").lower(), 1)
        found = True
    if not found:
        return None
    kind = unit.group(0).lower().replace("m²", "㎡").replace("m2", "㎡") if unit else ""
    if kind in _AREA:
        total, kind = total * _AREA[kind], "㎡"
    return f"{round(total, 2):g}:{kind}"


_PART, _WHOLE = 0.45, 2.0  # under 45% of the best-placed figure is a part of it; over double it, another thing


def _precision(value: str) -> float:
    """The place of a figure's last written digit: 85만 → 10,000; 852,693 → 1; 1.9조 → 10^11."""
    last = list(_AMOUNT.finditer(value))[-1]
    digits = last.group(1).replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    unit = _KIND.search(value)
    area = _AREA.get(unit.group(0).lower(), 1.0) if unit else 1.0
    return area * _UNIT.get((last.group(2) or "").lower(), 1) / 10 ** decimals


def _same(a: str, b: str) -> bool:
    """Two figures are one when the more precise rounds to the coarser: 852,693㎡ and 85만㎡, not 192만 and 193만."""
    if not _AMOUNT.search(a) or not _AMOUNT.search(b):
        return a == b
    coarse = max(_precision(a), _precision(b))
    return abs(_size(a) - _size(b)) <= coarse / 2


def _is_part(text: str, value: str) -> bool:
    """The figure is a phase's or a part's ("1단계는 185,000㎡", "phase 1: …")."""
    at = text.find(value)
    return at >= 0 and bool(cue("part").search(text[max(0, at - 12):at]))


def fills(attr: Attribute, text: str) -> bool:
    """The sentence fills the row: it matches the row's pattern, or it says the row's figure is not given."""
    return bool(attr.sentence.search(text)) or (_disclaims(text) and any(w in text.lower() for w in attr.words))


def _disclaims(text: str) -> bool:
    return bool(stated_cue("not_stated").search(text) or cue("unreliable").search(text))


def _size(value: str) -> float:
    key = quantity(value)
    return float(key.split(":")[0]) if key else 0.0


def quantities(text: str) -> set[str]:
    """The comparable keys of every figure of any key-facts row the text holds."""
    out = set()
    for kind in briefing_data()["attributes"]:
        for a in attributes(kind):
            if a.quantity and a.value:
                out |= {q for m in a.value.finditer(text) if (q := quantity(m.group(0)))}
    return out


def peers(entity: Entity) -> list[str]:
    """Lower-cased names of the entity's peers (the other cities, districts …): a sentence naming one of them right
    before a figure gives that peer's figure, not the entity's."""
    own = {n.lower() for n in entity.names}
    return [n.lower() for e in entities() if e.kind == entity.kind and e.id != entity.id for n in e.names
            if n.lower() not in own and len(n) >= 2]


def names_of(entity: Entity) -> list[str]:
    # Only the full names count ("판교" alone also names the first Pangyo Techno Valley); a city's two-syllable
    # name is its full name (부산).
    least = 2 if entity.kind == "city" else 3
    return [n.lower() for n in (entity.ko[:1] + entity.en[:2]) if len(n) >= least]


def owned_values(text: str, pattern: re.Pattern, names: list[str], others: list[str]) -> list[str]:
    """The values in the sentence that belong to the entity: the nearest name before each value is the entity's
    (or no name comes before it and the sentence names no peer)."""
    low = text.lower()
    out = []
    for m in pattern.finditer(text):
        before = low[:m.start()]
        mine, theirs = last_mention(before, names), last_mention(before, others)
        if mine > theirs or (mine == theirs == -1 and not mentions(low, others)):
            out.append(clean_sentence(m.group(0)))
    return out


def milestone_cell(attr: Attribute, events: list[Dated], cite: Cite) -> Cell:
    """The first dated event for each milestone verb (one that came off), in the order of the dates: '2021.11
    선정 [3] / …'."""
    parts: list[tuple[str, Part]] = []
    for verb in attr.milestones:
        first = next((d for d in events if verb.lower() in d.verb.split() and not cue("setback").search(d.sentence.text)),
                     None)
        if first and not any(first.date == date for date, _ in parts):
            parts.append((first.date, Part(f"{first.label} {verb}", cite(first.sentence))))
    return Cell(tuple(p for _, p in sorted(parts, key=lambda dp: dp[0])))


def value_cell(attr: Attribute, found: list[Sentence], names: list[str], others: list[str], cite: Cite,
               width: int = 90) -> Cell:
    """The cell from the best sentences that fill the row: its value (every differing figure, once each) or, for a
    row without a value pattern, the sentence cut around what matched."""
    if not found:
        return Cell()
    if attr.value is None:
        return Cell((Part(snippet(found[0].text, attr.sentence, width), cite(found[0])),))
    # A sentence that says the figure is not given, or is not to be trusted, gives no value; when only such
    # sentences fill the row, the cell is what they say.
    # The best-placed sentence saying so outweighs a figure further down (a single project's cost is not the
    # zone's).
    trusted = [s for s in found if not _disclaims(s.text)]
    if not trusted or _disclaims(found[0].text):
        return Cell((Part(snippet(found[0].text, attr.sentence, width), cite(found[0])),))
    if not attr.quantity:
        for s in trusted:
            values = owned_values(s.text, attr.value, names, others)
            if values:
                return Cell((Part(values[0], cite(s)),))
        return _without_value(attr, found, trusted, cite, width)
    # One figure per document, the largest it gives: the row's figure is the whole, and a document that also
    # gives the parts (two sub-areas, a first phase) gives them smaller. Two documents' figures for one row,
    # near each other, are the same thing stated differently, shown side by side.
    best: dict[str, tuple[float, str, Sentence]] = {}
    for s in trusted:
        for v in owned_values(s.text, attr.value, names, others):
            if not _is_part(s.text, v) and _size(v) > best.get(s.hit.doc_id, (-1.0, "", s))[0]:
                best[s.hit.doc_id] = (_size(v), v, s)
    parts: list[tuple[float, Part]] = []
    base = _consensus([(size, v) for size, v, _ in best.values()])
    for size, v, s in best.values():
        # A figure far from the best-placed source's is another thing, not another statement of it: a part (31만㎡
        # beside 193만㎡, a first phase) or something larger (another zone's area); 2조411억 beside 4조411억 원 is
        # another statement. One that rounds to a figure already shown (85만 beside 852,693) is that figure.
        if _PART * base <= size <= _WHOLE * base and not any(_same(v, p.text) for _, p in parts):
            parts.append((size, Part(v, cite(s), s.hit.date or "")))
    if not parts:
        return _without_value(attr, found, trusted, cite, width)
    shown = tuple(p for _, p in parts)[:3]
    return Cell(shown, differ=len(shown) > 1)


def in_language(cell: Cell, pairs: list[tuple[str, str]], lang: str) -> Cell:
    """The cell with a value written in the other language given in the briefing's, when the corpus glossary pairs
    the two ("Busan Urban Corporation" -> "부산도시공사 (Busan Urban Corporation)" in a Korean table)."""
    other = {(en if lang == "ko" else ko).lower(): (ko if lang == "ko" else en) for ko, en in pairs}
    parts = tuple(replace(p, text=f"{other[p.text.lower()]} ({p.text})") if p.text.lower() in other else p
                  for p in cell.parts)
    return replace(cell, parts=parts)


def _consensus(figures: list[tuple[float, str]]) -> float:
    """The whole's figure: the one most sources give as their largest (the same figure rounded counts as one), the
    best-placed source's on a tie. A source that gives only a part ("the 14만㎡ office site") is outvoted by the
    sources that give the whole."""
    if not figures:
        return 0.0
    votes = [sum(_same(v, w) for _, w in figures) for _, v in figures]
    return figures[votes.index(max(votes))][0]


def _without_value(attr: Attribute, found: list[Sentence], trusted: list[Sentence], cite: Cite, width: int) -> Cell:
    """No sentence gives the row's value: a sentence saying the documents do not give it, else the best one."""
    best = next((s for s in found if _disclaims(s.text)), trusted[0])
    return Cell((Part(snippet(best.text, attr.sentence, width), cite(best)),))


def snippet(text: str, pattern: re.Pattern, width: int = 90) -> str:
    """The sentence, or a window of it around what matched, cut at word boundaries."""
    text = clean_sentence(text)
    if len(text) <= width:
        return text
    m = pattern.search(text)
    start = max(0, (m.start() if m else 0) - width // 2)
    end = min(len(text), start + width)
    while start > 0 and text[start - 1] != " ":
        start -= 1
    while end < len(text) and text[end] != " ":
        end += 1
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
