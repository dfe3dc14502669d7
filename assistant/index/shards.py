"""A build split across machines: `index build --shard I/N` loads and embeds the documents of shard I (by a hash of
the document's name) and stages its rows in the shared database; `index publish` assembles the N staged shards
into one generation (BM25 over all of them, one HNSW index per embedder) and makes it live in one transaction.

Each shard reuses the live generation's rows for its unchanged files, as a whole build does; a shard run again
replaces what it staged. Shards of a build take their own advisory locks; publishing takes the builder's."""

from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from typing import Iterator

import numpy as np
from psycopg.types.json import Jsonb

from assistant.embedders import Embedder, get_embedder
from assistant.errors import IndexBusyError, InputError
from assistant.settings import Settings
from assistant.types import Chunk

from .build import BuildReport, Contents, Progress, _manifest, _reuse, _todo, build_params, contents, embedder_names
from .location import open_store
from .pg import PostgresStore
from .pg_schema import LOCK_SHARD
from .plan import plan


def shard_of(doc_id: str, shards: int) -> int:
    """The shard a document belongs to: the same on every machine, whatever order the files are found in."""
    return int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:12], 16) % shards


def parse_shard(text: str) -> tuple[int, int]:
    """"I/N" -> (I, N), with 0 <= I < N."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise InputError(f"--shard takes I/N (e.g. 0/4), not {text!r}") from None
    if not (n >= 1 and 0 <= i < n):
        raise InputError(f"--shard {text}: I must be from 0 to N-1")
    return i, n


def _database(settings: Settings) -> PostgresStore:
    where = open_store(settings)
    if not isinstance(where, PostgresStore):
        raise InputError("a build in shards needs the shared database: give --database-url")
    return where


@contextmanager
def _shard_lock(where: PostgresStore, shard: int) -> Iterator[None]:
    with where.connection() as conn:
        if not conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_SHARD + shard,)).fetchone()[0]:
            raise IndexBusyError(f"shard {shard} is being built by another process")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_SHARD + shard,))


def build_shard(settings: Settings, shard: int, shards: int, embedders: dict[str, Embedder] | None = None,
                progress: bool | Progress = True, full: bool = False) -> BuildReport:
    """Load, chunk and embed shard `shard` of `shards` and stage it (see the module's docstring)."""
    t0 = time.perf_counter()
    where, names = _database(settings), embedder_names(settings)
    embedders = embedders or {n: get_embedder(n, settings.threads) for n in names}
    report = BuildReport()
    mine = lambda doc_id: shard_of(doc_id, shards) == shard  # noqa: E731
    with _shard_lock(where, shard):
        planned = plan(settings).only(mine)
        report.ignored = planned.ignored
        reuse = _reuse(where, planned.manifest, settings, names, full)
        old_files = {d: e for d, e in (reuse.files if reuse else {}).items() if mine(d)}
        old_skipped = {d: e for d, e in (reuse.manifest.get("skipped", {}) if reuse else {}).items() if mine(d)}
        todo = _todo(planned, old_files, old_skipped, settings, report)
        got = contents(planned, reuse, old_files, old_skipped, todo, settings, embedders, progress, report)
        _stage(where, shard, shards, build_params(settings), {n: embedders[n].dim for n in names}, got)
    report.chunks, report.path = len(got.chunks), f"{where.label}, shard {shard}/{shards} staged"
    report.written, report.seconds = True, time.perf_counter() - t0
    return report


def _stage(where: PostgresStore, shard: int, shards: int, params: dict, dims: dict[str, int], got: Contents) -> None:
    with where.connection() as conn, conn.transaction():
        conn.execute("DELETE FROM pa_stage WHERE shard = %s", (shard,))
        conn.execute("INSERT INTO pa_stage (shard, shards, params, embedders, files, skipped) VALUES (%s, %s, %s, %s, "
                     "%s, %s)", (shard, shards, Jsonb(params), Jsonb(dims), Jsonb(got.files), Jsonb(got.skipped)))
        joined = np.hstack([got.vectors[n] for n in dims]) if got.chunks else np.zeros((0, 0), np.float32)
        with conn.cursor().copy("COPY pa_stage_chunk (shard, doc_id, ord, record, tokens, vector) FROM STDIN") as cp:
            ords: dict[str, int] = {}
            for chunk, toks, vec in zip(got.chunks, got.tokens, joined):
                ords[chunk.doc_id] = ords.get(chunk.doc_id, -1) + 1
                cp.write_row((shard, chunk.doc_id, ords[chunk.doc_id], Jsonb(chunk.to_record()), toks, vec.tolist()))


def publish(settings: Settings) -> BuildReport:
    """Assemble the staged shards into a generation and make it live; refused while any shard is missing or was
    staged with other parameters or embedders."""
    t0 = time.perf_counter()
    where, report = _database(settings), BuildReport()
    with where.lock():
        with where.connection() as conn:
            staged = conn.execute("SELECT shard, shards, params, embedders, files, skipped FROM pa_stage").fetchall()
        dims = _check_complete(staged, settings)
        files = dict(sorted((d, e) for row in staged for d, e in row[4].items()))
        skipped = {d: e for row in staged for d, e in row[5].items()}
        chunks, tokens, vectors = _staged_rows(where, dims)
        manifest = _manifest(settings, dims, len(chunks), files, skipped)
        report.path = where.write(manifest, chunks, tokens, vectors)
        with where.connection() as conn:
            conn.execute("DELETE FROM pa_stage")
    report.written, report.chunks = True, len(chunks)
    report.skipped = sorted((d, e["reason"]) for d, e in skipped.items())
    report.seconds = time.perf_counter() - t0
    return report


def _check_complete(staged: list, settings: Settings) -> dict[str, int]:
    if not staged:
        raise InputError("no shards are staged: run 'index build --shard I/N' for each I first")
    shards = {row[1] for row in staged}
    if len(shards) != 1:
        raise InputError(f"the staged shards disagree on how many there are ({sorted(shards)}): build them again")
    n = shards.pop()
    missing = sorted(set(range(n)) - {row[0] for row in staged})
    if missing:
        raise InputError(f"shards {', '.join(f'{i}/{n}' for i in missing)} are not staged yet")
    if any(row[2] != build_params(settings) or list(row[3]) != embedder_names(settings) for row in staged):
        raise InputError("the shards were built with other chunking, reading or embedder settings than these")
    return dict(staged[0][3])


def _staged_rows(where: PostgresStore, dims: dict[str, int]):
    """Every staged row in doc_id order (the order a whole build writes), its vector split per embedder."""
    with where.connection() as conn:
        # Byte order (COLLATE "C") is Python's sorted() order on names: the order a whole build writes.
        rows = conn.execute('SELECT record, tokens, vector FROM pa_stage_chunk ORDER BY doc_id COLLATE "C", ord').fetchall()
    chunks = [Chunk.from_record(r[0]) for r in rows]
    tokens = [list(r[1]) for r in rows]
    joined = np.array([r[2] for r in rows], dtype=np.float32).reshape(len(rows), sum(dims.values()))
    vectors, at = {}, 0
    for name, dim in dims.items():
        vectors[name], at = joined[:, at:at + dim], at + dim
    return chunks, tokens, vectors
