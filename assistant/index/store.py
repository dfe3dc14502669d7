"""The index on disk: a versioned directory swapped in atomically, with a manifest and no pickle.

    index/
      CURRENT                  name of the live build (replaced with os.replace, so readers see old or new)
      .lock                    held while building
      build-<stamp>/
        manifest.json          schema, embedders, chunking parameters, one entry (sha256, chunks) per source file
        chunks.jsonl           one chunk record per line, row i = vector i; BM25 tokens included
        vectors-<embedder>.faiss  FAISS inner-product index over normalised vectors, one per embedder

A build writes a fresh `.tmp-` directory and only then points CURRENT at it: an interrupted build leaves the
previous build untouched and live.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Protocol

import numpy as np

from assistant.errors import IndexBusyError, IndexIncompatibleError, IndexMissingError
from assistant.types import Chunk

SCHEMA_VERSION = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"


def vectors_file(embedder: str) -> str:
    return f"vectors-{embedder}.faiss"


class VectorSearch(Protocol):
    """One embedder's vectors, searched by inner product (the vectors are normalised)."""

    @property
    def count(self) -> int: ...

    def search(self, qvec: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The best k rows (only rows in `allowed`, an array of row numbers, when given) with their scores."""

    def matrix(self) -> np.ndarray:
        """Every row's vector, in row order (a build reuses them for unchanged files)."""


class LexicalSearch(Protocol):
    """BM25 over the passages' tokens; the answer stage weighs words by the same IDF."""

    def search(self, query: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]: ...

    def idf(self, term: str) -> float: ...


class FaissVectors:
    """An exact FAISS inner-product index held in memory (the embedded backend)."""

    def __init__(self, index: Any, dim: int):
        self._index, self._dim = index, dim
        self._matrix: np.ndarray | None = None

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    def matrix(self) -> np.ndarray:
        if self._matrix is None:
            n = self._index.ntotal
            self._matrix = self._index.reconstruct_n(0, n) if n else np.zeros((0, self._dim), np.float32)
        return self._matrix

    def search(self, qvec: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        if self.count == 0:
            return []
        if allowed is None:
            scores, rows = self._index.search(qvec[None, :].astype(np.float32), min(k, self.count))
            return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]
        # Filtered: score the allowed rows exactly (flat inner product; the corpus is small).
        if not len(allowed):
            return []
        s = self.matrix()[allowed] @ qvec
        top = np.argsort(-s, kind="stable")[:k]
        return [(int(allowed[i]), float(s[i])) for i in top]


@dataclass
class StoredIndex:
    """One loaded build: its manifest, chunk records (with BM25 tokens), one vector search per embedder and the
    lexical search (built from the tokens in memory unless the backend gives its own)."""

    path: Path | str
    manifest: dict[str, Any]
    chunks: list[Chunk]
    tokens: list[list[str]]
    vectors: dict[str, VectorSearch] = field(default_factory=dict)
    _lexical: LexicalSearch | None = None

    @property
    def embedders(self) -> list[str]:
        return [e["name"] for e in self.manifest["embedders"]]

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return self.manifest["files"]

    @property
    def lexical(self) -> LexicalSearch:
        if self._lexical is None:
            from assistant.retrieval.lexical import BM25

            self._lexical = BM25(self.tokens)
        return self._lexical


def current_build(index_dir: Path) -> Path | None:
    pointer = Path(index_dir) / CURRENT
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    build = Path(index_dir) / name
    return build if name and (build / MANIFEST).is_file() else None


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    build = current_build(index_dir)
    if build is None:
        return None
    return json.loads((build / MANIFEST).read_text(encoding="utf-8"))


def check_compatible(manifest: dict[str, Any], embedders: list[str], where: str, hint: str) -> None:
    """Refuse an index this version cannot read, or one built with other embedders; `hint` is the rebuild command."""
    how = f"rebuild it with: {hint}"
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise IndexIncompatibleError(
            f"the index at {where} has schema version {manifest.get('schema_version')}, "
            f"this version of the assistant reads {SCHEMA_VERSION}; {how}"
        )
    built = [e["name"] for e in manifest.get("embedders", [])]
    if built != list(embedders):
        raise IndexIncompatibleError(
            f"the index at {where} was built with embedder {'+'.join(built) or 'none'}, "
            f"but {'+'.join(embedders)} was asked for; {how} --embedder {'+'.join(embedders)}, "
            f"or ask with --embedder {'+'.join(built)}"
        )


def load(index_dir: Path, embedders: list[str]) -> StoredIndex:
    index_dir = Path(index_dir)
    build = current_build(index_dir)
    if build is None:
        raise IndexMissingError(
            f"no index at {index_dir}; build one with: policy-assistant index build --index {index_dir}"
        )
    manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    check_compatible(manifest, embedders, str(index_dir), f"policy-assistant index build --index {index_dir}")
    chunks, tokens = [], []
    with open(build / CHUNKS, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            tokens.append(rec.pop("tokens"))
            chunks.append(Chunk.from_record(rec))
    import faiss

    dims = {e["name"]: e["dim"] for e in manifest["embedders"]}
    vectors: dict[str, VectorSearch] = {}
    for name in embedders:
        vectors[name] = FaissVectors(faiss.read_index(str(build / vectors_file(name))), dims[name])
        if vectors[name].count != len(chunks):
            raise IndexIncompatibleError(f"the index at {index_dir} is damaged (vector count differs from chunk count); rebuild it")
    return StoredIndex(path=build, manifest=manifest, chunks=chunks, tokens=tokens, vectors=vectors)


@contextmanager
def build_lock(index_dir: Path, wait_seconds: float = 600.0) -> Iterator[None]:
    """One builder per index directory; a second waits, then gives up with IndexBusyError."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexBusyError(f"another process is building the index at {index_dir}") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _stamp(ns: int) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime(ns // 1_000_000_000)) + f"-{ns % 1_000_000_000:09d}"


def _stamp_ns(name: str) -> int:
    """The time a build name stands for, in ns (0 for a name of another shape); older names had 6 fraction digits."""
    import calendar

    try:
        day, clock, frac = name[len("build-"):].split("-")
        secs = calendar.timegm(time.strptime(day + clock, "%Y%m%d%H%M%S"))
        return secs * 1_000_000_000 + int(frac.ljust(9, "0")[:9])
    except ValueError:
        return 0


def _next_stamp(index_dir: Path) -> str:
    """A build name that sorts after every build already there, even within one second or when the clock stepped
    back: prune keeps the newest builds by name."""
    latest = max((_stamp_ns(c.name) for c in index_dir.iterdir() if c.name.startswith("build-")), default=0)
    return _stamp(max(time.time_ns(), latest + 1000))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_build(index_dir: Path, manifest: dict[str, Any], chunks: list[Chunk], tokens: list[list[str]],
                vectors: dict[str, np.ndarray]) -> Path:
    """Write a complete build beside the live one, then swap CURRENT to it. Call under build_lock."""
    index_dir = Path(index_dir)
    previous = current_build(index_dir)
    final = index_dir / f"build-{_next_stamp(index_dir)}"
    stamp = final.name[len("build-"):]
    tmp = index_dir / f".tmp-build-{stamp}-{os.getpid()}"
    tmp.mkdir(parents=True)
    try:
        with open(tmp / CHUNKS, "w", encoding="utf-8") as fh:
            for chunk, toks in zip(chunks, tokens):
                rec = chunk.to_record()
                rec["tokens"] = toks
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        import faiss

        for name, matrix in vectors.items():
            matrix = np.ascontiguousarray(matrix, dtype=np.float32)
            flat = faiss.IndexFlatIP(matrix.shape[1])
            if len(matrix):
                flat.add(matrix)
            faiss.write_index(flat, str(tmp / vectors_file(name)))
            with open(tmp / vectors_file(name), "rb+") as fh:
                os.fsync(fh.fileno())
        with open(tmp / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(tmp)
        os.rename(tmp, final)
        pointer_tmp = index_dir / f".{CURRENT}.{os.getpid()}"
        pointer_tmp.write_text(final.name + "\n", encoding="utf-8")
        os.replace(pointer_tmp, index_dir / CURRENT)
        _fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    prune(index_dir, keep={final.name} | ({previous.name} if previous else set()))
    return final


def prune(index_dir: Path, keep: set[str]) -> None:
    """Remove every build but the live one and the one live before it, and what interrupted builds left.

    The build before the live one stays, so a reader that read CURRENT just before the swap can still load it; a
    build a killed process renamed but never made live is removed even when it is newer."""
    for child in index_dir.iterdir():
        if child.name in keep:
            continue
        if child.is_dir() and child.name.startswith(("build-", ".tmp-build-")):
            shutil.rmtree(child, ignore_errors=True)
        elif child.is_file() and child.name.startswith(f".{CURRENT}."):
            child.unlink(missing_ok=True)  # a pointer a killed process wrote but never swapped in
