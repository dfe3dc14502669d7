"""The question kinds and cues of assistant/data/question_kinds.yaml, compiled once.

A kind is what a question asks for (an amount, a date, who …): `asks` tells it in a question, `holds` in a sentence.
A cue is any other pattern the engine reads: in questions (a premise, a step asked), in remarks (a sentence saying
the sources do not give something) and in the layout of documents (bullets, table rows, article headings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

SECTIONS = ("cues", "remarks", "layout")
_FRAGMENT = re.compile(r"<<(\w+)>>")


@dataclass(frozen=True)
class Kind:
    name: str
    about: str
    asks: re.Pattern
    holds: re.Pattern


def _joined(value: Any) -> str:
    """A pattern as written in the file: a string, or a list of alternatives (rows may be lists themselves)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return "|".join(_joined(v) for v in value)
    raise ValueError(f"a pattern is a string or a list of strings, not {value!r}")


def _expand(pattern: str, fragments: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        if m.group(1) not in fragments:
            raise ValueError(f"unknown fragment <<{m.group(1)}>>")
        return fragments[m.group(1)]

    return _FRAGMENT.sub(sub, pattern)


def data_pattern(value: Any) -> re.Pattern:
    """A pattern another data file writes (briefing.yaml, eligibility.yaml), matched ignoring case: a string, a
    list of alternatives, or a string folded over several lines, where the space folding leaves after a "|" is not
    part of the next alternative."""
    return re.compile(re.sub(r"\|\s+", "|", _joined(value).strip()), re.I)


def _compile(value: Any, fragments: dict[str, str], ignore_case: bool) -> re.Pattern:
    return re.compile(_expand(_joined(value), fragments), re.I if ignore_case else 0)


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    import yaml

    text = resources.files("assistant.data").joinpath("question_kinds.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def _fragments() -> dict[str, str]:
    return {k: _joined(v) for k, v in data()["fragments"].items()}


@lru_cache(maxsize=1)
def kinds() -> dict[str, Kind]:
    """Every kind, in the file's order (the order question_kinds reports them in)."""
    frags = _fragments()
    return {name: Kind(name, k.get("about", ""), _compile(k["asks"], frags, k.get("asks_ignore_case", True)),
                       _compile(k["holds"], frags, k.get("holds_ignore_case", True)))
            for name, k in data()["kinds"].items()}


@lru_cache(maxsize=1)
def _cues() -> dict[str, re.Pattern]:
    frags, out = _fragments(), {}
    for section in SECTIONS:
        for name, c in data()[section].items():
            if name in out:
                raise ValueError(f"cue {name!r} is defined twice")
            out[name] = _compile(c["pattern"], frags, c.get("ignore_case", False))
    return out


def cue(name: str) -> re.Pattern:
    """The compiled pattern of a cue (any section)."""
    return _cues()[name]


def fragment(name: str) -> str:
    """A fragment's pattern text, for a pattern built in code around it."""
    return _fragments()[name]
