"""The index in a real PostgreSQL (pgvector): builds, generations, the builder's lock, migrations, and search that
ranks as the directory index does. The fake embedder stands in for the models here; tests/test_pg_parity.py
compares the two backends with the real embedders on the shipped corpus."""

from __future__ import annotations

import threading

import numpy as np
import psycopg
import pytest

from assistant.errors import IndexBusyError, IndexIncompatibleError, InputError
from assistant.index import build_index, is_stale, open_store
from assistant.index.pg_schema import LATEST, migrate
from assistant.retrieval.search import Filters, HybridRetriever

from conftest import FakeEmbedder


def build(settings, emb=None, **kw):
    emb = emb or FakeEmbedder()
    return build_index(settings, embedders={"use-m3": emb}, progress=False, **kw), emb


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_build_into_the_database_then_rebuild_only_the_changed_file(tiny_corpus, settings_for, database_url):
    s = settings_for(tiny_corpus, database_url=database_url)
    report, _ = build(s)
    assert sorted(report.added) == ["en/cortex.md", "ko/act.md", "ko/daegu.md", "pdf/one-north.pdf"]
    assert "generation 1" in report.path and not (s.index_dir).exists()  # nothing written to a directory
    first = open_store(s).load(["use-m3"])
    assert len(first.chunks) == report.chunks == first.vectors["use-m3"].count
    assert not is_stale(s)

    again, emb2 = build(s)
    assert not again.written and emb2.embedded == []

    p = tiny_corpus / "en" / "cortex.md"
    p.write_text(p.read_text(encoding="utf-8").replace("founded in 2002", "founded in 2002 (changed)"), encoding="utf-8")
    assert is_stale(s)
    changed, emb3 = build(s)
    assert changed.changed == ["en/cortex.md"] and emb3.embedded and all("Cortex" in t for t in emb3.embedded)
    second = open_store(s).load(["use-m3"])
    before = {c.chunk_id: i for i, c in enumerate(first.chunks)}
    old, new = first.vectors["use-m3"].matrix(), second.vectors["use-m3"].matrix()
    for i, c in enumerate(second.chunks):
        if c.doc_id == "ko/daegu.md":  # reused, not embedded again: the very same float32 vector
            assert (new[i] == old[before[c.chunk_id]]).all()


def test_search_ranks_as_the_directory_index_does(tiny_corpus, settings_for, database_url, tmp_path):
    emb = FakeEmbedder()
    in_db = settings_for(tiny_corpus, database_url=database_url)
    in_dir = settings_for(tiny_corpus)
    build(in_db, emb)
    build(in_dir, emb)
    a = HybridRetriever(open_store(in_dir).load(["use-m3"]), {"use-m3": emb})
    b = HybridRetriever(open_store(in_db).load(["use-m3"]), {"use-m3": emb})
    assert [c.chunk_id for c in a.chunks] == [c.chunk_id for c in b.chunks]
    for query in ["대구 도심융합특구 면적", "Cortex founded", "one-north Biopolis clusters", "특구 지정 요건"]:
        tokens = a.lexical_query(query)
        la, lb = a.bm25.search(tokens, 10), b.bm25.search(tokens, 10)
        assert [r for r, _ in la] == [r for r, _ in lb]
        assert np.allclose([s for _, s in la], [s for _, s in lb], rtol=1e-5)
        da, db = a.dense("use-m3", query, 10), b.dense("use-m3", query, 10)
        assert [r for r, _ in da] == [r for r, _ in db]
        assert np.allclose([s for _, s in da], [s for _, s in db], atol=1e-5)
        assert [(r.row, round(r.score, 4)) for r in a.retrieve(query, k=5)] == \
               [(r.row, round(r.score, 4)) for r in b.retrieve(query, k=5)]
        only_en = Filters(lang=("en",))
        assert [r.row for r in a.retrieve(query, k=5, filters=only_en)] == \
               [r.row for r in b.retrieve(query, k=5, filters=only_en)]
        assert all(b.chunks[r.row].lang == "en" for r in b.retrieve(query, k=5, filters=only_en))
    assert a.bm25.idf("대구") == pytest.approx(b.bm25.idf("대구")) and a.bm25.idf("없는말") == b.bm25.idf("없는말")


def test_readers_keep_their_generation_until_they_reload(tiny_corpus, settings_for, database_url):
    s = settings_for(tiny_corpus, database_url=database_url)
    emb = FakeEmbedder()
    build(s, emb)
    reader = HybridRetriever(open_store(s).load(["use-m3"]), {"use-m3": emb})
    before = [(r.row, r.score) for r in reader.retrieve("Cortex founded", k=3)]
    (tiny_corpus / "en" / "cortex.md").unlink()
    report, _ = build(s, emb)
    assert report.removed == ["en/cortex.md"] and "generation 2" in report.path
    # The old generation is kept: a reader that loaded it answers as before.
    assert [(r.row, r.score) for r in reader.retrieve("Cortex founded", k=3)] == before
    fresh = open_store(s).load(["use-m3"])
    assert all(c.doc_id != "en/cortex.md" for c in fresh.chunks)
    # A third build drops the first generation's tables; only the live one and the one before stay.
    (tiny_corpus / "ko" / "act.md").unlink()
    build(s, emb)
    assert not any(t.startswith("pa_g1_") for t in tables(database_url))
    assert any(t.startswith("pa_g2_") for t in tables(database_url))


def test_a_failed_build_leaves_the_live_generation_and_no_tables(tiny_corpus, settings_for, database_url, monkeypatch):
    s = settings_for(tiny_corpus, database_url=database_url)
    build(s)
    live = tables(database_url)
    (tiny_corpus / "ko" / "new.md").write_text("---\ntitle: 새 문서\n---\n새로운 문장입니다.\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):  # the fake embedder's simulated interruption, mid-build
        build(s, FakeEmbedder(fail_after=0))
    from assistant.index import pg

    def broken(*args):
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(pg, "_write_vectors", broken)  # fails while the generation's tables are being written
        with pytest.raises(OSError):
            build(s)
    assert tables(database_url) == live
    assert open_store(s).live_generation() == 1
    # What a builder killed mid-write leaves (a 'building' generation with tables) is dropped by the next build.
    with psycopg.connect(database_url, autocommit=True) as conn:
        gen = conn.execute("INSERT INTO pa_generation (state, manifest, bm25) VALUES ('building', '{}', '{}') "
                           "RETURNING id").fetchone()[0]
        conn.execute(f"CREATE TABLE pa_g{gen}_chunk (row int)")
    report, _ = build(s)
    assert report.written and not any(t.startswith(f"pa_g{gen}_") for t in tables(database_url))


def test_two_builders_are_serialised_by_an_advisory_lock(tiny_corpus, settings_for, database_url):
    s = settings_for(tiny_corpus, database_url=database_url)
    where = open_store(s)
    with where.lock():
        with pytest.raises(IndexBusyError):
            with open_store(s).lock(wait_seconds=0.5):
                pass
    results, errors = [], []

    def run(full):
        try:
            results.append(build(s, full=full)[0])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(True,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(r.written for r in results)
    assert sorted(r.path for r in results) == sorted({r.path for r in results})  # two generations, one after the other
    assert len(open_store(s).load(["use-m3"]).chunks) == results[0].chunks


def test_migrations_upgrade_in_place_and_refuse_a_newer_schema(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert migrate(conn) == list(range(1, LATEST + 1))
        assert migrate(conn) == []  # applied once
        conn.execute("INSERT INTO pa_schema_migration (version, name) VALUES (%s, 'from the future')", (LATEST + 1,))
        with pytest.raises(IndexIncompatibleError):
            migrate(conn)


def test_the_database_password_never_reaches_a_message():
    from assistant.index.pg import redacted

    assert redacted("postgresql://app:s3cret@db.example:5432/pa") == "postgresql://app:***@db.example:5432/pa"
    assert redacted("postgresql:///pa?host=/tmp/x") == "postgresql:///pa?host=/tmp/x"


@pytest.mark.parametrize("backend", ["directory", "database"])
def test_an_assistant_picks_up_a_build_published_elsewhere(tiny_corpus, settings_for, database_url, backend):
    from assistant import Assistant

    s = settings_for(tiny_corpus, database_url=database_url if backend == "database" else "")
    emb = {"use-m3": FakeEmbedder()}
    build_index(s, embedders=emb, progress=False)
    bot = Assistant.from_index(s.index_dir, settings=s, build=False, embedders=emb)
    assert not bot.refresh(every=0)  # nothing newer
    (tiny_corpus / "en" / "cortex.md").unlink()
    build_index(s, embedders=emb, progress=False)  # as another process (a worker, a machine, a CLI build) would
    assert "en/cortex.md" in bot.documents
    assert not bot.refresh(every=3600)  # asks the store at most that often
    assert bot.refresh(every=0) and "en/cortex.md" not in bot.documents


def test_a_build_in_shards_publishes_the_same_index_as_one_build(tiny_corpus, settings_for, database_url):
    from assistant.index.shards import build_shard, publish, shard_of

    emb = FakeEmbedder()
    s = settings_for(tiny_corpus, database_url=database_url)
    whole = settings_for(tiny_corpus)  # the same corpus built at once, in a directory
    build(whole, emb)
    assert {shard_of(d, 2) for d in ["en/cortex.md", "ko/act.md", "ko/daegu.md", "pdf/one-north.pdf"]} == {0, 1}
    first = build_shard(s, 0, 2, embedders={"use-m3": emb}, progress=False)
    with pytest.raises(InputError, match="1/2 are not staged"):
        publish(s)
    second = build_shard(s, 1, 2, embedders={"use-m3": emb}, progress=False)
    assert sorted(first.added + second.added) == ["en/cortex.md", "ko/act.md", "ko/daegu.md", "pdf/one-north.pdf"]
    report = publish(s)
    assert "generation 1" in report.path
    a, b = open_store(whole).load(["use-m3"]), open_store(s).load(["use-m3"])
    assert [c.chunk_id for c in a.chunks] == [c.chunk_id for c in b.chunks] and a.tokens == b.tokens
    assert np.array_equal(a.vectors["use-m3"].matrix(), b.vectors["use-m3"].matrix())
    assert a.files.keys() == b.files.keys()
    # A shard built again after a change embeds only its changed file, reusing the live generation for the rest.
    p = tiny_corpus / "en" / "cortex.md"
    p.write_text(p.read_text(encoding="utf-8") + "\nOne more sentence about Cortex.\n", encoding="utf-8")
    again = FakeEmbedder()
    for i in range(2):
        build_shard(s, i, 2, embedders={"use-m3": again}, progress=False)
    assert again.embedded and all("Cortex" in t for t in again.embedded)
    assert "generation 2" in publish(s).path and not is_stale(s)
