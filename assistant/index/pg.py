"""The index in a shared PostgreSQL database (pgvector): many processes and machines read one live generation.

A build writes a new generation's tables beside the live one, then publishes it in one transaction (pa_live points
to it); readers that loaded the previous generation keep answering from it until they reload. Builders are
serialised by an advisory lock; a build killed half-way leaves a generation in state 'building' that the next
builder drops. The live generation and the one before it are kept, as in the directory store."""

from __future__ import annotations

import struct
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from psycopg.types.json import Jsonb

from assistant.errors import IndexBusyError, IndexIncompatibleError, IndexMissingError
from assistant.types import Chunk

from . import store
from .pg_schema import LOCK_BUILD, migrate, table
from .pg_search import PgLexical, PgVectors


# The layout of a generation's tables; a generation written in another is refused (rebuilt), never misread.
LAYOUT = 2


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class PostgresStore:
    """Cheap to construct; the connection pool opens (and the schema migrates) on first use."""

    def __init__(self, url: str, pool_size: int = 8):
        self.url, self._pool_size = url, pool_size
        self._pool = None
        self._open_lock = threading.Lock()

    @property
    def label(self) -> str:
        return redacted(self.url)

    @property
    def rebuild_hint(self) -> str:
        return f"policy-assistant index build --database-url {self.label}"

    def pool(self):
        with self._open_lock:
            if self._pool is None:
                import psycopg
                from psycopg_pool import ConnectionPool

                try:
                    with psycopg.connect(self.url, autocommit=True) as conn:
                        migrate(conn)
                except psycopg.OperationalError as exc:
                    raise IndexMissingError(f"cannot reach the database at {self.label} "
                                            f"({type(exc).__name__})") from None
                self._pool = ConnectionPool(self.url, min_size=1, max_size=self._pool_size,
                                            kwargs={"autocommit": True}, open=True)
            return self._pool

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A pooled connection; a database that cannot be reached is an AssistantError with the place, never the
        driver's text."""
        import psycopg
        from psycopg_pool import PoolTimeout

        try:
            with self.pool().connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise IndexMissingError(f"cannot reach the database at {self.label} ({type(exc).__name__})") from None

    def close(self) -> None:
        with self._open_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def _live(self) -> tuple[int, dict[str, Any], dict[str, Any]] | None:
        with self.connection() as conn:
            row = conn.execute("SELECT g.id, g.manifest, g.bm25 FROM pa_live l "
                               "JOIN pa_generation g ON g.id = l.generation").fetchone()
        return None if row is None else (int(row[0]), row[1], row[2])

    def read_manifest(self) -> dict[str, Any] | None:
        live = self._live()
        return None if live is None else live[1]

    def live_generation(self) -> int | None:
        live = self._live()
        return None if live is None else live[0]

    def live_id(self) -> str | None:
        with self.connection() as conn:
            row = conn.execute("SELECT generation FROM pa_live").fetchone()
        return None if row is None else str(row[0])

    def load(self, embedders: list[str]) -> store.StoredIndex:
        live = self._live()
        if live is None:
            raise IndexMissingError(f"no index in the database at {self.label}; build one with: {self.rebuild_hint}")
        gen, manifest, bm25 = live
        store.check_compatible(manifest, embedders, self.label, self.rebuild_hint)
        if bm25.get("layout") != LAYOUT:
            raise IndexIncompatibleError(f"the index in {self.label} was written in another table layout; "
                                         f"rebuild it with: {self.rebuild_hint} --full")
        pool = self.pool()
        with self.connection() as conn:
            rows = conn.execute(f"SELECT record, tokens FROM pa_g{gen}_chunk ORDER BY row").fetchall()
            idf = dict(conn.execute(f"SELECT term, idf FROM pa_g{gen}_term").fetchall())
        chunks = [Chunk.from_record(r[0]) for r in rows]
        tokens = [list(r[1]) for r in rows]
        dims = [e["dim"] for e in manifest["embedders"]]
        vectors = {name: PgVectors(pool, gen, i, dims[i], len(chunks)) for i, name in enumerate(embedders)}
        lexical = PgLexical(pool, gen, idf, bm25["unseen_idf"])
        return store.StoredIndex(path=f"{self.label} generation {gen}", manifest=manifest, chunks=chunks,
                                 tokens=tokens, vectors=vectors, _lexical=lexical)

    @contextmanager
    def lock(self, wait_seconds: float = 600.0) -> Iterator[None]:
        """A session advisory lock on a connection of its own, held for the whole build."""
        import psycopg

        self.pool()
        with psycopg.connect(self.url, autocommit=True) as conn:
            deadline = time.monotonic() + wait_seconds
            while not conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_BUILD,)).fetchone()[0]:
                if time.monotonic() > deadline:
                    raise IndexBusyError(f"another process is building the index in {self.label}")
                time.sleep(0.2)
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_BUILD,))

    def write(self, manifest: dict[str, Any], chunks: list[Chunk], tokens: list[list[str]],
              vectors: dict[str, np.ndarray]) -> str:
        """Call under lock(): write a generation, publish it in one transaction, drop what is no longer kept."""
        from assistant.retrieval.lexical import BM25

        bm25 = BM25(tokens)
        params = {"layout": LAYOUT, "k1": bm25.k1, "b": bm25.b, "unseen_idf": bm25.idf(""), "avgdl": bm25.avgdl}
        with self.pool().connection() as conn:
            previous = self.live_generation()
            gen = int(conn.execute("INSERT INTO pa_generation (state, manifest, bm25) VALUES ('building', %s, %s) "
                                   "RETURNING id", (Jsonb(manifest), Jsonb(params))).fetchone()[0])
            try:
                _write_generation(conn, gen, chunks, tokens, bm25, [vectors[e["name"]] for e in manifest["embedders"]])
                with conn.transaction():
                    conn.execute("SELECT generation FROM pa_live FOR UPDATE")
                    conn.execute("UPDATE pa_generation SET state = 'retired' WHERE state = 'live'")
                    conn.execute("UPDATE pa_generation SET state = 'live', published = now() WHERE id = %s", (gen,))
                    conn.execute("INSERT INTO pa_live (one, generation) VALUES (true, %s) "
                                 "ON CONFLICT (one) DO UPDATE SET generation = EXCLUDED.generation", (gen,))
            except BaseException:
                _drop(conn, gen)
                raise
            _prune(conn, keep={gen} | ({previous} if previous else set()))
        return f"{self.label} generation {gen}"


def _write_generation(conn, gen: int, chunks: list[Chunk], tokens: list[list[str]], bm25,
                      matrices: list[np.ndarray]) -> None:
    t = {p: table(gen, p) for p in ("chunk", "posting", "term")}
    from psycopg import sql

    with conn.transaction():
        conn.execute(sql.SQL("CREATE TABLE {} (row int PRIMARY KEY, doc_id text NOT NULL, record jsonb NOT NULL, "
                             "tokens text[] NOT NULL)").format(t["chunk"]))
        with conn.cursor().copy(sql.SQL("COPY {} (row, doc_id, record, tokens) FROM STDIN").format(t["chunk"])) as cp:
            for row, (chunk, toks) in enumerate(zip(chunks, tokens)):
                cp.write_row((row, chunk.doc_id, Jsonb(chunk.to_record()), toks))
        # Each posting carries its term's whole contribution to the passage's BM25 score, computed in float32 as
        # the directory backend computes it: a query sums them, reading the covering index alone.
        conn.execute(sql.SQL("CREATE TABLE {} (term text NOT NULL, row int NOT NULL, w real NOT NULL)").format(t["posting"]))
        with conn.cursor().copy(sql.SQL("COPY {} (term, row, w) FROM STDIN").format(t["posting"])) as cp:
            for term, (rows, tfs) in bm25.postings.items():
                for r, w in zip(rows.tolist(), bm25.contributions(term).tolist()):
                    cp.write_row((term, r, w))
        conn.execute(sql.SQL("CREATE INDEX ON {} (term) INCLUDE (row, w)").format(t["posting"]))
        conn.execute(sql.SQL("CREATE TABLE {} (term text PRIMARY KEY, df int NOT NULL, idf float8 NOT NULL)").format(t["term"]))
        with conn.cursor().copy(sql.SQL("COPY {} (term, df, idf) FROM STDIN").format(t["term"])) as cp:
            for term, (rows, _) in bm25.postings.items():
                cp.write_row((term, len(rows), bm25.idf_table[term]))
        for i, matrix in enumerate(matrices):
            _write_vectors(conn, table(gen, f"vec{i}"), np.asarray(matrix, dtype=np.float32))
        conn.execute(sql.SQL("ANALYZE {}").format(t["posting"]))


def _write_vectors(conn, name, matrix: np.ndarray) -> None:
    """The vectors by binary COPY, streamed row by row (pgvector's binary form: dimensions, 0, big-endian float32s),
    so a million of them never sit in memory twice; then the HNSW index."""
    from psycopg import sql
    from psycopg.adapt import Dumper
    from psycopg.pq import Format
    from psycopg.types import TypeInfo

    dim = matrix.shape[1] if matrix.ndim == 2 else 0
    conn.execute(sql.SQL("CREATE TABLE {} (row int PRIMARY KEY, embedding vector({}) NOT NULL)").format(
        name, sql.Literal(max(dim, 1))))
    info = TypeInfo.fetch(conn, "vector")
    header = struct.pack(">HH", dim, 0)

    class VectorDumper(Dumper):
        format = Format.BINARY
        oid = info.oid

        def dump(self, obj: np.ndarray) -> bytes:
            return header + obj.astype(">f4").tobytes()

    with conn.cursor() as cur:
        cur.adapters.register_dumper(np.ndarray, VectorDumper)
        with cur.copy(sql.SQL("COPY {} (row, embedding) FROM STDIN (FORMAT BINARY)").format(name)) as cp:
            cp.set_types(["int4", info.oid])
            for row, vec in enumerate(matrix):
                cp.write_row((row, vec))
    conn.execute(sql.SQL("CREATE INDEX ON {} USING hnsw (embedding vector_ip_ops)").format(name))


def _drop(conn, gen: int) -> None:
    """Drop a generation's tables and row (an abandoned or superseded build)."""
    from psycopg import sql

    with conn.transaction():
        names = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                             "AND tablename LIKE %s", (f"pa\\_g{int(gen)}\\_%",)).fetchall()
        for (name,) in names:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute("DELETE FROM pa_generation WHERE id = %s AND id NOT IN (SELECT generation FROM pa_live)", (gen,))


def _prune(conn, keep: set[int]) -> None:
    """Drop every generation but those kept: older retired ones and builds a killed builder left."""
    for (gen,) in conn.execute("SELECT id FROM pa_generation ORDER BY id").fetchall():
        if gen not in keep:
            _drop(conn, int(gen))


__all__ = ["PostgresStore", "redacted", "IndexIncompatibleError"]
