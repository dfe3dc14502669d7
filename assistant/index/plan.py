"""What a build starts from and reads per file: the documents under the sources and their hashes (a metadata sidecar
folded in), each changed file loaded and cut into passages within the per-file limits, and what the manifest keeps
of a file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.chunking import chunk_document
from assistant.errors import IngestError
from assistant.ingest import Limits, SourceFile, load_file, sidecar_of, survey
from assistant.settings import Settings
from assistant.types import Chunk, Document

from .location import open_store

# What the manifest keeps of a file's metadata: it is read again at every start, so a file cannot make it large.
MAX_META_KEYS, MAX_META_ITEMS, MAX_META_CHARS = 40, 50, 1000


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def source_hash(path: Path) -> str:
    """The file's sha256, folded with its metadata sidecar's when it has one: editing the sidecar (an access level)
    re-indexes the document."""
    digest = sha256_file(path)
    side = sidecar_of(path)
    if not side.is_file():
        return digest
    return hashlib.sha256(f"{digest}:{sha256_file(side)}".encode()).hexdigest()


@dataclass(frozen=True)
class Plan:
    """What a build starts from: the documents with their hashes, the live manifest, the files that are not
    documents and the documents that cannot even be opened (both as (doc_id, reason))."""

    sources: list[SourceFile]
    hashes: dict[str, str]
    manifest: dict[str, Any] | None
    ignored: list[tuple[str, str]]
    unreadable: list[tuple[str, str]]

    def only(self, keep) -> "Plan":
        """The plan for the documents keep(doc_id) accepts (one shard of a build)."""
        return Plan([s for s in self.sources if keep(s.doc_id)], {d: h for d, h in self.hashes.items() if keep(d)},
                    self.manifest, self.ignored, [(d, r) for d, r in self.unreadable if keep(d)])


def plan(settings: Settings) -> Plan:
    found, ignored = survey(settings.source_dirs, settings.exclude)
    hashes: dict[str, str] = {}
    unreadable = []
    for src in found:
        try:
            hashes[src.doc_id] = source_hash(src.path)
        except OSError as exc:  # one file nobody may open must not stop every build
            unreadable.append((src.doc_id, f"cannot be opened ({exc.strerror or type(exc).__name__})"))
    return Plan([src for src in found if src.doc_id in hashes], hashes, open_store(settings).read_manifest(),
                [(i.doc_id, i.reason) for i in ignored], unreadable)


def limits(settings: Settings) -> Limits:
    return Limits(max_bytes=settings.max_file_mb * 1024 * 1024, max_pages=settings.max_pages,
                  max_chunks=settings.max_chunks_per_file)


def load_chunks(src: SourceFile, settings: Settings) -> tuple[list[Chunk], Document]:
    """The file's chunks, or IngestError with the reason it is skipped: unreadable, empty, or too long."""
    bounds = limits(settings)
    doc = load_file(src, bounds)
    # Chunking a huge text is itself slow: refuse by length first, by the chunk count after.
    estimate = len(doc.text) // max(1, settings.chunk_size - settings.chunk_overlap)
    if estimate > bounds.max_chunks:
        raise IngestError(src.doc_id, f"about {estimate} passages, over the limit of {bounds.max_chunks} "
                                      "(setting max_chunks_per_file)")
    try:
        chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
    except Exception as exc:  # one file's text must not stop the build, whatever the splitter makes of it
        raise IngestError(src.doc_id, f"could not be cut into passages ({type(exc).__name__})") from exc
    if not chunks:
        raise IngestError(src.doc_id, "no text to index")
    if len(chunks) > bounds.max_chunks:
        raise IngestError(src.doc_id, f"{len(chunks)} passages, over the limit of {bounds.max_chunks} "
                                      "(setting max_chunks_per_file)")
    return chunks, doc


def _bounded(value: Any) -> Any:
    """A metadata value as the manifest keeps it: scalars and short lists of scalars, strings cut short."""
    if isinstance(value, str):
        return value[:MAX_META_CHARS]
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_bounded(v) for v in value[:MAX_META_ITEMS] if isinstance(v, (str, bool, int, float))]
    return None


def file_entry(src: SourceFile, sha: str, title: str, meta: dict[str, Any], n_chunks: int) -> dict[str, Any]:
    stat = src.path.stat()
    keys = [k for k in meta if isinstance(k, str) and len(k) <= 64][:MAX_META_KEYS]
    safe_meta = {k: _bounded(meta[k]) for k in keys}
    return {
        "path": str(src.path.resolve()),
        "sha256": sha,
        "size": stat.st_size,
        "title": str(title)[:MAX_META_CHARS],
        "meta": {k: v for k, v in safe_meta.items() if v is not None or meta[k] is None},
        "chunks": n_chunks,
    }
