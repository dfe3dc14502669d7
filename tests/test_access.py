"""Document access levels: a passage above a user's clearance is never returned, on any path.

The levels come from front matter or a metadata sidecar (for a PDF); enforcement is in the retriever's mask, before
any scoring, so search, answers, follow-ups, the extra searches answers make, briefings, eligibility clauses and
the document list all see the same narrowed index."""

from __future__ import annotations

import pytest

from assistant.errors import IngestError, InputError, NotCoveredError
from assistant.index import build_index, load

from conftest import MD_DAEGU, FakeEmbedder, make_pdf

SECRET = "금고동 비밀 청사 이전 예산은 9,876억 원으로 잠정 책정되었다."
RESTRICTED_MD = f"""---
title: "금고동 청사 이전 내부 검토"
doc_type: plan
lang: ko
access: restricted
---

# 금고동 청사 이전 내부 검토

{SECRET} 이 안은 아직 공개되지 않았다.
"""


@pytest.fixture
def secured(tmp_path, settings_for, tiny_corpus):
    from assistant.bot import Assistant

    (tiny_corpus / "ko" / "vault.md").write_text(RESTRICTED_MD, encoding="utf-8")
    (tiny_corpus / "ko" / "daegu.md").write_text(MD_DAEGU.replace("lang: ko", "lang: ko\naccess: public"),
                                                 encoding="utf-8")
    make_pdf(tiny_corpus / "pdf" / "vault-annex.pdf", ["Vault annex\nThe vault relocation reserve is 4,321 units."])
    (tiny_corpus / "pdf" / "vault-annex.pdf.meta.yaml").write_text("access: restricted\n", encoding="utf-8")
    s = settings_for(tiny_corpus)
    build_index(s, embedders={"use-m3": FakeEmbedder()}, progress=False)
    bot = Assistant(load(s.index_dir, ["use-m3"]), s, embedders={"use-m3": FakeEmbedder()})
    return bot


def restricted_ids(bot) -> set[str]:
    return {"ko/vault.md", "pdf/vault-annex.pdf"}


def test_levels_are_read_from_front_matter_and_sidecars(secured):
    files = secured.index.files
    assert files["ko/vault.md"]["meta"]["access"] == "restricted"
    assert files["pdf/vault-annex.pdf"]["meta"]["access"] == "restricted"
    assert files["ko/daegu.md"]["meta"]["access"] == "public"
    assert files["en/cortex.md"]["meta"]["access"] == "internal"  # says nothing: the default


def test_an_unknown_level_is_refused_not_guessed(tiny_corpus, settings_for):
    (tiny_corpus / "ko" / "odd.md").write_text("---\ntitle: x\naccess: secret\n---\n\n# X\n\n본문\n", encoding="utf-8")
    report = build_index(settings_for(tiny_corpus), embedders={"use-m3": FakeEmbedder()}, progress=False)
    assert "access" in dict(report.skipped)["ko/odd.md"]


def test_every_path_is_narrowed_for_a_reader_without_clearance(secured):
    reader = secured.scoped(("public", "internal"))
    hidden = restricted_ids(secured)
    for query in ("금고동 비밀 청사 이전 예산", "vault relocation reserve"):
        assert not {h.doc_id for h in reader.search(query, k=20)} & hidden
        assert {h.doc_id for h in secured.search(query, k=20)} & hidden  # the full view does find them
        answer = reader.ask(query + "은 얼마인가요?")
        assert not {c.doc_id for c in answer.citations} & hidden
        assert "9,876" not in answer.text and "4,321" not in answer.text
    # A follow-up whose history names the secret still searches only what the reader may see.
    follow = reader.ask("그럼 그 예산은요?", history=[{"role": "user", "content": SECRET},
                                                  {"role": "assistant", "content": SECRET}])
    assert not {c.doc_id for c in follow.citations} & hidden
    assert not set(reader.documents) & hidden and set(secured.documents) >= hidden
    assert not reader.visible("ko/vault.md")
    with pytest.raises(InputError):
        reader.locate("ko/vault.md", SECRET)
    try:
        brief = reader.brief("금고동 비밀 청사 이전 예산")
    except NotCoveredError as refused:
        assert not any(d in " ".join(refused.closest) for d in hidden)
    else:
        assert not {c.doc_id for c in brief.citations} & hidden


def test_the_mask_is_applied_before_scoring(secured):
    from assistant.retrieval import Filters

    mask = secured.retriever.mask(Filters(levels=("public",)))
    rows = [c.doc_id for c, keep in zip(secured.retriever.chunks, mask) if keep]
    assert rows and set(rows) == {"ko/daegu.md"}


def test_sidecar_edits_reindex_the_document(secured, tiny_corpus):
    from assistant.index import is_stale

    (tiny_corpus / "pdf" / "vault-annex.pdf.meta.yaml").write_text("access: public\n", encoding="utf-8")
    assert is_stale(secured.settings)
    build_index(secured.settings, embedders={"use-m3": FakeEmbedder()}, progress=False)
    assert load(secured.settings.index_dir, ["use-m3"]).files["pdf/vault-annex.pdf"]["meta"]["access"] == "public"


def test_a_bad_sidecar_skips_its_document(tiny_corpus, settings_for):
    make_pdf(tiny_corpus / "pdf" / "annex.pdf", ["Annex\nSome text about the annex."])
    (tiny_corpus / "pdf" / "annex.pdf.meta.yaml").write_text("access: [unclosed\n", encoding="utf-8")
    report = build_index(settings_for(tiny_corpus), embedders={"use-m3": FakeEmbedder()}, progress=False)
    assert "metadata file" in dict(report.skipped)["pdf/annex.pdf"]
    assert "pdf/annex.pdf.meta.yaml" in dict(report.ignored)
    with pytest.raises(IngestError):
        from assistant.ingest import SourceFile, load_file

        load_file(SourceFile(tiny_corpus / "pdf" / "annex.pdf", tiny_corpus, "pdf/annex.pdf"))
