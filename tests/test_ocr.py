"""Scanned PDF pages (no text layer) read by OCR. The scans are made here from real PDFs: their pages are rendered
to pictures (pdftoppm) and wrapped into a new PDF that holds only those pictures (Pillow), as a scanner would.
Tests that run Tesseract are skipped, with the reason, where it or its Korean data is not installed."""

from __future__ import annotations

import re
import subprocess
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingest import SourceFile, load_file, load_pdf, ocr
from conftest import ROOT, make_pdf

KO_PDFS = ROOT.parent / "shared" / "external" / "pdfs" / "ko"
WHY_NO_OCR = ocr.unavailable()
needs_ocr = pytest.mark.skipif(WHY_NO_OCR is not None, reason=f"OCR tools missing: {WHY_NO_OCR}")
needs_ko_pdfs = pytest.mark.skipif(not KO_PDFS.is_dir(), reason="../shared/external is not beside the project")

ENGLISH = [
    "1. Overview\nThe harbour district opened in 2019 with forty research firms and a public library.",
    "2. Funding\nThe city council granted twelve million dollars for housing near the station.",
]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def scan_of(src: Path, pages: list[int], out: Path, dpi: int = 300) -> Path:
    """A PDF whose pages are pictures of `pages` (1-based) of `src`: no text layer at all."""
    from PIL import Image

    images = []
    for n in pages:
        root = out.parent / f"{out.stem}-{n}"
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(n), "-l", str(n), "-singlefile",
                        str(src), str(root)], check=True, capture_output=True)
        images.append(Image.open(f"{root}.png"))
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    for img in images:
        img.close()
    return out


def blank_scan(out: Path, pages: int = 1) -> Path:
    """A picture-only PDF made without any OCR tool (for the tests that run without them)."""
    from PIL import Image

    images = [Image.new("L", (850, 1100), 255) for _ in range(pages)]
    images[0].save(out, "PDF", resolution=100, save_all=True, append_images=images[1:])
    return out


def joined(parts: list[Path], out: Path) -> Path:
    """The pages of several PDFs, in order, as one PDF."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        for page in PdfReader(part).pages:
            writer.add_page(page)
    with open(out, "wb") as fh:
        writer.write(fh)
    return out


def page_texts(doc) -> dict[int, str]:
    out: dict[int, str] = {}
    for seg in doc.segments:
        out[seg.page] = out.get(seg.page, "") + doc.text[seg.start:seg.end]
    return out


def test_a_scan_without_tesseract_is_skipped_with_what_to_install(tmp_path, monkeypatch):
    scan = blank_scan(tmp_path / "scan.pdf", pages=2)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))  # neither tesseract nor pdftoppm can be found
    with pytest.raises(IngestError) as err:
        load_file(SourceFile(path=scan, root=tmp_path, doc_id="scan.pdf"))
    assert err.value.reason == "scanned pages need OCR: install tesseract-ocr and tesseract-ocr-kor"


def test_a_mixed_pdf_without_tesseract_keeps_its_text_pages(tmp_path, monkeypatch):
    text = make_pdf(tmp_path / "text.pdf", ENGLISH)
    mixed = joined([text, blank_scan(tmp_path / "scan.pdf")], tmp_path / "mixed.pdf")
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    doc = load_pdf(mixed, "mixed.pdf")
    assert "harbour district" in doc.text and {s.page for s in doc.segments} == {1, 2}
    assert doc.meta["ocr_pages"] == 0 and doc.meta["ocr_missed"] == 1
    assert "install tesseract-ocr" in doc.meta["ocr_reason"]


def test_a_pdf_with_text_on_every_page_records_no_ocr(tmp_path):
    doc = load_pdf(make_pdf(tmp_path / "text.pdf", ENGLISH), "text.pdf")
    assert "ocr_pages" not in doc.meta


def test_a_huge_page_is_rendered_to_a_bounded_picture():
    assert ocr._resolution(842) == (["-r", "300"], 300)  # A4
    assert ocr._resolution(0) == (["-r", "300"], 300)  # an unreadable box
    args, dpi = ocr._resolution(14400 * 75000)  # a 200-inch page with the largest UserUnit
    assert args == ["-scale-to", str(ocr.MAX_SIDE_PX)] and dpi == 1


@needs_ocr
def test_a_page_over_its_time_is_missed_and_the_rest_not_tried(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "OCR_TIMEOUT_S", 0.001)
    result = ocr.ocr_pages(blank_scan(tmp_path / "scan.pdf", pages=3), [0, 1, 2])
    assert result.texts == {}
    assert "timed out" in result.missed[0] and result.missed[2] == "not tried after page 1 timed out"


@needs_ocr
@pytest.mark.slow
def test_scanned_pages_of_a_made_pdf_are_read_with_their_pages(tmp_path, monkeypatch):
    scan = scan_of(make_pdf(tmp_path / "text.pdf", ENGLISH), [1, 2], tmp_path / "scan.pdf")
    calls = []
    real = ocr.ocr_page
    monkeypatch.setattr(ocr, "ocr_page", lambda pdf, n, *a, **k: calls.append(n) or real(pdf, n, *a, **k))
    doc = load_pdf(scan, "scan.pdf")
    assert calls == [1, 2] and doc.meta["ocr_pages"] == 2 and "ocr_missed" not in doc.meta
    pages = page_texts(doc)
    assert "twelve million dollars" in pages[2] and "forty research firms" in pages[1]
    # OCR'd lines go through the loader's own line repair: the heading opens its section, the prose is one line.
    assert any(s.section == ("2. Funding",) and s.page == 2 for s in doc.segments)
    assert "The city council granted twelve million dollars for housing near the station." in doc.text.split("\n")


@needs_ocr
@pytest.mark.slow
def test_a_mixed_pdf_ocrs_only_its_picture_page(tmp_path, monkeypatch):
    text = make_pdf(tmp_path / "text.pdf", ENGLISH)
    picture = scan_of(make_pdf(tmp_path / "other.pdf", ["3. Lessons\nA port authority can lead a district."]), [1],
                      tmp_path / "picture.pdf")
    mixed = joined([text, picture], tmp_path / "mixed.pdf")
    calls = []
    real = ocr.ocr_page
    monkeypatch.setattr(ocr, "ocr_page", lambda pdf, n, *a, **k: calls.append(n) or real(pdf, n, *a, **k))
    doc = load_pdf(mixed, "mixed.pdf")
    assert calls == [3] and doc.meta["ocr_pages"] == 1
    pages = page_texts(doc)
    assert "port authority can lead a district" in pages[3]
    assert pages[1] == page_texts(load_pdf(text, "text.pdf"))[1]  # text pages read as before


@needs_ocr
@pytest.mark.slow
def test_the_page_limit_leaves_the_rest_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "MAX_OCR_PAGES", 1)
    doc = load_pdf(scan_of(make_pdf(tmp_path / "text.pdf", ENGLISH), [1, 2], tmp_path / "scan.pdf"), "scan.pdf")
    assert doc.meta["ocr_pages"] == 1 and doc.meta["ocr_missed"] == 1
    assert "limit of 1" in doc.meta["ocr_reason"] and {s.page for s in doc.segments} == {1}


@needs_ocr
@needs_ko_pdfs
@pytest.mark.slow
def test_scanned_korean_pages_are_read_with_their_page_numbers(tmp_path):
    from pypdf import PdfReader

    src = KO_PDFS / "bill-2125318.pdf"
    doc = load_pdf(scan_of(src, [1, 2, 3], tmp_path / "scan.pdf"), "scan.pdf")
    assert doc.meta["ocr_pages"] == 3 and doc.lang == "ko"
    references = [squash(page.extract_text()) for page in PdfReader(src).pages[:3]]
    pages = page_texts(doc)
    assert set(pages) == {1, 2, 3}
    for number, text in pages.items():
        likeness = [SequenceMatcher(None, squash(text), ref, autojunk=False).ratio() for ref in references]
        # Each page reads like its own original (measured 0.86-0.96), not like the others.
        assert likeness[number - 1] >= 0.75 and likeness[number - 1] == max(likeness), (number, likeness)
    assert "탄소중립" in pages[2]
