"""Ingestion: find the source files under the corpus folders and load each into a Document.

Loaders are chosen by file suffix. A file that cannot be read raises IngestError with the reason, whatever went
wrong inside its loader; the builder collects those and goes on, so one bad file never stops a build. Files that
are passed over (hidden, unsupported, links out of the corpus folder) are listed with the reason too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from dataclasses import replace

from assistant.errors import IngestError
from assistant.types import ACCESS_LEVELS, Document, access_of

from .hwp import load_hwp
from .hwpx import load_hwpx
from .common import normalise_meta
from .markdown import load_markdown, parse_mapping
from .pdf import load_pdf
from .text import load_text

Loader = Callable[[Path, str], Document]

# Bump when loaders change what text or structure they produce: the index manifest records it, so every file
# is loaded again instead of trusting chunks made by older code.
INGEST_VERSION = 7

LOADERS: dict[str, Loader] = {
    ".pdf": load_pdf,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".hwpx": load_hwpx,
    ".hwp": load_hwp,
}

SUPPORTED_SUFFIXES = tuple(sorted(LOADERS))
# Metadata for a file that cannot carry its own (a PDF, an HWP file, an upload): "report.pdf.meta.yaml" beside
# "report.pdf", YAML like Markdown front matter (access, title, date, doc_type, …); its keys win over the file's.
SIDECAR = ".meta.yaml"


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR)


@dataclass(frozen=True)
class SourceFile:
    path: Path
    root: Path
    doc_id: str  # path relative to its corpus root, POSIX separators


@dataclass(frozen=True)
class Ignored:
    """A file under a corpus folder that is not a document, and why."""

    doc_id: str
    reason: str


@dataclass(frozen=True)
class Limits:
    """Per-file bounds: a huge or hostile file is skipped with its reason instead of stalling the build."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 2000
    max_chunks: int = 5000


def ignored_reason(rel: Path, exclude: tuple[str, ...] = ("README.md",)) -> str | None:
    """Why a file at rel (below its corpus folder) is not a document, or None when it is one.

    The app's upload names go through this too, so what it accepts is what the build indexes."""
    if any(part.startswith((".", "_")) for part in rel.parts):
        return "hidden or private name (starts with '.' or '_')"
    if rel.name.endswith(SIDECAR):
        return "metadata of the document beside it"
    if rel.name in exclude:
        return "a folder's own description, not a document"
    if rel.suffix.lower() not in LOADERS:
        return f"unsupported file type {rel.suffix or '(none)'!r} (supported: {', '.join(SUPPORTED_SUFFIXES)})"
    return None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False


def survey(corpus_dirs: tuple[Path, ...] | list[Path],
           exclude: tuple[str, ...] = ("README.md",)) -> tuple[list[SourceFile], list[Ignored]]:
    """Every document under the corpus folders in a stable order, and every other file with the reason it is not one.
    A link that leads out of its corpus folder is never followed: the folder is what may be indexed and served."""
    found: dict[str, SourceFile] = {}
    ignored: dict[str, Ignored] = {}
    for root in corpus_dirs:
        root = Path(root)
        if root.is_file():
            candidates, root = [root], root.parent
        elif root.is_dir():
            candidates = sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())
        else:
            continue
        for path in candidates:
            rel = path.relative_to(root)
            doc_id = rel.as_posix()
            reason = ignored_reason(rel, exclude)
            if reason is None and not _inside(path, root):
                reason = "a link that leads out of the corpus folder, or in a loop"
            elif reason is None and not path.is_file():
                reason = "a broken link"
            if reason is not None:
                ignored.setdefault(doc_id, Ignored(doc_id, reason))
                continue
            found.setdefault(doc_id, SourceFile(path=path, root=root, doc_id=doc_id))
    return [found[k] for k in sorted(found)], [ignored[k] for k in sorted(ignored) if k not in found]


def discover(corpus_dirs: tuple[Path, ...] | list[Path], exclude: tuple[str, ...] = ("README.md",)) -> list[SourceFile]:
    """Every document under the corpus folders, in a stable order (see survey)."""
    return survey(corpus_dirs, exclude)[0]


def load_file(source: SourceFile, limits: Limits = Limits()) -> Document:
    """The file as a Document, or IngestError with the reason it cannot be indexed (never another exception)."""
    loader = LOADERS.get(source.path.suffix.lower())
    if loader is None:
        raise IngestError(source.doc_id, f"unsupported file type {source.path.suffix!r}")
    try:
        size = source.path.stat().st_size
    except OSError as exc:
        raise IngestError(source.doc_id, f"cannot read file ({exc.strerror or type(exc).__name__})") from exc
    if size == 0:
        raise IngestError(source.doc_id, "empty file")
    if size > limits.max_bytes:
        raise IngestError(source.doc_id, f"file is {size / 2**20:.1f} MB, over the limit of "
                                         f"{limits.max_bytes / 2**20:.0f} MB (setting max_file_mb)")
    try:
        if loader is load_pdf:
            doc = load_pdf(source.path, source.doc_id, max_pages=limits.max_pages)
        else:
            doc = loader(source.path, source.doc_id)
        return _with_sidecar(doc, source)
    except IngestError:
        raise
    except MemoryError as exc:
        raise IngestError(source.doc_id, "too large to read into memory") from exc
    except RecursionError as exc:
        raise IngestError(source.doc_id, "nested too deeply to read") from exc
    except Exception as exc:  # a loader's library failing in a way it does not document must not stop the build
        raise IngestError(source.doc_id, f"could not be read ({type(exc).__name__})") from exc


def _with_sidecar(doc: Document, source: SourceFile) -> Document:
    """The document with its sidecar's metadata merged in and its access level checked (a level nobody knows is
    refused rather than guessed: guessing low would show it to too many, guessing high would hide it unasked)."""
    meta = dict(doc.meta)
    side = sidecar_of(source.path)
    if side.is_file():
        try:
            extra = parse_mapping(side.read_text(encoding="utf-8"), source.doc_id, "its metadata file")
        except (OSError, UnicodeDecodeError) as exc:
            raise IngestError(source.doc_id, f"its metadata file cannot be read ({type(exc).__name__})") from exc
        meta = normalise_meta({**meta, **extra}, doc.text)
    access = access_of(meta)
    if access not in ACCESS_LEVELS:
        raise IngestError(source.doc_id, f"access {access!r} is not one of {', '.join(ACCESS_LEVELS)}")
    meta["access"] = access
    title = str(meta.get("title") or doc.title)
    return replace(doc, meta=meta, title=title)
