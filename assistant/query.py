"""Query understanding: names recognised in a question, follow-ups resolved from the conversation, and the
other language's names added for the lexical retriever (BM25 cannot match 포블레노우 to Poblenou by itself)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from assistant.text import is_korean

# Kinds whose names a follow-up inherits when it names none of that kind itself.
CARRIED_KINDS = ("city", "district", "programme", "law")


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    ko: tuple[str, ...]
    en: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return self.ko + self.en


@lru_cache(maxsize=1)
def entities() -> tuple[Entity, ...]:
    raw = json.loads(resources.files("assistant.data").joinpath("entities.json").read_text(encoding="utf-8"))
    return tuple(Entity(e["id"], e["kind"], tuple(e["ko"]), tuple(e["en"])) for e in raw["entities"])


@lru_cache(maxsize=None)
def _pattern(name: str) -> re.Pattern:
    if re.search(r"[A-Za-z]", name):
        # Latin names match as whole words, ignoring case ("ODZ", not "modzone").
        return re.compile(r"(?<![A-Za-z])" + re.escape(name) + r"(?![A-Za-z])", re.I)
    return re.compile(re.escape(name))


def find_entities(text: str) -> list[Entity]:
    """Entities named in text, in order of first mention; longest names win (판교 제2테크노밸리 before 판교)."""
    found: list[tuple[int, Entity]] = []
    taken: list[tuple[int, int]] = []
    candidates = sorted(((n, e) for e in entities() for n in e.names), key=lambda ne: -len(ne[0]))
    seen: set[str] = set()
    for name, ent in candidates:
        for m in _pattern(name).finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            if ent.id not in seen:
                seen.add(ent.id)
                found.append((m.start(), ent))
    return [e for _, e in sorted(found, key=lambda p: p[0])]


def _user_turns(history: list[dict] | None) -> list[str]:
    return [str(t.get("content", "")) for t in (history or []) if t.get("role") == "user" and t.get("content")]


def resolve_followup(question: str, history: list[dict] | None) -> str:
    """The question as a self-contained query: names of kinds it lacks are carried from the latest user turn
    that had them. "그럼 사업비는 얼마인가요?" after a question about Daegu's zone becomes "대구 도심융합특구 그럼 …"."""
    turns = _user_turns(history)
    if not turns:
        return question
    present = find_entities(question)
    kinds_present = {e.kind for e in present}
    carried: list[str] = []
    for kind in CARRIED_KINDS:
        if kind in kinds_present:
            continue
        for turn in reversed(turns):
            ents = [e for e in find_entities(turn) if e.kind == kind]
            if ents:
                carried.extend(_surface(turn, e) for e in ents)
                break
    if not carried:
        return question
    return " ".join(carried) + " " + question


def _surface(text: str, ent: Entity) -> str:
    """The name as the earlier turn wrote it (so the carried query stays in the user's words)."""
    for name in sorted(ent.names, key=len, reverse=True):
        m = _pattern(name).search(text)
        if m:
            return m.group(0)
    return ent.ko[0]


def expansion_terms(query: str) -> list[str]:
    """Names of the recognised entities in the language the query is not written in."""
    korean = is_korean(query)
    out: list[str] = []
    for ent in find_entities(query):
        out.extend(ent.en[:2] if korean else ent.ko[:2])
    return out
