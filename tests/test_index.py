"""The index on disk: incremental rebuilds, bad files, interrupted builds, incompatible settings."""

from pathlib import Path

import pytest

from assistant.errors import IndexIncompatibleError, IndexMissingError
from assistant.index import build_index, is_stale, load
from assistant.index.store import current_build

from conftest import FakeEmbedder


def build(settings, emb=None, **kw):
    emb = emb or FakeEmbedder()
    return build_index(settings, embedders={"use-m3": emb}, progress=False, **kw), emb


def test_build_then_rebuild_only_changed_file(tiny_corpus, settings_for):
    s = settings_for(tiny_corpus)
    report, emb = build(s)
    assert sorted(report.added) == ["en/cortex.md", "ko/act.md", "ko/daegu.md", "pdf/one-north.pdf"]
    first = load(s.index_dir, ["use-m3"])
    assert len(first.chunks) == report.chunks == first.vectors["use-m3"].count
    assert not is_stale(s)

    # Nothing changed: nothing embedded, nothing written.
    again, emb2 = build(s)
    assert not again.written and emb2.embedded == []

    # Change one file: only its chunks are embedded again.
    p = tiny_corpus / "en" / "cortex.md"
    p.write_text(p.read_text(encoding="utf-8").replace("founded in 2002", "founded in 2002 (changed)"), encoding="utf-8")
    assert is_stale(s)
    changed, emb3 = build(s)
    assert changed.changed == ["en/cortex.md"] and changed.added == []
    assert emb3.embedded and all("Cortex" in t for t in emb3.embedded)
    idx = load(s.index_dir, ["use-m3"])
    assert any("(changed)" in c.text for c in idx.chunks)
    # Reused vectors are the same as before.
    before = {c.chunk_id: i for i, c in enumerate(first.chunks)}
    for i, c in enumerate(idx.chunks):
        if c.doc_id == "ko/daegu.md":
            a = idx.vectors["use-m3"].matrix()[i]
            b = first.vectors["use-m3"].matrix()[before[c.chunk_id]]
            assert (a == b).all()


def test_deleted_file_drops_its_chunks(tiny_corpus, settings_for):
    s = settings_for(tiny_corpus)
    build(s)
    (tiny_corpus / "ko" / "act.md").unlink()
    report, emb = build(s)
    assert report.removed == ["ko/act.md"] and emb.embedded == []
    idx = load(s.index_dir, ["use-m3"])
    assert not any(c.doc_id == "ko/act.md" for c in idx.chunks)
    assert "ko/act.md" not in idx.files


def test_corrupt_and_bad_files_are_skipped_with_reasons(tiny_corpus, settings_for):
    (tiny_corpus / "pdf" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage without end")
    (tiny_corpus / "pdf" / "fake.pdf").write_text("this is not a pdf at all", encoding="utf-8")
    (tiny_corpus / "ko" / "empty.md").write_text("", encoding="utf-8")
    (tiny_corpus / "ko" / "binary.txt").write_bytes(bytes(range(256)) * 4)
    s = settings_for(tiny_corpus)
    report, _ = build(s)
    skipped = dict(report.skipped)
    assert set(skipped) == {"pdf/broken.pdf", "pdf/fake.pdf", "ko/empty.md", "ko/binary.txt"}
    assert "not a PDF" in skipped["pdf/fake.pdf"] and "empty" in skipped["ko/empty.md"]
    assert "corrupt" in skipped["pdf/broken.pdf"] or "unreadable" in skipped["pdf/broken.pdf"]
    assert len(report.added) == 4  # the good files are all in
    text = "\n".join(report.lines())
    assert "pdf/broken.pdf" in text
    assert not is_stale(s)  # unchanged bad files do not force endless rebuilds


def test_encrypted_pdf_is_skipped(tiny_corpus, settings_for):
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(str(tiny_corpus / "pdf" / "one-north.pdf")))
    w.encrypt(user_password="secret", owner_password="owner")
    with open(tiny_corpus / "pdf" / "locked.pdf", "wb") as fh:
        w.write(fh)
    report, _ = build(settings_for(tiny_corpus))
    assert "encrypted" in dict(report.skipped)["pdf/locked.pdf"]


def test_interrupted_build_leaves_previous_index_loadable(tiny_corpus, settings_for):
    s = settings_for(tiny_corpus)
    build(s)
    live = current_build(s.index_dir)
    before = len(load(s.index_dir, ["use-m3"]).chunks)
    (tiny_corpus / "en" / "extra.md").write_text("---\ntitle: Extra\nlang: en\n---\n\n# Extra\n\n" + "New text. " * 200,
                                                 encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build(s, emb=FakeEmbedder(fail_after=0))
    assert current_build(s.index_dir) == live
    idx = load(s.index_dir, ["use-m3"])
    assert len(idx.chunks) == before
    assert not [p for p in Path(s.index_dir).iterdir() if p.name.startswith(".tmp-")]


def test_incompatible_embedder_or_schema_is_refused_with_rebuild_hint(tiny_corpus, settings_for):
    s = settings_for(tiny_corpus)
    build(s)
    with pytest.raises(IndexIncompatibleError, match="policy-assistant index build"):
        load(s.index_dir, ["e5-small"])
    manifest = current_build(s.index_dir) / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"schema_version": 1', '"schema_version": 99'))
    with pytest.raises(IndexIncompatibleError, match="schema version 99"):
        load(s.index_dir, ["use-m3"])


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexMissingError, match="index build"):
        load(tmp_path / "nowhere", ["use-m3"])


def test_chunk_records_are_json_not_pickle(tiny_corpus, settings_for):
    s = settings_for(tiny_corpus)
    build(s)
    build_dir = current_build(s.index_dir)
    names = sorted(p.name for p in build_dir.iterdir())
    assert names == ["chunks.jsonl", "manifest.json", "vectors-use-m3.faiss"]
    import json

    m = json.loads((build_dir / "manifest.json").read_text())
    assert m["embedders"] == [{"name": "use-m3", "dim": 64}]
    assert m["params"]["chunk_size"] == s.chunk_size and "tokenizer" in m["params"]
    assert all(len(f["sha256"]) == 64 for f in m["files"].values())
