"""Questions about a place in a numbered sequence: "맨 먼저 무엇을 확인해야 하나요?", "what does the operator do
right after investing?". The sentence that matches the question best is often the wrong step of the right list
(the step named in the question, or any step that shares its words); the answer is the step at the place asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from assistant.text import tokenize

# "1. …", "2) …" at the start of a line: the item's number.
_ITEM_NO = re.compile(r"^\s*(\d{1,2})[.)]\s")

_FIRST = re.compile(r"(?:맨|가장|제일)\s*먼저[^?？]{0,12}?(?:무엇|뭘|뭐|무슨|어떤|일[은이])|첫\s*(?:번째\s*)?(?:단계|순서|절차)|"
                    r"\bfirst (?:step|thing)\b|\bwhat\b[^?]*\b(?:do|does|check|happens?)\b[^?]*\bfirst\b", re.I)
_LAST = re.compile(r"(?:맨|가장|제일)\s*마지막[^?？]{0,12}?(?:무엇|뭘|뭐|무슨|어떤|단계|절차)|마지막\s*(?:단계|순서|절차)[은는이가]|"
                   r"\b(?:last|final) step\b", re.I)
# English names the step after the marker ("right after investing in the start-up"), Korean before it
# ("운영사가 투자한 바로 다음에 무엇을").
_AFTER_EN = re.compile(r"\b(?:right|immediately|directly|just)\s+(after|before)\s+([^?,]+)", re.I)
_NEXT_KO = re.compile(r"([^?？,]{2,40}?)\s*(?:바로\s*)?(다음|직후|직전)\s*(?:단계|절차|순서)?\s*(?:에는|에|으로|로|은|는)?\s*"
                      r"(?:무엇|뭘|뭐|무슨|어떤)")


@dataclass(frozen=True)
class Step:
    """The place asked: "first", "last", or "after"/"before" the step named by `words` (head word first)."""
    place: str
    words: tuple[str, ...] = ()


def asked_step(question: str) -> Step | None:
    m = _AFTER_EN.search(question)
    if m:
        words = tuple(tokenize(m.group(2)))
        return Step(m.group(1).lower(), words) if words else None
    m = _NEXT_KO.search(question)
    if m:
        # The step is named by the words just before the marker; the last is its head ("… 투자한" -> 투자).
        words = tuple(reversed(tokenize(m.group(1))))[:3]
        place = "after" if m.group(2) in ("다음", "직후") else "before"
        return Step(place, words) if words else None
    if _FIRST.search(question):
        return Step("first")
    if _LAST.search(question):
        return Step("last")
    return None


def item_numbers(raws: Sequence[str]) -> list[tuple[int, int]]:
    """(list, number) of each sentence of a passage, (0, 0) outside a numbered list. A list starts at item 1 and
    goes on while the numbers run on; sentences between items (an item's second sentence) do not end it."""
    out, list_id, last = [], 0, 0
    for raw in raws:
        m = _ITEM_NO.match(raw)
        n = int(m.group(1)) if m else 0
        if n == 1:
            list_id, last = list_id + 1, 1
        elif n and list_id and n == last + 1:
            last = n
        elif n:
            n = 0  # a number out of sequence is not an item of the list being read
        out.append((list_id, n) if n else (0, 0))
    return out


class _Item(Protocol):
    passage: int
    terms: set[str]
    item: tuple[int, int]


def step_answer(ranked: Sequence[_Item], step: Step, idf: Callable[[str], float], top: int = 3) -> _Item | None:
    """The item at the place asked, of the numbered list that one of the `top` best sentences belongs to."""
    lead = next((c for c in ranked[:top] if c.item[1]), None)
    if lead is None:
        return None
    items = {c.item[1]: c for c in ranked if c.passage == lead.passage and c.item[0] == lead.item[0] and c.item[1]}
    # ranked holds each item once, but an item's later sentences carry no number: the numbered one stands for it.
    if len(items) < 2:
        return None
    if step.place == "first":
        return items.get(1)
    if step.place == "last":
        return items[max(items)]
    head, rest = step.words[0], step.words[1:]
    named = [c for c in items.values() if head in c.terms]
    if not named:
        return None
    # Every item shares the list's lead-in, so the words that tell the named step apart are the step's own.
    at = max(named, key=lambda c: (sum(idf(t) for t in rest if t in c.terms), -c.item[1]))
    return items.get(at.item[1] + (1 if step.place == "after" else -1))
