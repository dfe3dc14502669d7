"""The shipped corpus: size, metadata, PDFs that extract with Hangul and spacing intact, traceable figures."""

import re
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from assistant.ingest import discover, load_file

from conftest import ROOT

DOC_TYPES = {"press_release", "plan", "law_guide", "site_profile", "case_study", "programme_guide", "faq", "glossary",
             "comparison"}
SRC = ROOT / "corpus-src" / "pdf"


@lru_cache(maxsize=1)
def corpus():
    return {s.doc_id: load_file(s) for s in discover([ROOT / "corpus"])}


def test_size_and_mix():
    docs = corpus()
    assert len(docs) >= 40
    assert sum(len(d.text.split()) for d in docs.values()) >= 50_000
    langs = [d.meta["lang"] for d in docs.values()]
    assert langs.count("ko") >= 15 and langs.count("en") >= 15
    multipage = [d for d in docs.values() if d.doc_id.endswith(".pdf") and max(s.page or 0 for s in d.segments) > 1]
    assert len(multipage) >= 12


def test_every_document_has_its_metadata():
    for doc_id, d in corpus().items():
        m = d.meta
        assert d.title and m.get("doc_type") in DOC_TYPES, doc_id
        assert m.get("lang") in ("ko", "en"), doc_id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(m.get("date", ""))), doc_id
        assert m.get("sources") and all(str(s).strip() for s in m["sources"]), doc_id


def test_only_one_copy_of_each_pdf_document_is_indexed():
    slugs = {p.stem for p in SRC.glob("*.md")}
    assert slugs == {p.stem for p in (ROOT / "corpus" / "pdf").glob("*.pdf")}
    indexed = {Path(d).stem for d in corpus() if not d.endswith(".pdf")}
    assert not slugs & indexed


@pytest.mark.parametrize("slug", sorted(p.stem for p in SRC.glob("*.md")))
def test_pdf_text_keeps_hangul_spacing_and_the_facts_of_its_source(slug):
    sys.path.insert(0, str(ROOT / "scripts"))
    from fact_check import figures

    doc = corpus()[f"pdf/{slug}.pdf"]
    source = (SRC / f"{slug}.md").read_text(encoding="utf-8").split("---", 2)[-1]
    if doc.meta["lang"] == "ko":
        hangul = len(re.findall(r"[\uac00-\ud7a3]", doc.text))
        assert hangul > 1000
        # Word spacing survives: Korean prose averages a space every 3-5 characters; text without spacing has none.
        assert doc.text.count(" ") / max(hangul, 1) > 0.2
        assert "대구" in doc.text or "특구" in doc.text or "기회발전" in doc.text
    src_figs, pdf_figs = figures(source), figures(doc.text)
    missing = src_figs - pdf_figs
    assert len(missing) <= max(1, len(src_figs) // 20), f"figures of the source missing from the PDF text: {missing}"


def test_figures_are_traceable_to_fact_sources():
    if not (ROOT.parent / "shared" / "corpus-facts.md").is_file():
        pytest.skip("../shared is not beside this clone")
    sys.path.insert(0, str(ROOT / "scripts"))
    from fact_check import check

    res = check()
    total = sum(len(a) + len(b) for a, b in res.values())
    traced = sum(len(a) for a, _ in res.values())
    assert traced / total >= 0.99  # floor: only goes up as facts are traced (99.6% on 2026-11-24)


def test_corpus_readme_lists_every_document():
    readme = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    for doc_id in corpus():
        assert f"`{doc_id}`" in readme
