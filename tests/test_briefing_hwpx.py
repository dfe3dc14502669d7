"""The briefing written as HWPX: a well-formed package that our own reader and python-hwpx both read back with the
same sections, bullets, table and references as the DOCX. Fast: the briefing is built by hand, no models."""

import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from assistant.briefing import Briefing, Bullet
from assistant.briefing_table import Cell, FactTable, Part
from assistant.briefing_hwpx import MIMETYPE, write_hwpx
from assistant.ingest.hwpx import load_hwpx
from assistant.types import Citation

HOSTILE = '비교 대상에 <script>alert("x")</script> & "따옴표"가 섞인 문장'
PARTS = ["mimetype", "version.xml", "META-INF/container.xml", "META-INF/manifest.xml", "Contents/content.hpf",
         "Contents/header.xml", "Contents/section0.xml", "settings.xml"]


def _citation(n, doc_id, title, page, section, date=""):
    return Citation(n=n, doc_id=doc_id, title=title, page=page, section=section, text="…", score=1.0, date=date)


def make_briefing(**overrides) -> Briefing:
    values = dict(
        topic="도심융합특구 비교",
        lang="ko",
        sections=[
            ("개요", [Bullet("국토교통부는 2024년 5월 도심융합특구 5곳을 지정했다.", 1), Bullet(HOSTILE, 2)]),
            ("주요 내용", [Bullet("판교 제2테크노밸리의 면적은 43만㎡이다.", 3), Bullet("원노스의 면적은 200ha이다.", 3)]),
        ],
        citations=[_citation(1, "molit-2024-05", "도심융합특구 지정 보도자료", 2, "", "2024-05-01"),
                   _citation(2, "kdi-report", "KDI 보고서 <초안> & 부록", None, "Ⅱ. 현황"),
                   _citation(3, "gh-pangyo2", "판교 제2테크노밸리 개요", 5, "")],
        table=FactTable(("구분", "면적", "사업비"), ("판교 제2테크노밸리", "원노스"),
                        ((Cell((Part("43만㎡", 3),)), Cell((Part("1조 5천억 원", 3),))), (Cell((Part("200ha"),)), Cell()))),
    )
    values.update(overrides)
    return Briefing(**values)


BULLETS = ["국토교통부는 2024년 5월 도심융합특구 5곳을 지정했다. [1]", HOSTILE + " [2]",
           "판교 제2테크노밸리의 면적은 43만㎡이다. [3]", "원노스의 면적은 200ha이다. [3]"]
HEADINGS = ["1. 개요", "2. 주요 내용", "3. 참고자료"]
REFERENCES = ["[1] 도심융합특구 지정 보도자료 — molit-2024-05, p. 2 (2024-05-01)",
              "[2] KDI 보고서 <초안> & 부록 — kdi-report, Ⅱ. 현황", "[3] 판교 제2테크노밸리 개요 — gh-pangyo2, p. 5"]


@pytest.fixture
def written(tmp_path) -> Path:
    return write_hwpx(make_briefing(), tmp_path / "briefing.hwpx")


def assert_in_order(text: str, pieces: list[str]) -> None:
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        assert found >= 0, f"{piece!r} missing (or out of order) after position {at}"
        at = found + len(piece)


def test_the_package_starts_with_an_uncompressed_mimetype_and_holds_every_part(written):
    with zipfile.ZipFile(written) as zf:
        first = zf.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert zf.read("mimetype") == MIMETYPE.encode() == b"application/hwp+zip"
        assert set(PARTS) <= set(zf.namelist())
    # The signature sits at a fixed offset, as sniffers expect of an OCF package.
    assert written.read_bytes()[30:38] == b"mimetype" and written.read_bytes()[38:57] == b"application/hwp+zip"


def test_every_xml_part_parses_and_document_text_is_never_markup(written):
    with zipfile.ZipFile(written) as zf:
        for name in (n for n in zf.namelist() if n.endswith((".xml", ".hpf"))):
            ElementTree.fromstring(zf.read(name))
        section = zf.read("Contents/section0.xml").decode("utf-8")
    assert "<script>" not in section and "&lt;script&gt;" in section
    assert section.count("<hp:tbl ") == 1 and section.count("<hp:tr>") == 3 and section.count("<hp:tc ") == 9


def test_our_reader_gets_back_headings_bullets_table_and_references_in_order(written):
    doc = load_hwpx(written, "briefing")
    assert doc.title == "도심융합특구 비교 — 검토 보고 (초안)"
    table = ["구분 · 면적 · 사업비", "구분: 판교 제2테크노밸리 · 면적: 43만㎡ [3] · 사업비: 1조 5천억 원 [3]",
             "구분: 원노스 · 면적: 200ha · 사업비: 문서에 없음"]
    assert_in_order(doc.text, [doc.title, *table, HEADINGS[0], *BULLETS[:2], HEADINGS[1], *BULLETS[2:],
                               HEADINGS[2], *REFERENCES])
    assert HOSTILE in doc.text  # literal text, not a tag
    # The headings are Hangul outline headings, so the reader files every passage under its section.
    assert [s.section for s in doc.segments] == [()] + [(h,) for h in HEADINGS]


def test_section_names_equal_the_docx_headings(written, tmp_path):
    from docx import Document as Docx

    docx = Docx(str(make_briefing().to_docx(tmp_path / "b.docx")))
    docx_headings = [p.text for p in docx.paragraphs if p.style.name.startswith("Heading")]
    docx_title = next(p.text for p in docx.paragraphs if p.style.name == "Title")
    doc = load_hwpx(written, "briefing")
    assert [s.section[0] for s in doc.segments if s.section] == docx_headings == HEADINGS
    assert doc.title == docx_title


def test_python_hwpx_opens_it_with_the_same_paragraphs_and_finds_it_schema_valid(written):
    pytest.importorskip("hwpx")
    from hwpx.document import HwpxDocument
    from hwpx.tools.package_validator import validate_editor_open_safety
    from hwpx.tools.validator import validate_document

    doc = HwpxDocument.open(str(written))
    try:
        paragraphs = [p.text for p in doc.paragraphs if p.text]
        table = doc.tables.all[0]
        cells = [[table.cell(r, c).text for c in range(table.column_count)] for r in range(table.row_count)]
    finally:
        doc.close()
    assert paragraphs == ["도심융합특구 비교 — 검토 보고 (초안)", HEADINGS[0], *BULLETS[:2], HEADINGS[1],
                          *BULLETS[2:], HEADINGS[2], *REFERENCES]
    assert cells == [["구분", "면적", "사업비"], ["판교 제2테크노밸리", "43만㎡ [3]", "1조 5천억 원 [3]"],
                     ["원노스", "200ha", "문서에 없음"]]
    report = validate_document(str(written))  # the full OWPML schema (KS X 6101) shipped with python-hwpx
    assert report.ok and not report.issues, [str(i) for i in report.issues]
    safety = validate_editor_open_safety(str(written))
    assert safety.ok, safety.summary


def test_an_english_briefing_without_a_table_but_with_an_as_of_line(tmp_path):
    b = make_briefing(lang="en", table=None, sections=[("Overview", [Bullet("Five zones were named.", 1)])],
                      citations=[_citation(1, "molit", "Press release", None, "")])
    b.as_of = "May 2024"  # a briefing that carries an as-of date
    path = write_hwpx(b, tmp_path / "en.hwpx")
    with zipfile.ZipFile(path) as zf:
        assert "<hp:tbl" not in zf.read("Contents/section0.xml").decode("utf-8")
    text = load_hwpx(path, "en").text
    assert_in_order(text, ["briefing (draft)", "(as of May 2024)", "1. Overview", "Five zones were named. [1]",
                           "2. References", "[1] Press release — molit"])


def test_control_characters_are_dropped_and_an_empty_section_says_so(tmp_path):
    b = make_briefing(table=None, sections=[("개요", [Bullet("제어\x0b문자\x00가 든\n문장이다.", 1)]), ("추진 경과", [])])
    text = load_hwpx(write_hwpx(b, tmp_path / "b.hwpx"), "b").text
    assert_in_order(text, ["1. 개요", "제어문자가 든 문장이다. [1]", "2. 추진 경과", "문서에 없음", "3. 참고자료"])


def test_a_failed_write_leaves_no_file_behind(tmp_path):
    with pytest.raises(OSError):
        write_hwpx(make_briefing(), tmp_path / "missing" / "briefing.hwpx")
    assert list(tmp_path.iterdir()) == []
