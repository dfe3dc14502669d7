"""Plain-text loader: the whole file is one segment; statute articles are found later by the chunker."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import IngestError
from assistant.types import Document, Segment

from .common import decode_text, normalise_meta


def load_text(path: Path, doc_id: str) -> Document:
    text = decode_text(path.read_bytes(), doc_id).replace("\r\n", "\n")
    if not text.strip():
        raise IngestError(doc_id, "no text")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = first if 0 < len(first) <= 120 else path.stem
    return Document(doc_id=doc_id, title=title, text=text, segments=(Segment(0, len(text)),), meta=normalise_meta({}, text))
