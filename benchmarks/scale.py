"""Scale figures for the two index backends (a benchmark: it prints figures, it asserts nothing).

    python benchmarks/scale.py --database-url postgresql://… [--sizes 100000,1000000] [--embedded 100000]

Passages: the shipped corpus's chunks (from a built index, --index) and the KorQuAD 1.0 dev paragraphs (from
../shared, embedded here), then generated variants of those up to each size. A variant is mostly one passage and
partly another chosen at random: its text is the first's, its tokens four fifths of the first's and three tenths of
the other's plus a variant token, its vector the first's plus 0.6 of the other's plus a little Gaussian noise,
normalised. Vectors come from one embedder, multilingual USE (use-m3, 512 dimensions),
the fastest of the shipped ones; the other (e5-small, 384) would double vector storage and index time.

For each size it writes one generation into PostgreSQL (its own database, created here) and reports load time and
throughput, disk (tables and indexes), the PostgreSQL server's memory, and for the test set's questions the search
time of BM25 in SQL and of HNSW, p50 and p95, with HNSW's recall@10 against exact search. For --embedded sizes the
same for the directory backend (FAISS flat + BM25 in memory), with the memory of the loaded index.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KORQUAD = ROOT.parent / "shared" / "external" / "datasets" / "korquad1" / "KorQuAD_v1.0_dev.json"
EMBEDDER = "use-m3"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def rss_mb(pid: int | None = None) -> float:
    import psutil

    return psutil.Process(pid or os.getpid()).memory_info().rss / 2**20


def server_rss_mb(url: str) -> float:
    """Resident memory of the PostgreSQL server's processes (the postmaster's children and itself)."""
    import psutil
    import psycopg

    with psycopg.connect(url) as conn:
        pid = conn.execute("SELECT pid FROM pg_stat_activity WHERE pid = pg_backend_pid()").fetchone()[0]
    parent = psutil.Process(pid).parent()
    return sum(p.memory_info().rss for p in [parent, *parent.children()]) / 2**20


def base_passages(index_dir: Path):
    """(chunks, tokens, vectors) of the shipped corpus's index and the KorQuAD dev paragraphs."""
    from assistant.embedders import get_embedder
    from assistant.index.location import DirectoryStore
    from assistant.text import tokenize_many
    from assistant.types import Chunk

    built = DirectoryStore(index_dir).read_manifest()
    index = DirectoryStore(index_dir).load([e["name"] for e in built["embedders"]])
    chunks, tokens = list(index.chunks), list(index.tokens)
    vectors = [index.vectors[EMBEDDER].matrix()]
    if KORQUAD.is_file():
        data = json.loads(KORQUAD.read_text(encoding="utf-8"))["data"]
        paras = [(a["title"], p["context"]) for a in data for p in a["paragraphs"]]
        chunks += [Chunk(chunk_id=f"korquad-{i}", doc_id=f"korquad/{title}", title=title, text=text, section="",
                         page=None, start=0, end=len(text), lang="ko", doc_type="encyclopedia")
                   for i, (title, text) in enumerate(paras)]
        tokens += tokenize_many([f"{t}\n{x}" for t, x in paras])
        vectors.append(get_embedder(EMBEDDER, 2).embed_passages([f"{t}\n{x}" for t, x in paras]))
    return chunks, tokens, np.vstack(vectors).astype(np.float32)


def variants(chunks, tokens, vectors, size: int, seed: int = 7):
    """The passages, then variants of them up to `size` rows (see the module's docstring)."""
    import dataclasses

    rng = np.random.default_rng(seed)
    n = len(chunks)
    out_chunks, out_tokens = list(chunks[:size]), [list(t) for t in tokens[:size]]
    matrix = np.empty((size, vectors.shape[1]), np.float32)
    matrix[: min(n, size)] = vectors[: min(n, size)]
    sd = 0.3 / np.sqrt(vectors.shape[1])
    for row in range(n, size):
        j, other = row % n, int(rng.integers(n))
        # Mostly one passage, partly another: variants spread between passages as new text would, rather than
        # piling up as near-copies of one (which no corpus has, and which starves an HNSW graph of links).
        mine = [t for t in tokens[j] if rng.random() > 0.2]
        theirs = [t for t in tokens[other] if rng.random() > 0.7]
        out_tokens.append(mine + theirs + [f"variant{row // n}"])
        out_chunks.append(dataclasses.replace(chunks[j], chunk_id=f"{chunks[j].chunk_id}~{row // n}",
                                              doc_id=f"{chunks[j].doc_id}~{row // n}"))
        v = vectors[j] + 0.6 * vectors[other] + rng.normal(0, sd, vectors.shape[1]).astype(np.float32)
        matrix[row] = v / np.linalg.norm(v)
    return out_chunks, out_tokens, matrix


def queries(limit: int):
    from assistant.embedders import get_embedder
    from assistant.text import tokenize

    rows = [json.loads(x) for x in (ROOT / "eval" / "testset.jsonl").read_text(encoding="utf-8").splitlines() if x]
    texts = [r["question"] for r in rows[:limit]]
    return [tokenize(t) for t in texts], get_embedder(EMBEDDER, 2).embed_queries(texts)


def manifest_for(chunks, dim: int) -> dict:
    files = {}
    for c in chunks:
        files.setdefault(c.doc_id, {"sha256": "", "chunks": 0, "title": c.title, "meta": {}})["chunks"] += 1
    return {"schema_version": 1, "embedders": [{"name": EMBEDDER, "dim": dim}], "params": {}, "files": files,
            "chunks": len(chunks), "skipped": {}}


def timed(fn, *args) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t) * 1000, out


def search_figures(lexical, vectors, qtokens, qvecs, exact: np.ndarray) -> dict:
    lex, dense, recall, tied = [], [], [], []
    for toks, q in zip(qtokens, qvecs):
        ms, _ = timed(lexical.search, toks, 40)
        lex.append(ms)
        ms, found = timed(vectors.search, q, 40)
        dense.append(ms)
        scores = exact @ q
        truth = np.argsort(-scores)[:10]
        recall.append(len(set(truth.tolist()) & {r for r, _ in found[:10]}) / 10)
        # Generated variants are near-ties of their passage: a result as good as the exact 10th counts too.
        tied.append(sum(scores[r] >= scores[truth[-1]] - 1e-6 for r, _ in found[:10]) / 10)
    both = [a + b for a, b in zip(lex, dense)]
    return {"bm25_ms_p50": pct(lex, .5), "bm25_ms_p95": pct(lex, .95), "vector_ms_p50": pct(dense, .5),
            "vector_ms_p95": pct(dense, .95), "search_ms_p50": pct(both, .5), "search_ms_p95": pct(both, .95),
            "recall_at_10": statistics.mean(recall), "recall_at_10_ties": statistics.mean(tied)}


def run_postgres(base_url: str, size: int, data, qtokens, qvecs) -> dict:
    import psycopg

    from assistant.index.pg import PostgresStore
    from assistant.index.pg_search import PgLexical, PgVectors

    chunks, tokens, matrix = data
    name = f"pa_scale_{size}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(base_url)._replace(path=f"/{name}"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER DATABASE " + name + " SET maintenance_work_mem = '2GB'")
    db = PostgresStore(url)
    t = time.perf_counter()
    with db.lock():
        db.write(manifest_for(chunks, matrix.shape[1]), chunks, tokens, {EMBEDDER: matrix})
    load_s = time.perf_counter() - t
    gen = int(db.live_id())
    with psycopg.connect(url) as conn:
        disk = conn.execute("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                            "WHERE c.relname LIKE %s AND c.relkind = 'r'", (f"pa\\_g{gen}\\_%",)).fetchone()[0]
        idf = dict(conn.execute(f"SELECT term, idf FROM pa_g{gen}_term").fetchall())
        params = conn.execute("SELECT bm25 FROM pa_generation WHERE id = %s", (gen,)).fetchone()[0]
    pool = db.pool()
    lexical = PgLexical(pool, gen, idf, params["unseen_idf"])
    vectors = PgVectors(pool, gen, 0, matrix.shape[1], size)
    for toks, q in zip(qtokens[:5], qvecs[:5]):  # warm the caches once, as a serving process would be
        lexical.search(toks, 40)
        vectors.search(q, 40)
    figures = search_figures(lexical, vectors, qtokens, qvecs, matrix)
    figures.update(backend="postgresql", rows=size, load_s=load_s, load_rows_per_s=size / load_s,
                   disk_mb=float(disk) / 2**20, server_rss_mb=server_rss_mb(url), **open_figures(db))
    db.close()
    return figures


def open_figures(db) -> dict:
    """What a serving process pays to open the live generation: it holds the chunk records and the IDF table."""
    import gc

    gc.collect()
    before, t = rss_mb(), time.perf_counter()
    index = db.load([EMBEDDER])
    seconds = time.perf_counter() - t
    grown = rss_mb() - before
    del index
    return {"open_s": seconds, "loaded_rss_mb": grown}


def run_embedded(size: int, data, qtokens, qvecs) -> dict:
    from assistant.index import store

    chunks, tokens, matrix = data
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        with store.build_lock(Path(tmp)):
            store.write_build(Path(tmp), manifest_for(chunks, matrix.shape[1]), chunks, tokens, {EMBEDDER: matrix})
        load_s = time.perf_counter() - t
        disk = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
        before = rss_mb()
        t = time.perf_counter()
        index = store.load(Path(tmp), [EMBEDDER])
        lexical = index.lexical
        open_s = time.perf_counter() - t
        figures = search_figures(lexical, index.vectors[EMBEDDER], qtokens, qvecs, matrix)
        figures.update(backend="directory", rows=size, load_s=load_s, load_rows_per_s=size / load_s,
                       disk_mb=disk / 2**20, open_s=open_s, loaded_rss_mb=rss_mb() - before)
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", required=True, help="a PostgreSQL server with pgvector (databases are made on it)")
    ap.add_argument("--index", default=str(ROOT / "index"), help="a built index of the shipped corpus")
    ap.add_argument("--sizes", default="100000", help="passage counts for PostgreSQL, comma-separated")
    ap.add_argument("--embedded", default="100000", help="passage counts for the directory backend ('' for none)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", help="also write the figures as JSON here")
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # one query at a time on one core, as a serving worker runs it
    chunks, tokens, vectors = base_passages(Path(args.index))
    qtokens, qvecs = queries(args.queries)
    print(f"{len(chunks)} real passages; {len(qtokens)} questions; vectors: {EMBEDDER} ({vectors.shape[1]} dims)")
    results = []
    plan = [("postgresql", int(s)) for s in args.sizes.split(",") if s] + \
           [("directory", int(s)) for s in args.embedded.split(",") if s]
    for backend, size in plan:
        data = variants(chunks, tokens, vectors, size)
        fig = run_postgres(args.database_url, size, data, qtokens, qvecs) if backend == "postgresql" \
            else run_embedded(size, data, qtokens, qvecs)
        results.append(fig)
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in fig.items()}), flush=True)
        del data
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
