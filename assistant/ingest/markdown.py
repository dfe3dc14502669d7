"""Markdown loader: YAML front matter for metadata, ATX headings (#..######) for the section structure."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assistant.clean import clean_text
from assistant.errors import IngestError
from assistant.types import Document, Segment

from .common import decode_text, normalise_meta

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


# What front matter may hold. A document's metadata is a few dozen short fields; a 288-byte YAML alias bomb expands
# to millions of nodes (and a manifest of hundreds of MB) unless aliases and the expanded size are bounded.
MAX_FRONT_MATTER_CHARS = 16 * 1024
MAX_ALIASES = 32
MAX_NODES = 2000
MAX_DEPTH = 8


def _bounded_loader():
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        """SafeLoader that refuses more than MAX_ALIASES alias references."""

        aliases = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise _TooBig(f"uses more than {MAX_ALIASES} YAML aliases")
            return super().compose_node(parent, index)

    return BoundedLoader


class _TooBig(Exception):
    pass


def _check_size(value: Any, depth: int = 0, budget: list[int] | None = None) -> None:
    """Walk value as if every alias were expanded, giving up as soon as it is too deep or too large."""
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooBig(f"holds more than {MAX_NODES} values")
    if depth > MAX_DEPTH:
        raise _TooBig(f"is nested more than {MAX_DEPTH} levels deep")
    children = value.items() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    for child in children:
        if isinstance(child, tuple) and isinstance(value, dict):
            _check_size(child[0], depth + 1, budget)
            child = child[1]
        _check_size(child, depth + 1, budget)


def parse_mapping(text: str, doc_id: str, what: str = "front matter") -> dict[str, Any]:
    """YAML text as a mapping, or IngestError: malformed, oversized, impossible (month 13) or an alias bomb."""
    import yaml  # local: keeps `import assistant` light

    if len(text) > MAX_FRONT_MATTER_CHARS:
        raise IngestError(doc_id, f"{what} is longer than {MAX_FRONT_MATTER_CHARS // 1024} KiB")
    try:
        meta = yaml.load(text, Loader=_bounded_loader()) or {}  # noqa: S506 - a SafeLoader subclass
        _check_size(meta)
    except RecursionError:  # PyYAML composes recursively: a few hundred brackets exhaust the stack
        raise IngestError(doc_id, f"{what} is nested too deeply") from None
    except _TooBig as exc:
        raise IngestError(doc_id, f"{what} {exc}") from None
    except yaml.YAMLError as exc:
        raise IngestError(doc_id, f"{what} is not valid YAML ({str(exc).splitlines()[0]})") from exc
    except (ValueError, TypeError, OverflowError) as exc:  # PyYAML builds datetimes: month 13, 30 February, hour 25
        raise IngestError(doc_id, f"{what} has a value that is not a valid date or time") from exc
    if not isinstance(meta, dict):
        raise IngestError(doc_id, f"{what} is not a mapping of keys to values")
    return _cleaned(meta)


def _cleaned(value: Any) -> Any:
    """Strings made valid Unicode: YAML's "\ud800" escape builds a lone surrogate, which no index file can hold."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_cleaned(k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def split_front_matter(text: str, doc_id: str = "") -> tuple[dict[str, Any], str]:
    """(metadata, body). A document without front matter has empty metadata; bad front matter is an IngestError
    (see parse_mapping), so the build skips the file with that reason."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    return parse_mapping(m.group(1), doc_id), text[m.end():]


def heading_segments(body: str, title: str) -> tuple[Segment, ...]:
    """One segment per heading, carrying the path of enclosing headings. The H1 that repeats the title is left out of paths."""
    segments: list[Segment] = []
    stack: list[tuple[int, str]] = []
    pos = 0
    current: tuple[str, ...] = ()
    for m in _HEADING.finditer(body):
        if m.start() > pos:
            segments.append(Segment(pos, m.start(), current))
        level, name = len(m.group(1)), m.group(2).strip()
        while stack and stack[-1][0] >= level:
            stack.pop()
        if not (level == 1 and name == title):
            stack.append((level, name))
        current = tuple(n for _, n in stack)
        pos = m.end()
    if pos < len(body):
        segments.append(Segment(pos, len(body), current))
    return tuple(s for s in segments if body[s.start:s.end].strip())


def load_markdown(path: Path, doc_id: str) -> Document:
    text = decode_text(path.read_bytes(), doc_id).replace("\r\n", "\n")
    meta, body = split_front_matter(text, doc_id)
    if not body.strip():
        raise IngestError(doc_id, "no text after the front matter")
    h1 = re.search(r"^#[ \t]+(.+?)[ \t]*$", body, re.M)
    title = str(meta.get("title") or (h1.group(1).strip() if h1 else path.stem))
    return Document(doc_id=doc_id, title=title, text=body, segments=heading_segments(body, title), meta=normalise_meta(meta, body))
