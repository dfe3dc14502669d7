"""Building and refreshing the index: only new and changed files are loaded, chunked and embedded.

Chunks and vectors of unchanged files are copied from the live build; files that vanished drop out;
a file that cannot be read is reported and skipped (if an earlier version was indexed, that version is kept,
so a bad upload loses nothing).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from assistant.embedders import Embedder, get_embedder
from assistant.errors import AssistantError, IndexIncompatibleError, IngestError
from assistant.ingest import INGEST_VERSION, ocr
from assistant.settings import Settings
from assistant.text import tokenize_many, tokenizer_version
from assistant.types import Chunk

from . import store
from .location import IndexStore, open_store
from .plan import Plan, file_entry, plan
from .worker import FileReader

Progress = Callable[[int, int, str], None]  # (done, total, what)
MAX_IGNORED_LINES = 20


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
    path: str | None = None  # where the build was written (a directory, or a database generation)
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
    """Bring the index (settings.index_dir, or settings.database_url) up to date with settings.corpus_dirs."""
    t0 = time.perf_counter()
    names = embedder_names(settings)
    embedders = embedders or {n: get_embedder(n, settings.threads) for n in names}
    report = BuildReport()
    where = open_store(settings)
    with where.lock():
        planned = plan(settings)
        report.ignored = planned.ignored
        reuse = _reuse(where, planned.manifest, settings, names, full)
        old_files = reuse.files if reuse else {}
        old_skipped = reuse.manifest.get("skipped", {}) if reuse else {}
        todo = _todo(planned, old_files, old_skipped, settings, report)
        if reuse and not todo and not report.removed and old_skipped.keys() == {
            d for d in planned.hashes if d not in old_files
        }:
            report.skipped += [(d, v["reason"]) for d, v in sorted(old_skipped.items())]
            report.chunks, report.path, report.seconds = len(reuse.chunks), str(reuse.path), time.perf_counter() - t0
            return report
        got = contents(planned, reuse, old_files, old_skipped, todo, settings, embedders, progress, report)
        dims = {n: embedders[n].dim for n in names}
        manifest = _manifest(settings, dims, len(got.chunks), got.files, got.skipped)
        report.path = where.write(manifest, got.chunks, got.tokens, got.vectors)
        report.written, report.chunks = True, len(got.chunks)
        report.seconds = time.perf_counter() - t0
        return report


@dataclass(frozen=True)
class Contents:
    """What a build (or one shard of it) writes: manifest entries in doc_id order, skip records, and the rows."""

    files: dict[str, dict[str, Any]]
    skipped: dict[str, dict[str, Any]]
    chunks: list[Chunk]
    tokens: list[list[str]]
    vectors: dict[str, np.ndarray]


def contents(planned: Plan, reuse, old_files: dict, old_skipped: dict, todo: list, settings: Settings,
             embedders: dict[str, Embedder], progress: bool | Progress, report: BuildReport) -> Contents:
    """Load the files to do, keep the unchanged ones' rows from the live build, embed what is new."""
    names = embedder_names(settings)
    files, skipped, new_chunks = _load_changed(todo, planned, old_files, settings, report)
    keep_old = {d for d in old_files if (d in planned.hashes or d in dict(planned.unreadable)) and d not in new_chunks}
    files.update({d: old_files[d] for d in keep_old})
    order = sorted(files)
    chunks, tokens, rows, to_embed = _assemble(order, new_chunks, reuse)
    started = time.perf_counter()
    fresh = _embed_all(embedders, names, to_embed, progress)
    report.embed_seconds = time.perf_counter() - started
    vectors = {n: _matrix(embedders[n].dim, rows, fresh[n], reuse, n) for n in names}
    still = {d: v for d, v in old_skipped.items()
             if d in planned.hashes and d not in files and d not in skipped and planned.hashes[d] == v["sha256"]}
    report.skipped += [(d, v["reason"]) for d, v in still.items()]  # failed again unchanged: say so once more
    report.embedded = len(to_embed)
    return Contents({d: files[d] for d in order}, {**still, **skipped}, chunks, tokens, vectors)


def _reuse(where: IndexStore, manifest: dict[str, Any] | None, settings: Settings, names: list[str], full: bool):
    """The live build, when its chunks and vectors can be reused (same schema, embedders and parameters)."""
    if full or not _reusable(manifest, settings, names):
        return None
    try:
        return where.load(names)
    except AssistantError:
        return None  # damaged: rebuild everything


def _limits_key(settings: Settings) -> list:
    return [settings.max_file_mb, settings.max_pages, settings.max_chunks_per_file, ocr.available(),
            settings.file_timeout_s, settings.file_memory_mb]


def _todo(planned: Plan, old_files: dict, old_skipped: dict, settings: Settings, report: BuildReport) -> list:
    """The files to load: new or changed ones. Also fills the report's removed, unchanged and unreadable lines."""
    # A file skipped before, unchanged and under the same limits (and OCR as available as then), fails the same
    # way: it is not read again.
    key, hashes, unreadable = _limits_key(settings), planned.hashes, dict(planned.unreadable)
    still_bad = {d for d, v in old_skipped.items() if v.get("sha256") == hashes.get(d) and v.get("limits") == key}
    todo = [s for s in planned.sources
            if old_files.get(s.doc_id, {}).get("sha256") != hashes[s.doc_id] and s.doc_id not in still_bad]
    report.removed = sorted(d for d in old_files if d not in hashes and d not in unreadable)
    # A file that cannot be opened now is skipped; an earlier indexed version of it is kept.
    report.skipped = [(d, why + (KEPT if d in old_files else "")) for d, why in planned.unreadable]
    report.unchanged = [s.doc_id for s in planned.sources if s not in todo and s.doc_id in old_files]
    return todo


KEPT = " (the previously indexed version is kept)"


def _load_changed(todo: list, planned: Plan, old_files: dict, settings: Settings, report: BuildReport):
    """Load and chunk each file to do, each in the worker within its limits: (manifest entries, skip records,
    chunks per doc_id)."""
    files: dict[str, dict[str, Any]] = {}
    skipped: dict[str, dict[str, Any]] = {}
    new_chunks: dict[str, list[Chunk]] = {}
    with FileReader(settings) as reader:
        for src in todo:
            sha = planned.hashes[src.doc_id]
            try:
                chunks, doc = reader.load(src)
            except IngestError as exc:
                reason = exc.reason + (KEPT if src.doc_id in old_files else "")
                report.skipped.append((src.doc_id, reason))
                skipped[src.doc_id] = {"sha256": sha, "reason": reason, "limits": _limits_key(settings)}
                continue
            new_chunks[src.doc_id] = chunks
            report.ocr_pages += int(doc.meta.get("ocr_pages", 0) or 0)
            (report.changed if src.doc_id in old_files else report.added).append(src.doc_id)
            files[src.doc_id] = file_entry(src, sha, doc.title, doc.meta, len(chunks))
    return files, skipped, new_chunks


def _assemble(order: list[str], new_chunks: dict[str, list[Chunk]], reuse):
    """Rows in doc_id order: reused ones copied (with their tokens), new ones tokenised and queued for embedding.
    Returns chunks, tokens, where each row's vector comes from (("old", row) or ("new", i)) and the chunks to embed."""
    old_rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(reuse.chunks if reuse else []):
        old_rows.setdefault(chunk.doc_id, []).append(row)
    chunks, tokens, rows, to_embed = [], [], [], []
    for d in order:
        if d in new_chunks:
            for c, t in zip(new_chunks[d], tokenize_many([lexical_text(c) for c in new_chunks[d]])):
                chunks.append(c)
                tokens.append(t)
                rows.append(("new", len(to_embed)))
                to_embed.append(c)
        else:
            for row in old_rows.get(d, []):
                chunks.append(reuse.chunks[row])
                tokens.append(reuse.tokens[row])
                rows.append(("old", row))
    return chunks, tokens, rows, to_embed


def _matrix(dim: int, rows: list[tuple[str, int]], fresh: np.ndarray, reuse, name: str) -> np.ndarray:
    """One embedder's vectors for the assembled rows: reused ones read back from the live build, new ones fresh."""
    matrix = np.zeros((len(rows), dim), dtype=np.float32)
    old = None
    if reuse and any(kind == "old" for kind, _ in rows):
        old = reuse.vectors[name].matrix()
    for i, (kind, j) in enumerate(rows):
        matrix[i] = old[j] if kind == "old" else fresh[j]
    return matrix


def _manifest(settings: Settings, dims: dict[str, int], n_chunks: int, files: dict[str, Any],
              skipped: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema_version": store.SCHEMA_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedders": [{"name": n, "dim": d} for n, d in dims.items()],
        "params": build_params(settings),
        "corpus_dirs": [str(Path(p).resolve()) for p in settings.corpus_dirs],
        "upload_dir": str(Path(settings.upload_dir).resolve()),
        "chunks": n_chunks,
        "files": files,
        "skipped": skipped,
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
    manifest = manifest if manifest is not None else open_store(settings).read_manifest()
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
    where = open_store(settings)
    manifest = where.read_manifest()
    if manifest is None:
        if not any(Path(p).exists() for p in settings.corpus_dirs):
            return None
        return build_index(settings, embedders=embedders, progress=progress)
    store.check_compatible(manifest, embedder_names(settings), where.label, where.rebuild_hint)
    own = recorded_sources(settings, manifest)
    if not all(Path(p).exists() for p in own.corpus_dirs) or not is_stale(own):
        return None
    return build_index(own, embedders=embedders, progress=progress)


__all__ = ["BuildReport", "build_index", "ensure_index", "is_stale", "embedder_names", "other_sources",
           "recorded_sources", "IndexIncompatibleError"]
