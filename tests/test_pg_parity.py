"""Both backends answer alike with the real embedders: the session's index of the shipped corpus, copied into a
real PostgreSQL, retrieves the same passages with the same scores (to rounding) and composes the same answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def questions(n: int) -> list[str]:
    with open(ROOT / "eval" / "testset.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    # Both languages, answerable and not: every other question of the first 2n.
    return [r["question"] for r in rows[: 2 * n : 2]]


@pytest.fixture(scope="module")
def both(corpus_settings, pg_server, tmp_path_factory):
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    from assistant import Assistant
    from assistant.index import embedder_names, open_store
    from assistant.index.location import DirectoryStore, copy_index

    name = f"pa_parity_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(pg_server)._replace(path=f"/{name}"))
    in_db = corpus_settings.replace(database_url=url)
    copy_index(DirectoryStore(corpus_settings.index_dir), open_store(in_db), embedder_names(corpus_settings))
    directory = Assistant.from_index(corpus_settings.index_dir, settings=corpus_settings, build=False)
    database = Assistant.from_index(corpus_settings.index_dir, settings=in_db, build=False, embedders=directory.embedders)
    assert str(database.index.path).endswith("generation 1")
    yield directory, database
    open_store(in_db).close()


def test_the_same_passages_and_scores_on_both_backends(both):
    directory, database = both
    for q in questions(40):
        a = directory.retriever.retrieve(q, k=8)
        b = database.retriever.retrieve(q, k=8)
        assert [r.row for r in a] == [r.row for r in b], q
        assert [round(r.score, 3) for r in a] == [round(r.score, 3) for r in b], q


def test_the_same_answers_on_both_backends(both):
    directory, database = both
    for q in questions(12):
        a, b = directory.ask(q), database.ask(q)
        assert (a.text, a.abstained, a.reason) == (b.text, b.abstained, b.reason), q
        assert [c.chunk_id for c in a.citations] == [c.chunk_id for c in b.citations], q
