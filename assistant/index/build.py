"""Building and refreshing the index: only new and changed files are loaded, chunked and embedded.

Chunks and vectors of unchanged files are copied from the live build; files that vanished drop out;
a file that cannot be read is reported and skipped (if an earlier version was indexed, that version is kept,
so a bad upload loses nothing).
"""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from assistant.chunking import chunk_document
from assistant.embedders import Embedder, get_embedder
from assistant.errors import AssistantError, IndexIncompatibleError, IngestError
from assistant.ingest import INGEST_VERSION, Limits, SourceFile, load_file, ocr, sidecar_of, survey
from assistant.settings import Settings
from assistant.text import tokenize_many, tokenizer_version
from assistant.types import Chunk

from . import store

Progress = Callable[[int, int, str], None]  # (done, total, what)
MAX_IGNORED_LINES = 20
# What the manifest keeps of a file's metadata: it is read again at every start, so a file cannot make it large.
MAX_META_KEYS, MAX_META_ITEMS, MAX_META_CHARS = 40, 50, 1000


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, reason)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, reason): not documents at all
    ocr_pages: int = 0  # scanned pages read by OCR in this build
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    path: Path | None = None
    written: bool = False

    def lines(self) -> list[str]:
        out = [
            f"added {len(self.added)}, changed {len(self.changed)}, removed {len(self.removed)}, "
            f"unchanged {len(self.unchanged)}, skipped {len(self.skipped)}",
        ]
        for label, names in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            out += [f"  {label}: {n}" for n in names]
        out += [f"  skipped: {n} — {why}" for n, why in self.skipped]
        if self.ocr_pages:
            out.append(f"  OCR: {self.ocr_pages} scanned pages read by Tesseract")
        out += [f"  not a document: {n} — {why}" for n, why in self.ignored[:MAX_IGNORED_LINES]]
        if len(self.ignored) > MAX_IGNORED_LINES:
            out.append(f"  … and {len(self.ignored) - MAX_IGNORED_LINES} more files that are not documents")
        if self.written:
            out.append(f"{self.chunks} chunks ({self.embedded} embedded) in {self.seconds:.1f} s → {self.path}")
        else:
            out.append(f"index is up to date ({self.chunks} chunks)")
        return out


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


def embedder_names(settings: Settings) -> list[str]:
    return [n.strip() for n in settings.embedder.replace(",", "+").split("+") if n.strip()]


def build_params(settings: Settings) -> dict[str, Any]:
    return {"chunk_size": settings.chunk_size, "chunk_overlap": settings.chunk_overlap, "tokenizer": tokenizer_version(),
            "ingest": INGEST_VERSION}


def passage_text(chunk: Chunk) -> str:
    """What the dense embedders see: the passage with its title and heading, so a passage knows what it is about."""
    head = " > ".join(p for p in (chunk.title, chunk.section) if p)
    return f"{head}\n{chunk.text}" if head else chunk.text


def lexical_text(chunk: Chunk) -> str:
    return f"{chunk.title}\n{chunk.section}\n{chunk.text}"


def _reusable(manifest: dict[str, Any] | None, settings: Settings, names: list[str]) -> bool:
    return bool(
        manifest
        and manifest.get("schema_version") == store.SCHEMA_VERSION
        and [e["name"] for e in manifest.get("embedders", [])] == names
        and manifest.get("params") == build_params(settings)
    )


@dataclass(frozen=True)
class Plan:
    """What a build starts from: the documents with their hashes, the live manifest, the files that are not
    documents and the documents that cannot even be opened (both as (doc_id, reason))."""

    sources: list[SourceFile]
    hashes: dict[str, str]
    manifest: dict[str, Any] | None
    ignored: list[tuple[str, str]]
    unreadable: list[tuple[str, str]]


def plan(settings: Settings) -> Plan:
    found, ignored = survey(settings.source_dirs, settings.exclude)
    hashes: dict[str, str] = {}
    unreadable = []
    for src in found:
        try:
            hashes[src.doc_id] = source_hash(src.path)
        except OSError as exc:  # one file nobody may open must not stop every build
            unreadable.append((src.doc_id, f"cannot be opened ({exc.strerror or type(exc).__name__})"))
    return Plan([src for src in found if src.doc_id in hashes], hashes, store.read_manifest(settings.index_dir),
                [(i.doc_id, i.reason) for i in ignored], unreadable)


def limits(settings: Settings) -> Limits:
    return Limits(max_bytes=settings.max_file_mb * 1024 * 1024, max_pages=settings.max_pages,
                  max_chunks=settings.max_chunks_per_file)


def load_chunks(src: SourceFile, settings: Settings) -> tuple[list[Chunk], Any]:
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


def is_stale(settings: Settings) -> bool:
    """True when the corpus differs from what the live index was built from (or there is no index)."""
    todo = plan(settings)
    manifest, hashes = todo.manifest, todo.hashes
    if manifest is None or manifest.get("params") != build_params(settings):
        return True  # no index, or built by other chunking/tokenising/loading rules
    known = {d: f["sha256"] for d, f in manifest["files"].items()}
    known.update({d: f["sha256"] for d, f in manifest.get("skipped", {}).items()})
    return known != hashes


def _tqdm_progress() -> tuple[Progress, Callable[[], None]]:
    from tqdm import tqdm

    bar = tqdm(total=0, unit="chunk", desc="embedding", file=sys.stderr, dynamic_ncols=True)

    def update(done: int, total: int, what: str) -> None:
        bar.total = total
        bar.set_description(what)
        bar.n = done
        bar.refresh()

    return update, bar.close


def build_index(settings: Settings, embedders: dict[str, Embedder] | None = None, progress: bool | Progress = True,
                full: bool = False) -> BuildReport:
    """Bring the index at settings.index_dir up to date with settings.corpus_dirs."""
    t0 = time.perf_counter()
    names = embedder_names(settings)
    embedders = embedders or {n: get_embedder(n, settings.threads) for n in names}
    report = BuildReport()
    index_dir = Path(settings.index_dir)
    with store.build_lock(index_dir):
        planned = plan(settings)
        sources, hashes, manifest = planned.sources, planned.hashes, planned.manifest
        report.ignored = planned.ignored
        unreadable = dict(planned.unreadable)
        reuse = None
        if not full and _reusable(manifest, settings, names):
            try:
                reuse = store.load(index_dir, names)
            except AssistantError:
                reuse = None  # damaged: rebuild everything
        old_files = reuse.files if reuse else {}
        old_skipped = reuse.manifest.get("skipped", {}) if reuse else {}

        # A file skipped before, unchanged and under the same limits (and OCR as available as then), fails the same
        # way: it is not read again.
        limits_key = [settings.max_file_mb, settings.max_pages, settings.max_chunks_per_file, ocr.available()]
        still_bad = {d for d, v in old_skipped.items()
                     if v.get("sha256") == hashes.get(d) and v.get("limits") == limits_key}
        todo = [s for s in sources
                if old_files.get(s.doc_id, {}).get("sha256") != hashes[s.doc_id] and s.doc_id not in still_bad]
        report.removed = sorted(d for d in old_files if d not in hashes and d not in unreadable)
        # A file that cannot be opened now is skipped; an earlier indexed version of it is kept.
        report.skipped = [(d, why + (" (the previously indexed version is kept)" if d in old_files else ""))
                          for d, why in planned.unreadable]
        report.unchanged = [s.doc_id for s in sources if s not in todo and s.doc_id in old_files]
        if reuse and not todo and not report.removed and old_skipped.keys() == {
            d for d in hashes if d not in old_files
        }:
            report.skipped += [(d, v["reason"]) for d, v in sorted(old_skipped.items())]
            report.chunks = len(reuse.chunks)
            report.path = reuse.path
            report.seconds = time.perf_counter() - t0
            return report

        files: dict[str, dict[str, Any]] = {}
        skipped: dict[str, dict[str, str]] = {}
        new_chunks: dict[str, list[Chunk]] = {}
        for src in todo:
            try:
                chunks, doc = load_chunks(src, settings)
            except IngestError as exc:
                reason = exc.reason
                if src.doc_id in old_files:
                    reason += " (the previously indexed version is kept)"
                report.skipped.append((src.doc_id, reason))
                skipped[src.doc_id] = {"sha256": hashes[src.doc_id], "reason": reason, "limits": limits_key}
                continue
            new_chunks[src.doc_id] = chunks
            report.ocr_pages += int(doc.meta.get("ocr_pages", 0) or 0)
            (report.changed if src.doc_id in old_files else report.added).append(src.doc_id)
            files[src.doc_id] = _file_entry(src, hashes[src.doc_id], doc.title, doc.meta, len(chunks))

        # Assemble in doc_id order: reused rows are copied, new chunks embedded.
        old_rows: dict[str, list[int]] = {}
        if reuse:
            for row, chunk in enumerate(reuse.chunks):
                old_rows.setdefault(chunk.doc_id, []).append(row)
        keep_old = {d for d in old_files if (d in hashes or d in unreadable) and d not in new_chunks}
        for d in keep_old:
            files[d] = old_files[d]
        order = sorted(set(files))
        chunks: list[Chunk] = []
        tokens: list[list[str]] = []
        sources_of_rows: list[tuple[str, int]] = []  # ("old", row) or ("new", position in to_embed)
        to_embed: list[Chunk] = []
        for d in order:
            if d in new_chunks:
                toks = tokenize_many([lexical_text(c) for c in new_chunks[d]])
                for c, t in zip(new_chunks[d], toks):
                    chunks.append(c)
                    tokens.append(t)
                    sources_of_rows.append(("new", len(to_embed)))
                    to_embed.append(c)
            else:
                for row in old_rows.get(d, []):
                    chunks.append(reuse.chunks[row])
                    tokens.append(reuse.tokens[row])
                    sources_of_rows.append(("old", row))

        t_embed = time.perf_counter()
        fresh = _embed_all(embedders, names, to_embed, progress)
        report.embed_seconds = time.perf_counter() - t_embed
        vectors: dict[str, np.ndarray] = {}
        for name in names:
            dim = embedders[name].dim
            matrix = np.zeros((len(chunks), dim), dtype=np.float32)
            old_matrix = None
            if reuse and any(kind == "old" for kind, _ in sources_of_rows):
                old_matrix = reuse.vectors[name].reconstruct_n(0, reuse.vectors[name].ntotal)
            for i, (kind, j) in enumerate(sources_of_rows):
                matrix[i] = old_matrix[j] if kind == "old" else fresh[name][j]
            vectors[name] = matrix

        out_manifest = {
            "schema_version": store.SCHEMA_VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "embedders": [{"name": n, "dim": embedders[n].dim} for n in names],
            "params": build_params(settings),
            "corpus_dirs": [str(Path(p).resolve()) for p in settings.corpus_dirs],
            "upload_dir": str(Path(settings.upload_dir).resolve()),
            "chunks": len(chunks),
            "files": {d: files[d] for d in order},
            "skipped": {**{d: v for d, v in old_skipped.items() if d in hashes and d not in files and d not in skipped
                           and hashes[d] == v["sha256"]}, **skipped},
        }
        # Files that failed again unchanged are still skipped; say so once more.
        for d, v in out_manifest["skipped"].items():
            if d not in skipped:
                report.skipped.append((d, v["reason"]))
        report.path = store.write_build(index_dir, out_manifest, chunks, tokens, vectors)
        report.written = True
        report.chunks = len(chunks)
        report.embedded = len(to_embed)
        report.seconds = time.perf_counter() - t0
        return report


def _bounded(value: Any) -> Any:
    """A metadata value as the manifest keeps it: scalars and short lists of scalars, strings cut short."""
    if isinstance(value, str):
        return value[:MAX_META_CHARS]
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_bounded(v) for v in value[:MAX_META_ITEMS] if isinstance(v, (str, bool, int, float))]
    return None


def _file_entry(src: SourceFile, sha: str, title: str, meta: dict[str, Any], n_chunks: int) -> dict[str, Any]:
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


def _embed_all(embedders: dict[str, Embedder], names: list[str], chunks: list[Chunk],
               progress: bool | Progress, batch: int = 32) -> dict[str, np.ndarray]:
    texts = [passage_text(c) for c in chunks]
    out: dict[str, np.ndarray] = {}
    total = len(texts) * len(names)
    if callable(progress):
        update, close = progress, (lambda: None)
    elif progress and total:
        update, close = _tqdm_progress()
    else:
        update, close = (lambda *a: None), (lambda: None)
    done = 0
    try:
        for name in names:
            parts = []
            for i in range(0, len(texts), batch):
                parts.append(embedders[name].embed_passages(texts[i:i + batch]))
                done += len(texts[i:i + batch])
                update(done, total, f"embedding ({name})")
            dim = embedders[name].dim
            out[name] = np.vstack(parts) if parts else np.zeros((0, dim), dtype=np.float32)
    finally:
        close()
    return out


def recorded_sources(settings: Settings, manifest: dict[str, Any] | None = None) -> Settings:
    """settings with the corpus and upload folders the index at settings.index_dir was built from; unchanged when
    there is no index. An index remembers its sources, so opening it from another working folder (whose ./corpus
    is another corpus) refreshes it from its own sources, never from that folder."""
    manifest = manifest if manifest is not None else store.read_manifest(settings.index_dir)
    dirs = [Path(d) for d in (manifest or {}).get("corpus_dirs") or []]
    if not dirs:
        return settings
    if "upload_dir" in manifest:
        return settings.replace(corpus_dirs=tuple(dirs), upload_dir=Path(manifest["upload_dir"]))
    if len(dirs) == 1:
        return settings.replace(corpus_dirs=tuple(dirs))
    # Manifests before the upload folder was recorded on its own listed it last among the corpus folders.
    return settings.replace(corpus_dirs=tuple(dirs[:-1]), upload_dir=dirs[-1])


def other_sources(settings: Settings) -> list[str] | None:
    """The corpus folders the index at settings.index_dir was built from, when they are not settings.corpus_dirs
    (None when they are, or when there is no index yet)."""
    own = recorded_sources(settings)
    if own is settings:
        return None
    given = sorted(str(Path(p).resolve()) for p in settings.corpus_dirs)
    built = sorted(str(Path(p).resolve()) for p in own.corpus_dirs)
    return built if given != built else None


def ensure_index(settings: Settings, progress: bool | Progress = True,
                 embedders: dict[str, Embedder] | None = None) -> BuildReport | None:
    """Build the index when it is missing and a corpus is there to build it from, or refresh it when the very
    sources it was built from changed; else do nothing. Opening an index never builds it from other sources, and
    never from a corpus folder that is gone (that would drop its documents)."""
    manifest = store.read_manifest(settings.index_dir)
    if manifest is None:
        if not any(Path(p).exists() for p in settings.corpus_dirs):
            return None
        return build_index(settings, embedders=embedders, progress=progress)
    store.check_compatible(manifest, embedder_names(settings), Path(settings.index_dir))
    own = recorded_sources(settings, manifest)
    if not all(Path(p).exists() for p in own.corpus_dirs) or not is_stale(own):
        return None
    return build_index(own, embedders=embedders, progress=progress)


__all__ = ["BuildReport", "build_index", "ensure_index", "is_stale", "embedder_names", "other_sources",
           "recorded_sources", "IndexIncompatibleError"]
