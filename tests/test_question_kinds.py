"""Every example in assistant/data/question_kinds.yaml, run against its compiled pattern.

A kind's `examples` must match its `asks` and `not_examples` must not; `holds_examples` must match its `holds` and
`holds_not_examples` must not. A cue's (cues, remarks, layout) `examples` must match its `pattern`, `not_examples`
must not. Matching is `search`, except for a pattern that matches the empty string (field_head is all optional): it
matches a string only where it finds something non-empty in it.
"""

from __future__ import annotations

import re

import pytest

from assistant import cues

SECTIONS = ("kinds",) + cues.SECTIONS
TOP_KEYS = {"version", "fragments", *SECTIONS}
KIND_KEYS = {"about", "asks", "holds", "asks_ignore_case", "holds_ignore_case",
             "examples", "not_examples", "holds_examples", "holds_not_examples"}
CUE_KEYS = {"about", "pattern", "ignore_case", "examples", "not_examples"}
KIND_LISTS = {"examples": ("asks", True), "not_examples": ("asks", False),
              "holds_examples": ("holds", True), "holds_not_examples": ("holds", False)}
CUE_LISTS = {"examples": True, "not_examples": False}
MIN_EXAMPLES, MIN_NOT_EXAMPLES = 2, 1


def _matches(pattern: re.Pattern, text: str) -> bool:
    if pattern.search("") is not None:  # matches nothing at all: only a non-empty match counts
        return any(m.group(0) for m in pattern.finditer(text))
    return pattern.search(text) is not None


def _cases():
    data = cues.data()
    for name, entry in data["kinds"].items():
        for key, (part, want) in KIND_LISTS.items():
            for i, text in enumerate(entry.get(key) or [], 1):
                yield pytest.param("kind", name, part, text, want, id=f"kind-{name}-{key}-{i}")
    for section in cues.SECTIONS:
        for name, entry in data[section].items():
            for key, want in CUE_LISTS.items():
                for i, text in enumerate(entry.get(key) or [], 1):
                    yield pytest.param(section, name, "pattern", text, want, id=f"{section}-{name}-{key}-{i}")


@pytest.mark.parametrize("section, name, part, text, want", list(_cases()))
def test_example(section, name, part, text, want):
    pattern = getattr(cues.kinds()[name], part) if section == "kind" else cues.cue(name)
    assert _matches(pattern, text) == want, (
        f"{section} {name}: {part} should {'' if want else 'not '}match {text!r}")


def _entries():
    data = cues.data()
    for section in SECTIONS:
        for name, entry in data[section].items():
            yield section, name, entry


@pytest.mark.parametrize("section, name, entry", [pytest.param(*e, id=f"{e[0]}-{e[1]}") for e in _entries()])
def test_entry_has_its_examples(section, name, entry):
    lists = KIND_LISTS if section == "kinds" else CUE_LISTS
    for key in lists:
        items = entry.get(key)
        assert isinstance(items, list) and all(isinstance(s, str) and s for s in items), (
            f"{section} {name}: {key} is a list of strings")
        least = MIN_NOT_EXAMPLES if "not_" in key else MIN_EXAMPLES
        assert len(items) >= least, f"{section} {name}: {key} needs at least {least}"
        assert len(set(items)) == len(items), f"{section} {name}: {key} repeats an example"


def test_no_unknown_keys():
    data = cues.data()
    assert set(data) <= TOP_KEYS, f"unknown top-level keys: {set(data) - TOP_KEYS}"
    for section, name, entry in _entries():
        known = KIND_KEYS if section == "kinds" else CUE_KEYS
        assert set(entry) <= known, f"{section} {name}: unknown keys {set(entry) - known}"
