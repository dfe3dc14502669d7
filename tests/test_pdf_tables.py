"""Ruled tables in PDFs come out as tables: one line per row, each cell under its column's header, in the page's
reading order; a page without a table keeps pypdf's text. Real PDFs (written with fpdf2's ruled tables, and the
corpus's own), no mocks."""

from pathlib import Path

import pytest

from assistant.ingest import SourceFile, load_file
from assistant.ingest.pdf_tables import table_rows

from conftest import ROOT, SHARED


def test_rows_are_read_under_their_headers_and_merged_cells_filled():
    rows = [["구분", "성장촉진지역등", "그 밖의 지역"],
            ["광역시", "100% 7년", "100% 5년"],
            [None, "50% 4년", None],
            ["그 밖", "100% 10년", "100% 7년"]]
    assert table_rows(rows) == ["구분: 광역시 · 성장촉진지역등: 100% 7년 · 그 밖의 지역: 100% 5년",
                                "구분: 광역시 · 성장촉진지역등: 50% 4년",  # a row title merged down the rows
                                "구분: 그 밖 · 성장촉진지역등: 100% 10년 · 그 밖의 지역: 100% 7년"]


def test_a_table_without_a_header_row_gives_its_cells_in_order():
    assert table_rows([["", "2024"], ["면적", "191만㎡"]]) == ["2024", "면적 · 191만㎡"]
    # A header cell spanning the row names no column: the rows are given as cells, the header row too.
    assert table_rows([["항목", None], ["면적", "191만㎡\n(보도)"]]) == ["항목", "면적 · 191만㎡ (보도)"]


def make_table_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "1. Budget\nThe programme funds three districts over two years.", new_x="LMARGIN", new_y="NEXT")
    with pdf.table() as table:
        for row in (("District", "Budget", "Years"), ("Cortex", "USD 29 million", "2002-2004"),
                    ("one-north", "SGD 40 million", "2001-2003")):
            cells = table.row()
            for value in row:
                cells.cell(value)
    pdf.multi_cell(0, 6, "2. Notes\nFigures are as announced.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_a_pdf_table_is_read_row_by_row_in_its_place_on_the_page(tmp_path):
    path = make_table_pdf(tmp_path / "budget.pdf")
    doc = load_file(SourceFile(path, tmp_path, "budget.pdf"))
    lines = [ln for ln in doc.text.split("\n") if ln.strip()]
    row = "District: Cortex · Budget: USD 29 million · Years: 2002-2004"
    assert row in lines and "District: one-north · Budget: SGD 40 million · Years: 2001-2003" in lines
    text = doc.text
    assert text.index("three districts") < text.index(row) < text.index("as announced")
    assert doc.meta["tables"] == 1


def test_the_relocation_guide_gives_each_region_its_rates_under_the_column_headers():
    rel = "pdf/relocation-tax-relief-guide-ko.pdf"
    doc = load_file(SourceFile(ROOT / "corpus" / rel, ROOT / "corpus", rel))
    assert "2) 수도권 밖 광역시 · 성장촉진지역등: 100% 7년 → 50% 4년 · 그 밖의 지역: 100% 5년 → 50% 3년" in doc.text


@pytest.mark.skipif(not (SHARED / "external" / "pdfs" / "ko").is_dir(), reason="needs ../shared/external/pdfs")
def test_a_table_whose_cells_miss_text_in_its_frame_is_read_as_text():
    # The review report's member table sets its row titles (성별비율 …) where pdfplumber's cells miss them.
    folder = SHARED / "external" / "pdfs" / "ko"
    doc = load_file(SourceFile(folder / "review-report-2125318.pdf", folder, "review-report-2125318.pdf"))
    assert "성별비율" in doc.text.replace(" ", "")
