"""The checkable facts of a text: amounts and other numbers (by value, Korean and English forms alike), dates (at
the precision written), articles of a law and percentages. Pure functions: a generated sentence's facts must all be
found among the facts of the passage it cites.

"4조 411억 원", "4조411억", "40,411억 원" and "4.0411 trillion won" are one value; "2024년 11월 7일", "2024. 11. 7."
and "7 November 2024" one date; "제4조" and "Article 4" one article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KO_BIG = {"조": 10**12, "억": 10**8, "만": 10**4}
_KO_SMALL = {"천": 10**3, "백": 10**2}
_EN_UNITS = {"trillion": 10**12, "billion": 10**9, "million": 10**6, "thousand": 10**3}
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
# A Korean amount: groups of a number and its unit words in falling order (4조 411억, 5천억, 3천만), then the rest.
_KO_GROUP = rf"({_NUM})\s*([천백])?\s*([조억만])?"
_KO_AMOUNT = re.compile(rf"(?:{_NUM}\s*(?:[천백]\s*[조억만]?|[조억만])\s*)+(?:{_NUM}(?![\d]))?")
_EN_AMOUNT = re.compile(rf"({_NUM})\s*(trillion|billion|million|thousand)\b", re.I)
_PLAIN = re.compile(rf"(?<![\d.,]){_NUM}(?![\d])")
_PERCENT = re.compile(rf"({_NUM})\s*(?:%|％|퍼센트|percent\b|per cent\b)", re.I)

_MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                            "nov", "dec"])}
_MONTH = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|" \
         r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATES = (
    # 2024년 11월 7일, 2024년 11월, 11월 7일
    (re.compile(r"(?:(\d{4})\s*년\s*)?(\d{1,2})\s*월(?:\s*(\d{1,2})\s*일)?"), ("y", "m", "d")),
    # 2024. 11. 7.  2024-11-07  2024/11/07  2024.11
    (re.compile(r"(?<![\d.])(\d{4})\s*[.\-/]\s*(\d{1,2})(?:\s*[.\-/]\s*(\d{1,2}))?\.?(?![\d])"), ("y", "m", "d")),
    # 7 November 2024, November 2024
    (re.compile(rf"(?:(\d{{1,2}})\s+)?{_MONTH}\s*,?\s*(\d{{4}})", re.I), ("d", "M", "y")),
    # November 7, 2024
    (re.compile(rf"{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(\d{{4}})?", re.I), ("M", "d", "y")),
)
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d{2})(?:\s*년|(?![\d,.]\d))")
_ARTICLE = re.compile(r"제\s*(\d+)\s*조(?:\s*의\s*(\d+))?|\bArt(?:icle|s?\.)?\s*(\d+)(?:-(\d+))?", re.I)
_MARKERS = re.compile(r"\[\d+(?:\s*[,\-]\s*\d+)*\]")
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.)]|[①-⑳]|[-•·*])\s+")
_NOTE_MARK = re.compile(r"\(\d{1,2}\)|[①-⑳]")  # a footnote's or an item's number: "30% (1)", "①"


@dataclass(frozen=True)
class Facts:
    """What a text states that a reader could check against its source."""

    numbers: frozenset[float]
    percents: frozenset[float]
    dates: frozenset[tuple[int | None, int | None, int | None]]  # (year, month, day); None where not written
    articles: frozenset[tuple[int, int]]  # (article, its 의-number or 0)

    @property
    def empty(self) -> bool:
        return not (self.numbers or self.percents or self.dates or self.articles)


def _value(text: str) -> float:
    return float(text.replace(",", ""))


def _korean_amount(text: str) -> float:
    total = 0.0
    for m in re.finditer(_KO_GROUP, text):
        total += _value(m.group(1)) * _KO_SMALL.get(m.group(2) or "", 1) * _KO_BIG.get(m.group(3) or "", 1)
    return total


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        chars[s:e] = " " * (e - s)
    return "".join(chars)


def _dates(text: str) -> tuple[set[tuple[int | None, int | None, int | None]], list[tuple[int, int]]]:
    found, spans = set(), []
    for pattern, order in _DATES:
        for m in pattern.finditer(text):
            parts = dict(zip(order, m.groups()))
            month = _MONTHS[parts["M"][:3].lower()] if parts.get("M") else parts.get("m")
            month = int(month) if month else None
            if month is None or not 1 <= month <= 12:
                continue
            day = int(parts["d"]) if parts.get("d") else None
            if day is not None and not 1 <= day <= 31:
                continue
            found.add((int(parts["y"]) if parts.get("y") else None, month, day))
            spans.append(m.span())
        text = _blank(text, spans)
    for m in _YEAR.finditer(text):
        found.add((int(m.group(1)), None, None))
        spans.append(m.span())
    return found, spans


def facts(text: str) -> Facts:
    """The facts of a sentence or a passage. Citation markers ([2]) and a list's own numbering are not facts."""
    text = _NOTE_MARK.sub(" ", _LIST_MARK.sub(" ", _MARKERS.sub(" ", text)))
    articles, spans = set(), []
    for m in _ARTICLE.finditer(text):
        art, sub = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        articles.add((int(art), int(sub or 0)))
        spans.append(m.span())
    text = _blank(text, spans)
    dates, spans = _dates(text)
    text = _blank(text, spans)
    found = list(_PERCENT.finditer(text))
    percents = {_value(m.group(1)) for m in found}
    text = _blank(text, [m.span() for m in found])
    numbers, spans = set(), []
    for m in _KO_AMOUNT.finditer(text):
        if re.search("[조억만천백]", m.group(0)):
            numbers.add(_korean_amount(m.group(0)))
            spans.append(m.span())
    for m in _EN_AMOUNT.finditer(text):
        numbers.add(_value(m.group(1)) * _EN_UNITS[m.group(2).lower()])
        spans.append(m.span())
    text = _blank(text, spans)
    numbers.update(_value(m.group(0)) for m in _PLAIN.finditer(text))
    return Facts(frozenset(numbers), frozenset(percents), frozenset(dates), frozenset(articles))


def _close(value: float, known: frozenset[float], approximate: bool) -> bool:
    if any(abs(value - k) <= 1e-9 * max(1.0, abs(k)) for k in known):
        return True
    # "약 4조 원" of a passage's 4조 411억 원: a rounding, allowed only where the sentence says it is one.
    return approximate and any(k and abs(value - k) / abs(k) <= 0.05 for k in known)


def _date_found(date, known) -> bool:
    return any(all(a is None or a == b for a, b in zip(date, k)) for k in known)


def _shown(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def missing(sentence: Facts, source: Facts, approximate: bool = False) -> list[str]:
    """The sentence's facts its source does not hold, each as written for the record ("number 9,000,000")."""
    out = [f"number {_shown(v)}" for v in sorted(sentence.numbers)
           if not _close(v, source.numbers | source.percents, approximate)
           and not _date_found((int(v), None, None), source.dates)]
    out += [f"percentage {_shown(v)}" for v in sorted(sentence.percents) if not _close(v, source.percents, approximate)]
    out += ["date " + "-".join("?" if p is None else str(p) for p in d) for d in sorted(sentence.dates, key=str)
            if not _date_found(d, source.dates)]
    out += [f"article {a}" + (f"-{s}" if s else "") for a, s in sorted(sentence.articles) if (a, s) not in source.articles]
    return out
