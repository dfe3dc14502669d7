"""Markdown loader: YAML front matter for metadata, ATX headings (#..######) for the section structure."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assistant.errors import IngestError
from assistant.types import Document, Segment

from .common import decode_text, normalise_meta

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def split_front_matter(text: str, doc_id: str = "") -> tuple[dict[str, Any], str]:
    """(metadata, body). A document without front matter has empty metadata; malformed YAML is an error."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    import yaml  # local: keeps `import assistant` light

    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(doc_id, f"front matter is not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(meta, dict):
        raise IngestError(doc_id, "front matter is not a mapping of keys to values")
    return meta, text[m.end():]


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
