from pathlib import Path

from assistant.chunking import chunk_document, sentence_pieces, split_articles
from assistant.ingest import SourceFile, load_file
from assistant.types import Segment

from conftest import make_pdf


def load(path: Path, root: Path):
    return load_file(SourceFile(path, root, path.relative_to(root).as_posix()))


def test_markdown_headings_become_section_paths(tiny_corpus):
    doc = load(tiny_corpus / "ko" / "daegu.md", tiny_corpus)
    assert doc.doc_id == "ko/daegu.md"
    assert doc.title == "대구 도심융합특구 현황"
    assert doc.meta["doc_type"] == "site_profile" and doc.meta["date"] == "2024-11-10"
    chunks = chunk_document(doc)
    sections = [c.section for c in chunks]
    assert "1. 개요" in sections
    assert "2. 중점 산업 > 2.1 도심항공교통" in sections
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text  # spans point into the document


def test_statute_articles_are_sections(tiny_corpus):
    doc = load(tiny_corpus / "ko" / "act.md", tiny_corpus)
    chunks = chunk_document(doc)
    by_section = {c.section: c.text for c in chunks}
    assert any(s.endswith("제4조 (적용 범위)") for s in by_section)
    art8 = next(t for s, t in by_section.items() if "제8조" in s)
    assert "지정을 신청할 수 있다" in art8
    assert "수도권" not in art8  # article 4's text stays in article 4


def test_articles_split_inside_plain_text():
    text = "부칙 없음\n제1조(목적) 이 법은 목적을 정한다.\n제2조(정의) 이 법에서 쓰는 말의 뜻은 다음과 같다.\n"
    parts = split_articles(text, Segment(0, len(text), ("법",)))
    assert [p.section[-1] for p in parts[1:]] == ["제1조 (목적)", "제2조 (정의)"]
    assert text[parts[2].start:parts[2].end].startswith("제2조")


def test_pdf_pages_are_kept(tmp_path):
    root = tmp_path / "c"
    root.mkdir()
    make_pdf(root / "p.pdf", ["1. Intro\nFirst page text about zones.", "2. Money\nSecond page says 7,872 billion.",
                              "3. End\nThird page."])
    doc = load(root / "p.pdf", root)
    chunks = chunk_document(doc)
    pages = {c.page for c in chunks}
    assert pages == {1, 2, 3}
    money = next(c for c in chunks if "7,872" in c.text)
    assert money.page == 2 and money.section == "2. Money"


def test_long_sections_split_on_sentences_with_bounded_length():
    sentence = "도심융합특구는 지방 대도시 도심에 산업과 주거와 문화를 함께 모으는 공간이다. "
    text = sentence * 40
    spans = sentence_pieces(text, chunk_size=300, chunk_overlap=60)
    assert len(spans) > 3
    for s, e in spans:
        piece = text[s:e]
        assert len(piece) <= 330
        assert piece.rstrip().endswith("다.")  # sentence-bounded
    # consecutive pieces overlap a little
    assert spans[1][0] < spans[0][1]


def test_english_chunks(tiny_corpus):
    doc = load(tiny_corpus / "en" / "cortex.md", tiny_corpus)
    chunks = chunk_document(doc)
    assert chunks[0].lang == "en"
    assert any("St. Louis" in c.text and c.section == "1. Overview" for c in chunks)
