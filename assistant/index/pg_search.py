"""Search over one generation in PostgreSQL: BM25 summed in SQL over the postings table, and inner-product search
over pgvector HNSW indexes. The numbers are the embedded backend's (the same IDF, length norms and float32
vectors), so both backends rank alike."""

from __future__ import annotations

import numpy as np
from psycopg import sql

from .pg_schema import table

# Candidates an HNSW search keeps (pgvector's hnsw.ef_search, default 40, at most 1000): fusion takes 40 per
# retriever, and the approximate search must return what an exact one would. Measured on generated passages
# (benchmarks/scale.py), recall@10 against an exact scan at 200 → 800: 100k rows 0.98 → 1.00 (p50 9 ms),
# a million 0.79 → 0.95 (p50 22 ms).
EF_SEARCH = 800


def vector_text(vec: np.ndarray) -> str:
    """pgvector's text form; repr of each float32 read back as float32 is the same number."""
    return "[" + ",".join(map(repr, np.asarray(vec, dtype=np.float32).tolist())) + "]"


class PgLexical:
    """BM25 in SQL. The IDF table is held in memory: the answer stage weighs every word by it."""

    def __init__(self, pool, generation: int, idf: dict[str, float], unseen_idf: float):
        self._pool, self._gen = pool, generation
        self._idf, self._unseen = idf, unseen_idf

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unseen)

    def search(self, query: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        terms = sorted({t for t in query if t in self._idf})
        if not terms or k <= 0:
            return []
        where, params = sql.SQL(""), [terms]
        if mask is not None:
            where = sql.SQL(" AND row = ANY(%s::int[])")
            params.append(np.flatnonzero(mask).tolist())
        query_sql = sql.SQL("SELECT row, sum(w) AS score FROM {posting} WHERE term = ANY(%s::text[]){where} "
                            "GROUP BY row ORDER BY score DESC, row LIMIT %s"
                            ).format(posting=table(self._gen, "posting"), where=where)
        with self._pool.connection() as conn:
            rows = conn.execute(query_sql, [*params, k]).fetchall()
        return [(int(r), float(s)) for r, s in rows]


class PgVectors:
    """One embedder's vectors in a pgvector table with an HNSW index (inner product)."""

    def __init__(self, pool, generation: int, position: int, dim: int, count: int):
        self._pool, self._table, self._dim, self._count = pool, table(generation, f"vec{position}"), dim, count

    @property
    def count(self) -> int:
        return self._count

    def search(self, qvec: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        if self._count == 0 or k <= 0 or (allowed is not None and not len(allowed)):
            return []
        q = vector_text(qvec)
        where, params = sql.SQL(""), [q]
        if allowed is not None:
            where = sql.SQL(" WHERE row = ANY(%s::int[])")
            params.append(np.asarray(allowed).tolist())
        query_sql = sql.SQL("SELECT row, (embedding <#> %s::vector) AS d FROM {t}{where} "
                            "ORDER BY embedding <#> %s::vector LIMIT %s").format(t=self._table, where=where)
        with self._pool.connection() as conn, conn.transaction():
            conn.execute(sql.SQL("SET LOCAL hnsw.ef_search = {}").format(sql.Literal(max(EF_SEARCH, k))))
            # A filter (access levels, metadata) removes rows after the index scan: keep scanning until k pass.
            conn.execute("SET LOCAL hnsw.iterative_scan = strict_order")
            rows = conn.execute(query_sql, [*params, q, k]).fetchall()
        return [(int(r), -float(d)) for r, d in rows]

    def matrix(self) -> np.ndarray:
        with self._pool.connection() as conn:
            rows = conn.execute(sql.SQL("SELECT embedding::real[] FROM {t} ORDER BY row").format(t=self._table)).fetchall()
        if not rows:
            return np.zeros((0, self._dim), np.float32)
        return np.array([r[0] for r in rows], dtype=np.float32)
