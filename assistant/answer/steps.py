"""Questions about a place in a numbered sequence: "맨 먼저 무엇을 확인해야 하나요?", "what does the operator do
right after investing?". The sentence that matches the question best is often the wrong step of the right list
(the step named in the question, or any step that shares its words); the answer is the step at the place asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from assistant.cues import cue
from assistant.text import tokenize


@dataclass(frozen=True)
class Step:
    """The place asked: "first", "last", or "after"/"before" the step named by `words` (head word first)."""
    place: str
    words: tuple[str, ...] = ()


def asked_step(question: str) -> Step | None:
    m = cue("step_after_en").search(question)
    if m:
        words = tuple(tokenize(m.group(2)))
        return Step(m.group(1).lower(), words) if words else None
    m = cue("step_next_ko").search(question)
    if m:
        # The step is named by the words just before the marker; the last is its head ("… 투자한" -> 투자).
        words = tuple(reversed(tokenize(m.group(1))))[:3]
        place = "after" if m.group(2) in ("다음", "직후") else "before"
        return Step(place, words) if words else None
    if cue("step_first").search(question):
        return Step("first")
    if cue("step_last").search(question):
        return Step("last")
    return None


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
