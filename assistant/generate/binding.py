"""Which noun each figure of a Korean sentence is about, and whether the statement it rests on says the same: a
sentence can hold every figure and every word of its statement and still give one figure to the wrong thing ("A는
2022년, B는 2023년" restated as "A는 2023년"). A figure's nearest noun before or after it, within its clause, must
stand in a clause of the statement that holds the same figure. Pure functions over Kiwi's morphemes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text import morphemes

# Where a clause ends: a connective ending (-고, -며, -지만), a comma, a full stop.
_BOUNDARY = {"EC", "SP", "SF", "SE"}
_NOUN = {"NNG", "NNP"}


@dataclass(frozen=True)
class Anchor:
    """A figure of the sentence (as written: "2023", "45") with the nouns nearest it in its clause."""

    figure: str
    before: str = ""
    after: str = ""


def _clauses(text: str) -> list[list[tuple[str, str]]]:
    """The text's clauses as (form, tag); nouns side by side are one compound ("동쪽" "지구" → "동쪽지구"), so that
    two places sharing a head noun stay apart."""
    out: list[list[tuple[str, str]]] = [[]]
    for m in morphemes(text):
        if m.tag in _BOUNDARY:
            out.append([])
        elif m.tag in _NOUN and out[-1] and out[-1][-1][1] in _NOUN:
            out[-1][-1] = (out[-1][-1][0] + m.form, m.tag)
        else:
            out[-1].append((m.form, m.tag))
    return [c for c in out if c]


def anchors(text: str) -> tuple[Anchor, ...]:
    found = []
    for clause in _clauses(text):
        for i, (form, tag) in enumerate(clause):
            if tag != "SN":
                continue
            before = next((f for f, t in reversed(clause[:i]) if t in _NOUN), "")
            after = next((f for f, t in clause[i + 1:] if t in _NOUN), "")
            found.append(Anchor(form, before, after))
    return tuple(found)


def _has(nouns: set[str], noun: str) -> bool:
    return noun in nouns or any(noun in n or (len(n) > 1 and n in noun) for n in nouns)


def _nouns(clause: list[tuple[str, str]]) -> set[str]:
    return {f for f, t in clause if t in _NOUN}


def _sides(clause: list[tuple[str, str]], figure: str) -> list[tuple[set[str], set[str]]]:
    """For each place the figure stands in the clause: the clause's nouns before it and after it."""
    return [(_nouns(clause[:i]), _nouns(clause[i + 1:])) for i, (f, t) in enumerate(clause) if t == "SN" and f == figure]


def misbound(sentence: tuple[Anchor, ...], statement: str) -> list[str]:
    """The sentence's figures the statement gives to something else. Where the statement's clause holding the
    figure has a noun on one side of it, the sentence's nearest noun on that side must be in that clause ("광주는
    2024년" is not "대구는 2024년"); where it has none (a subject carried from the clause before: "부산은 2022년
    선정되었고, 2023년 착공했다"), that noun need only be in the statement. A figure the statement writes otherwise
    (another unit, another language) is the facts check's to find, not this one's."""
    clauses = _clauses(statement)
    everywhere = set().union(*(_nouns(c) for c in clauses)) if clauses else set()
    wrong = []
    for a in sentence:
        places = [side for c in clauses for side in _sides(c, a.figure)]
        if places and not any(_fits(a.before, before, everywhere) and _fits(a.after, after, everywhere)
                              for before, after in places):
            wrong.append(f"{a.figure} ({' / '.join(n for n in (a.before, a.after) if n)})")
    return wrong


def _fits(noun: str, side: set[str], everywhere: set[str]) -> bool:
    return not noun or _has(side if side else everywhere, noun)


# A bound on a figure, before it ("at least 3억", "최대 5년") or after it ("50만 이상", "2년 이내").
_BEFORE = r"(?:at\s+least|at\s+most|no\s+more\s+than|no\s+less\s+than|more\s+than|less\s+than|up\s+to|over|under|" \
          r"maximum\s+of|minimum\s+of|within|최대|최소)\s*"
_AFTER = r"\s*[^\s\d]{0,4}\s*(?:이상|이하|미만|초과|이내|까지)"
_FIGURE = re.compile(r"\d[\d,.]*")


def _bounded(text: str, figure: str) -> bool:
    """The figure stands in the text with a bound, or as an end of a range ("2002~2018", "2002-2018")."""
    f = re.escape(figure)
    year = r"|(?:19|20)\d\d\s*[-–]\s*" + f + r"(?!\d)|(?<!\d)" + f + r"\s*[-–]\s*(?:19|20)\d\d" \
        if re.fullmatch(r"(?:19|20)\d\d", figure) else ""
    return bool(re.search(rf"{_BEFORE}{f}(?![\d])|(?<![\d.,]){f}{_AFTER}|\d\s*[~∼〜]\s*{f}(?!\d)|"
                          rf"(?<![\d.,]){f}\s*[^\s\d]{{0,2}}\s*[~∼〜]\s*\d{year}", text, re.I))


def unbounded(sentence: str, statement: str) -> list[str]:
    """Figures the statement bounds ("at least 3억") or gives as an end of a range ("2002~2018") that the sentence
    states without one ("about 3억", "2018년을 다룬"): a minimum is not an amount, nor a range's end the range."""
    figures = dict.fromkeys(m.group(0).rstrip(".,") for m in _FIGURE.finditer(sentence))
    return [f for f in figures if _bounded(statement, f) and not _bounded(sentence, f)]
