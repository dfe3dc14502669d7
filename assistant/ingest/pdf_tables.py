"""Ruled tables in PDFs read as tables (pdfplumber, MIT): a page that holds one is read by bands from the top, the
text between tables as text and each table one line per row, "header: cell · header: cell", as HWP tables are.
pypdf reads a table as a run of its cells, with the column headers far from the figures they name.

Pages without a ruled table keep pypdf's text: only a page with a table changes."""

from __future__ import annotations

import logging
from pathlib import Path

# The first character of a table row's line while the page is assembled: line re-joining leaves such lines alone.
ROW_MARK = "\x1e"
_MIN_ROWS, _MIN_COLS = 2, 2
_MIN_FILLED = 0.4  # share of a table's cells that hold text; less is a frame drawn around text, not a table
_MIN_HELD = 0.95  # share of the text inside a table's frame its cells must hold


def pages_with_tables(path: Path, pages: list[str], skip: set[int]) -> tuple[list[str], int]:
    """The pages' texts, those holding a ruled table re-read by bands (except the pages in `skip`, read by OCR),
    and the number of tables read. Any failure leaves a page as pypdf read it."""
    import pdfplumber  # local: keeps `import assistant` light

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    out, count = list(pages), 0
    with pdfplumber.open(str(path)) as pdf:
        for i, page in enumerate(pdf.pages[:len(pages)]):
            if i in skip:
                continue
            try:
                tables = [t for t in page.find_tables() if _is_table(t) and _holds_its_text(page, t)]
                if tables:
                    out[i] = _read_by_bands(page, tables)
                    count += len(tables)
            except Exception:  # noqa: BLE001 - pdfminer fails in many undocumented ways; pypdf's text stands
                continue
            finally:
                page.close()
    return out, count


def _is_table(table) -> bool:
    rows = table.extract()
    if len(rows) < _MIN_ROWS or max((len(r) for r in rows), default=0) < _MIN_COLS:
        return False
    cells = [c for r in rows for c in r]
    return sum(1 for c in cells if c and c.strip()) >= _MIN_FILLED * len(cells)


def _holds_its_text(page, table) -> bool:
    """The table's cells hold (nearly) all the text printed inside its frame: a label a cell does not capture (a
    row title set in a merged cell pdfplumber misses) would be lost, so such a table is read as text instead."""
    inside = "".join((page.crop(table.bbox, strict=False).extract_text() or "").split())
    cells = "".join("".join(c.split()) for row in table.extract() for c in row if c)
    return len(cells) >= _MIN_HELD * len(inside)


def _read_by_bands(page, tables) -> str:
    """The page from top to bottom: the text above each table (and beside it), then the table's rows."""
    tables = sorted(tables, key=lambda t: t.bbox[1])
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
        y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    free = page.filter(outside)
    parts: list[str] = []
    top = 0.0
    for table in tables:
        bottom = max(top, min(table.bbox[3], page.height))
        parts.append(_text(free, top, bottom))
        parts.append("\n".join(ROW_MARK + row for row in table_rows(table.extract())))
        top = bottom
    parts.append(_text(free, top, page.height))
    return "\n".join(p for p in parts if p.strip())


def _text(page, top: float, bottom: float) -> str:
    if bottom - top < 1:
        return ""
    return page.crop((0, top, page.width, bottom), strict=False).extract_text() or ""


def table_rows(rows: list[list[str | None]]) -> list[str]:
    """Each body row as "header: cell · header: cell" under the first row's headers. A merged cell (None) takes
    its left neighbour's text in the header and the text above it in the body; a table whose first row is no
    header (empty or repeated cells) gives its rows as "cell · cell"."""
    width = max(len(r) for r in rows)
    grid = [[_cell(c) for c in r] + [None] * (width - len(r)) for r in rows]
    header = _fill_left(grid[0])
    for r in range(1, len(grid)):
        for c in range(width):
            if grid[r][c] is None:  # a row title merged down the rows, not the header above the first
                grid[r][c] = grid[r - 1][c] if c == 0 and r > 1 else ""
    named = all(header) and len(set(header)) == len(header)
    out = []
    for row in grid[1:] if named else grid:
        cells = [(h, v or "") for h, v in zip(header, row)] if named else [("", v or "") for v in row]
        shown = [f"{h}: {v}" if h and v else v for h, v in cells if v]
        if shown:
            out.append(" · ".join(shown))
    return out


def _cell(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


def _fill_left(row: list[str | None]) -> list[str]:
    out: list[str] = []
    for value in row:
        out.append(value if value is not None else (out[-1] if out else ""))
    return out
