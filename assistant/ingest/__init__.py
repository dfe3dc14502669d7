"""Ingestion: find the source files under the corpus folders and load each into a Document.

Loaders are chosen by file suffix. A file that cannot be read raises IngestError with the reason;
`load_corpus` collects those and goes on, so one bad file never stops a build.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.errors import IngestError
from assistant.types import Document

from .markdown import load_markdown
from .pdf import load_pdf
from .text import load_text

Loader = Callable[[Path, str], Document]

# Bump when loaders change what text or structure they produce: the index manifest records it, so every file
# is loaded again instead of trusting chunks made by older code.
INGEST_VERSION = 6

LOADERS: dict[str, Loader] = {
    ".pdf": load_pdf,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
}

SUPPORTED_SUFFIXES = tuple(sorted(LOADERS))


@dataclass(frozen=True)
class SourceFile:
    path: Path
    root: Path
    doc_id: str  # path relative to its corpus root, POSIX separators


def discover(corpus_dirs: tuple[Path, ...] | list[Path], exclude: tuple[str, ...] = ("README.md",)) -> list[SourceFile]:
    """Every supported file under the corpus folders, in a stable order. Hidden files and `exclude` names are not documents."""
    found: dict[str, SourceFile] = {}
    for root in corpus_dirs:
        root = Path(root)
        if root.is_file():
            candidates = [root]
            root = root.parent
        elif root.is_dir():
            candidates = sorted(p for p in root.rglob("*") if p.is_file())
        else:
            continue
        for path in candidates:
            rel = path.relative_to(root)
            if any(part.startswith((".", "_")) for part in rel.parts) or path.name in exclude:
                continue
            if path.suffix.lower() not in LOADERS:
                continue
            doc_id = rel.as_posix()
            found.setdefault(doc_id, SourceFile(path=path, root=root, doc_id=doc_id))
    return [found[k] for k in sorted(found)]


def load_file(source: SourceFile) -> Document:
    loader = LOADERS.get(source.path.suffix.lower())
    if loader is None:
        raise IngestError(source.doc_id, f"unsupported file type {source.path.suffix!r}")
    try:
        data_size = source.path.stat().st_size
    except OSError as exc:
        raise IngestError(source.doc_id, f"cannot read file ({exc.strerror or exc})") from exc
    if data_size == 0:
        raise IngestError(source.doc_id, "empty file")
    return loader(source.path, source.doc_id)
