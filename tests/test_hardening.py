"""Regressions of the failures a hostile and a careless user found (issue: safe for a government network).

Each test failed on the code before its fix: an index rebuilt from another folder's corpus, one bad date or a YAML
alias bomb stopping or bloating a build, a huge file making tens of thousands of chunks, links and hidden files
passed over without a word, build names that did not sort, long questions whose cost grew without bound, and
upload names the build never indexed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from assistant.index import build_index, ensure_index, load
from assistant.index.store import current_build, write_build

from conftest import MD_DAEGU, FakeEmbedder, make_pdf


def build(settings, emb=None, **kw):
    emb = emb or FakeEmbedder()
    return build_index(settings, embedders={"use-m3": emb}, progress=False, **kw), emb


def doc_ids(settings) -> set[str]:
    return set(load(settings.index_dir, ["use-m3"]).files)


# --- 2. opening an index never rebuilds it from another corpus ------------------------------------------------

def test_opening_an_index_from_another_folder_keeps_its_own_sources(tiny_corpus, settings_for, tmp_path, monkeypatch):
    from assistant import Assistant
    from assistant.settings import Settings

    s = settings_for(tiny_corpus)
    build(s)
    before, live = doc_ids(s), current_build(s.index_dir)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "corpus").mkdir(parents=True)
    (elsewhere / "corpus" / "other.md").write_text("# Other\n\nSomething else entirely.\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)  # ./corpus is now another corpus
    bot = Assistant.from_index(s.index_dir, settings=Settings(embedder="use-m3"), embedders={"use-m3": FakeEmbedder()},
                               progress=False)
    assert current_build(s.index_dir) == live and set(bot.documents) == before
    assert [Path(p) for p in bot.settings.corpus_dirs] == [tiny_corpus.resolve()]
    # Its own sources changed: then, and only from them, it is refreshed.
    (tiny_corpus / "ko" / "new.md").write_text("# 새 문서\n\n새로운 내용입니다.\n", encoding="utf-8")
    report = ensure_index(Settings(index_dir=s.index_dir, embedder="use-m3"), progress=False,
                          embedders={"use-m3": FakeEmbedder()})
    assert report is not None and report.added == ["ko/new.md"] and "other.md" not in doc_ids(s)


def test_a_missing_source_folder_never_empties_the_index(tiny_corpus, settings_for, tmp_path):
    import shutil

    from assistant.settings import Settings

    s = settings_for(tiny_corpus)
    build(s)
    before = doc_ids(s)
    shutil.rmtree(tiny_corpus)
    assert ensure_index(Settings(index_dir=s.index_dir, embedder="use-m3"), progress=False,
                        embedders={"use-m3": FakeEmbedder()}) is None
    assert doc_ids(s) == before


def test_cli_refuses_another_corpus_and_check_builds_nothing(tiny_corpus, settings_for, tmp_path, monkeypatch, capsys):
    from assistant.cli import main

    s = settings_for(tiny_corpus)
    build(s)
    other = tmp_path / "other-corpus"
    other.mkdir()
    (other / "x.md").write_text("# X\n\ntext\n", encoding="utf-8")
    monkeypatch.setenv("POLICY_ASSISTANT_EMBEDDER", "use-m3")
    assert main(["ask", "--index", str(s.index_dir), "--corpus", str(other), "대구 사업비"]) == 2
    assert "was built from" in capsys.readouterr().err
    # check needs only the rules file: no index is built for it, even where a corpus lies about.
    work = tmp_path / "work"
    (work / "corpus").mkdir(parents=True)
    (work / "corpus" / "y.md").write_text("# Y\n\ntext\n", encoding="utf-8")
    monkeypatch.chdir(work)
    assert main(["check", "hq_relocation_tax_relief", "--index", str(tmp_path / "no-index"), "--json"]) == 0
    assert not (tmp_path / "no-index").exists()
    assert json.loads(capsys.readouterr().out)["conditions"]


# --- 3, 4. one bad file never stops or bloats a build ------------------------------------------------------------

BOMB = ("---\ntitle: bomb\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "sources: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n---\n\n# Bomb\n\nbody text\n")


@pytest.mark.parametrize("value", ["2020-13-45", "2020-02-30", "2020-01-01 25:00:00"])
def test_an_impossible_date_skips_only_its_file(tiny_corpus, settings_for, value):
    (tiny_corpus / "ko" / "bad-date.md").write_text(f"---\ntitle: x\ndate: {value}\n---\n\n# X\n\n본문\n", encoding="utf-8")
    report, _ = build(settings_for(tiny_corpus))
    assert "date" in dict(report.skipped)["ko/bad-date.md"]
    assert len(report.added) == 4 and report.written


def test_a_yaml_alias_bomb_is_skipped_and_the_manifest_stays_small(tiny_corpus, settings_for):
    (tiny_corpus / "ko" / "bomb.md").write_text(BOMB, encoding="utf-8")
    s = settings_for(tiny_corpus)
    report, _ = build(s)
    assert "alias" in dict(report.skipped)["ko/bomb.md"]
    assert (current_build(s.index_dir) / "manifest.json").stat().st_size < 50_000


def test_manifest_keeps_bounded_metadata(tiny_corpus, settings_for):
    topics = ", ".join(f"t{i}" for i in range(500))
    (tiny_corpus / "ko" / "wide.md").write_text(f"---\ntitle: w\ntopics: [{topics}]\nnote: {'y' * 5000}\n---\n\n# W\n\n본문\n",
                                               encoding="utf-8")
    s = settings_for(tiny_corpus)
    build(s)
    meta = load(s.index_dir, ["use-m3"]).files["ko/wide.md"]["meta"]
    assert len(meta["topics"]) <= 50 and len(meta["note"]) <= 1000


def test_a_loader_failing_in_an_undocumented_way_skips_only_its_file(tiny_corpus, settings_for, monkeypatch):
    import assistant.ingest as ingest

    def explode(path, doc_id):
        raise ZeroDivisionError("secret internal detail")

    monkeypatch.setitem(ingest.LOADERS, ".txt", explode)
    (tiny_corpus / "ko" / "boom.txt").write_text("본문", encoding="utf-8")
    # Read in this process (file_timeout_s=0), where the patched loader is: the worker reads with the real ones.
    report, _ = build(settings_for(tiny_corpus, file_timeout_s=0))
    reason = dict(report.skipped)["ko/boom.txt"]
    assert "could not be read" in reason and "secret internal detail" not in reason
    assert len(report.added) == 4


# --- 8. per-file limits ------------------------------------------------------------------------------------------

def test_per_file_limits_skip_with_reasons(tiny_corpus, settings_for):
    (tiny_corpus / "ko" / "big.md").write_text("# 큰 문서\n\n" + "긴 문장입니다. " * 200_000, encoding="utf-8")  # ~2.6 MB
    words = "Biopolis Fusionopolis Mediapolis cluster research media science campus tenants offices labs park".split()
    make_pdf(tiny_corpus / "pdf" / "long.pdf", [f"{w} is one part of the plan.\nIt opened after {w.lower()} work.\n{w} grows."
                                                for w in words])
    (tiny_corpus / "en" / "many.md").write_text("# Many\n\n" + "\n\n".join(f"## S{i}\n\nPart {i}." for i in range(40)),
                                              encoding="utf-8")
    s = settings_for(tiny_corpus, max_file_mb=2, max_pages=10, max_chunks_per_file=30)
    t0 = time.perf_counter()
    report, _ = build(s)
    skipped = dict(report.skipped)
    assert "max_file_mb" in skipped["ko/big.md"]
    assert "max_pages" in skipped["pdf/long.pdf"]
    assert "max_chunks_per_file" in skipped["en/many.md"]
    assert len(report.added) == 4 and time.perf_counter() - t0 < 60
    # The limits are overridable: raised, the same files are indexed.
    report, _ = build(settings_for(tiny_corpus, max_file_mb=50, max_pages=100, max_chunks_per_file=100))
    assert {"pdf/long.pdf", "en/many.md"} <= set(report.added)


# --- 9. links, hidden and unsupported files, build names ------------------------------------------------------

def test_links_out_of_the_corpus_are_not_followed_and_ignored_files_are_reported(tiny_corpus, settings_for, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nthe server's private notes\n", encoding="utf-8")
    os.symlink(secret, tiny_corpus / "ko" / "link.md")
    os.symlink(tiny_corpus / "ko" / "daegu.md", tiny_corpus / "ko" / "inner-link.md")  # inside: fine
    (tiny_corpus / "ko" / ".hidden.md").write_text("# h\n\nx\n", encoding="utf-8")
    (tiny_corpus / "ko" / "notes.docx").write_bytes(b"PK\x03\x04")
    s = settings_for(tiny_corpus)
    report, _ = build(s)
    ignored = dict(report.ignored)
    assert "out of the corpus" in ignored["ko/link.md"] and "ko/link.md" not in doc_ids(s)
    assert "hidden" in ignored["ko/.hidden.md"] and "unsupported" in ignored["ko/notes.docx"]
    assert "ko/inner-link.md" in doc_ids(s)
    assert any("ko/notes.docx" in line for line in report.lines())


def test_build_names_sort_in_the_order_they_were_made(tmp_path):
    import numpy as np

    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / "build-29991231-235959-999999999").mkdir()  # a clock that stepped back
    names = []
    for _ in range(3):
        build = write_build(index_dir, {"schema_version": 1}, [], [], {"use-m3": np.zeros((0, 4), np.float32)})
        names.append(build.name)
    assert names == sorted(names) and names[0] > "build-29991231-235959-999999999"
    assert current_build(index_dir).name == names[-1]


# --- 5. upload names --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("given,stored", [(".x.md", "x.md"), ("_x.md", "x.md"), ("..\\..\\y.md", "y.md"),
                                          ("../../etc/z.txt", "z.txt"), ("보고서.pdf", "보고서.pdf")])
def test_upload_names_are_ones_the_build_indexes(given, stored):
    from assistant.ingest import ignored_reason
    from assistant.uploads import upload_name

    name, why = upload_name(given)
    assert (name, why) == (stored, "") and ignored_reason(Path(name)) is None


@pytest.mark.parametrize("given", ["README.md", "notes.docx", "...", "__"])
def test_upload_names_the_build_would_pass_over_are_refused(given):
    from assistant.uploads import upload_name

    name, why = upload_name(given)
    assert name == "" and why


def test_only_files_the_server_received_are_staged(tmp_path, settings_for, tiny_corpus):
    from assistant.uploads import settle, stage

    received_in = tmp_path / "gradio-uploads"
    (received_in / "abc").mkdir(parents=True)
    good = received_in / "abc" / "_note.md"
    good.write_text(MD_DAEGU, encoding="utf-8")
    outside = tmp_path / "server-secret.md"
    outside.write_text(MD_DAEGU, encoding="utf-8")
    s = settings_for(tiny_corpus)
    copied, refused = stage([(good, good.name), (outside, outside.name)], s, received_in, set(), lambda src: None)
    assert [p.name for p, _ in copied] == ["note.md"]
    assert refused[0].given == "server-secret.md" and "uploaded through this page" in refused[0].reason
    assert not (Path(s.upload_dir) / "server-secret.md").exists()
    # The build skipped it after all: it is removed again and reported with the build's reason.
    outcomes = settle(copied, indexed=set(), skipped={"note.md": "no text to index"})
    assert not outcomes[0].added and outcomes[0].reason == "no text to index"
    assert not (Path(s.upload_dir) / "note.md").exists()


# --- 6, 9a. text at the boundary; bounded work per question -------------------------------------------------------

def test_text_from_outside_is_cleaned():
    from assistant.clean import clean_history, clean_text

    assert clean_text("대구\ud800 사업비") == "대구\ufffd 사업비"
    assert clean_text(b"\xff\xfe\xed\xa0\x80") .count("\ufffd") >= 3
    assert clean_text("a\u202eb\x00c") == "abc"
    hist = clean_history([{"role": "user", "content": "x\udc80"}, {"role": "system", "content": "y"}, None] * 30)
    assert len(hist) == 20 and all(t["content"] == "x " for t in hist)
    assert clean_text("대구\ud800특구", " ") == "대구 특구"


def test_the_work_one_query_costs_is_bounded(tiny_corpus, settings_for):
    from assistant.retrieval import HybridRetriever

    class Recording(FakeEmbedder):
        def embed_queries(self, texts):
            self.asked = list(texts)
            return super().embed_queries(texts)

    s = settings_for(tiny_corpus)
    build(s)
    emb = Recording()
    retriever = HybridRetriever.from_settings(load(s.index_dir, ["use-m3"]), {"use-m3": emb}, s)
    retriever.retrieve("대구 도심융합특구 사업비 " * 200, k=3)
    assert len(emb.asked[0]) <= 500


def test_half_written_uploads_left_by_a_killed_process_are_cleared(tmp_path):
    from assistant.uploads import STALE_PART_SECONDS, clear_stale_parts

    old, fresh = tmp_path / ".a.md.part", tmp_path / ".b.md.part"
    old.write_text("half")
    fresh.write_text("in progress")
    past = old.stat().st_mtime - STALE_PART_SECONDS - 10
    os.utime(old, (past, past))
    assert clear_stale_parts(tmp_path) == [".a.md.part"] and fresh.exists() and not old.exists()
