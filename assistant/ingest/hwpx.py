"""HWPX loader (the Hangul word processor's zip-of-XML format), and the block model both Hangul formats share.

A document is read into `Block`s in reading order: paragraphs, tables (each row "header: cell · header: cell", so
a retrieved row still says what each figure is), then the notes and text boxes a paragraph anchors. hwp.py makes
the same blocks from HWP 5. `build_document` gives the section path from headings (the file's outline styles, or
the numbering public documents type by hand: "Ⅰ. 과업안내", "1. 행사개요") and pages where they can be trusted.
A zip is hostile until measured (members, total size, ratio capped); XML goes through defusedxml (no DTDs).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from assistant.errors import IngestError
from assistant.types import Document, Segment

from .common import normalise_meta

MAX_MEMBERS = 2000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
# A member this small cannot hurt whatever its ratio (a blank bitmap compresses 500:1); the total cap covers many.
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_DEPTH = 24  # tables in text boxes in tables...: deeper nesting is a crafted file, not a document
MAX_GRID = 250_000  # rows x columns of one table; past this its cells are listed without the grid
# A first-row cell of figures alone (a phone number, a score) is data, not a column name.
_FIGURE = re.compile(r"[\d\s().,:~\-/%]+")
_SECTION = re.compile(r"^Contents/section(\d+)\.xml$")
# Inline marks inside <hp:t>: what each stands for in plain text (others, like pen marks, stand for nothing).
_INLINE = {"tab": " ", "lineBreak": "\n", "nbSpace": " ", "fwSpace": " ", "hyphen": "-"}
# Objects whose text is not the body's: running headers and footers, hidden comments, equation scripts.
_SKIP = {"header", "footer", "hiddenComment", "secPr", "equation", "linesegarray", "script"}
_NOTES = {"footNote": "(각주) ", "endNote": "(미주) "}


@dataclass
class Block:
    """One paragraph, or one rendered table, in reading order."""

    text: str
    level: int | None = None  # heading level the file's own outline style gives (1 = top)
    page: int | None = None
    table: bool = False
    nested: bool = False  # inside a box, note or table: numbered lines there are lists, not the document's headings


@dataclass
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    blocks: list[Block] = field(default_factory=list)

    @cached_property
    def text(self) -> str:
        parts = [clean_text(b.text).replace("\n", " / " if b.table else " ") for b in self.blocks]
        return " ".join(p for p in parts if p)


class PageTracker:
    """Physical pages from the line positions Hangul saves with each paragraph (its layout cache): a line placed
    higher than the one before starts a page. On the district RFP every chapter lands on its contents-page number
    plus cover and contents. Columns restart positions too, and other tools save none: then no page is claimed."""

    def __init__(self) -> None:
        self.page, self.prev, self.valid = 0, None, True
        self.lost = False  # past a table that may run over pages: its rows move on unseen

    def new_section(self) -> None:
        self.page, self.prev = self.page + 1, None  # a new 구역 starts on a new page

    def paragraph(self, positions: list[int], page_break: bool, splits: bool) -> int | None:
        """The page a top-level paragraph starts on; None once a splittable table has hidden the count."""
        if page_break and self.prev is not None:
            self.page, self.prev = self.page + 1, None
        self.valid = self.valid and bool(positions)
        self.lost = self.lost or splits
        start = None
        for pos in positions:
            if self.prev is not None and pos < self.prev:
                self.page += 1
            self.prev = pos
            start = self.page if start is None else start
        return None if self.lost else (self.page if start is None else start)


def _grid(cells: list[Cell], nrows: int, ncols: int) -> list[list[Cell | None]]:
    """Every position a cell covers points at that cell: merged cells resolved."""
    grid: list[list[Cell | None]] = [[None] * ncols for _ in range(nrows)]
    for c in sorted(cells, key=lambda c: (c.row, c.col)):
        for r in range(c.row, min(nrows, c.row + max(1, c.rowspan))):
            for k in range(c.col, min(ncols, c.col + max(1, c.colspan))):
                if grid[r][k] is None:
                    grid[r][k] = c
    return grid


def _has_header(grid: list[list[Cell | None]]) -> bool:
    """Whether the first row names the columns. A form laid out as a table ("담당 부서 | 체육국 | 책임자 | 과장 |
    정태경 | (044-…)") has figures in its first row, or the same labels again further down the same column."""
    first = [c.text if c else "" for c in grid[0]]
    repeats = sum(1 for k, t in enumerate(first) if t and any(row[k] is not None and row[k].text == t
                                                              and row[k] is not grid[0][k] for row in grid[1:]))
    return repeats < 2 and not any(t and _FIGURE.fullmatch(t) for t in first)


def _render_row(row: list[Cell | None], heads: list[str], top: list[Cell | None]) -> str:
    pairs: list[str] = []
    seen: set[int] = set()
    last = None
    for k, c in enumerate(row):
        if c is None or id(c) in seen or not c.text or c is top[k]:
            continue  # a cell merged across columns is said once; a header cell spanning down is no data
        seen.add(id(c))
        head = "/".join(dict.fromkeys(h for h in heads[k:k + max(1, c.colspan)] if h))
        # A header repeated over a run of columns ("노선번호" over sixteen) is said once per row.
        pairs.append(c.text if not head or head in (c.text, last) else f"{head}: {c.text}")
        last = head or last
    return " · ".join(pairs)


def render_table(cells: list[Cell]) -> list[Block]:
    """A table as blocks. A one-column table is a framed box (titles, notes): its paragraphs stay paragraphs.
    Otherwise one line per row under the header row, "header: cell · header: cell"."""
    cells = [c for c in cells if c.row >= 0 and c.col >= 0]
    if not cells:
        return []
    nrows = max(c.row for c in cells) + 1
    ncols = max(c.col for c in cells) + 1
    if ncols == 1:
        blocks = [b for c in sorted(cells, key=lambda c: c.row) for b in c.blocks if clean_text(b.text)]
        for b in blocks:
            b.nested = len(blocks) > 1  # a one-line box is a title ("Ⅰ. 과업안내"); a longer one holds lists
        return blocks
    if nrows * ncols > MAX_GRID:
        return [Block("\n".join(c.text for c in cells if c.text), table=True)]
    grid = _grid(cells, nrows, ncols)
    if nrows == 1 or not _has_header(grid):
        lines = [_render_row(row, [""] * ncols, [None] * ncols) for row in grid]
    else:
        heads = [c.text if c else "" for c in grid[0]]
        # The header row is said once on its own too: a column whose cells are all empty still names itself.
        lines = [" · ".join(dict.fromkeys(h for h in heads if h))] + [_render_row(r, heads, grid[0]) for r in grid[1:]]
    text = "\n".join(line for line in lines if line)
    return [Block(text, table=True)] if text else []


# Headings Korean public documents number by hand: chapters "Ⅰ. 과업안내" / "제1장", items "1. 행사개요" / "제1절",
# boxes "□ 기본 정보". A contents line ("Ⅱ. 과업 세부내용  2") ends with its page number and is no heading.
_PATTERN_LEVELS = (
    (re.compile(r"^(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ]|[IVX]{1,4})\s*[.．]\s*\S"), 1),
    (re.compile(r"^제\s*\d+\s*[편장]\s"), 1),
    (re.compile(r"^\d{1,2}\s*[.．]\s*[^\d\s.]"), 2),
    (re.compile(r"^제\s*\d+\s*절\s"), 2),
    (re.compile(r"^【[^】]{1,20}】$"), 2),
    (re.compile(r"^[□■]\s*\S"), 3),
)
_NOT_HEADING = re.compile(r"[.。:：;,]$|다$|\s\d+$|[:：]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BAD = re.compile(r"[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(text: str) -> str:
    """Collapse the runs of spaces Hangul uses to align text; private-use glyphs (symbol-font bullets) become •."""
    text = _PRIVATE_USE.sub("•", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip("\n")


def pattern_level(text: str) -> int | None:
    s = text.strip()
    if not s or len(s) > 40 or "\n" in s or _NOT_HEADING.search(s):
        return None
    return next((level for rx, level in _PATTERN_LEVELS if rx.match(s)), None)


def build_document(path: Path, doc_id: str, blocks: list[Block], pages_known: bool) -> Document:
    """Join the blocks into one text; a segment opens at every heading and page change, carrying the heading path."""
    parts: list[str] = []
    segments: list[Segment] = []
    stack: list[tuple[int, str]] = []  # (level, heading) of the headings enclosing the current block
    pos = seg_start = 0
    section: tuple[str, ...] = ()
    page = prev_table = None
    for block in blocks:
        text = clean_text(block.text)
        if not text:
            continue
        level = None if block.table or block.nested else (block.level or pattern_level(text))
        block_page = block.page if pages_known else None
        if parts:
            sep = "\n\n" if block.table or prev_table else "\n"
            if (level or block_page != page) and pos > seg_start:
                segments.append(Segment(seg_start, pos, section, page))
                seg_start = pos + len(sep)
            pos += len(sep)
            parts.append(sep)
        if level:
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text[:80]))
            section = tuple(name for _, name in stack)
        page, prev_table = block_page, block.table
        parts.append(text)
        pos += len(text)
    if not parts:
        raise IngestError(doc_id, "no text (the document is empty or holds only pictures)")
    text = "".join(parts)
    visible = re.sub(r"\s", "", text)
    if len(_BAD.findall(visible)) > 0.2 * len(visible):  # a damaged body decodes to replacement and control chars
        raise IngestError(doc_id, "text looks garbled (damaged file?)")
    segments.append(Segment(seg_start, len(text), section, page))
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    title = first if len(first) <= 120 else path.stem
    return Document(doc_id=doc_id, title=title, text=text, segments=tuple(segments), meta=normalise_meta({}, text))


def _open_zip(path: Path, doc_id: str) -> zipfile.ZipFile:
    """The archive, after its directory has been measured against the caps (before anything is inflated)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise IngestError(doc_id, f"not a readable HWPX (damaged or truncated zip: {exc})") from exc
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    bomb = next((i for i in infos if i.file_size > max(RATIO_FLOOR_BYTES, MAX_RATIO * i.compress_size)), None)
    reason = (f"zip has {len(infos)} members, more than {MAX_MEMBERS}" if len(infos) > MAX_MEMBERS
              else f"zip would unpack to {total:,} bytes, more than {MAX_TOTAL_BYTES:,}" if total > MAX_TOTAL_BYTES
              else f"zip member {bomb.filename!r} is compressed more than {MAX_RATIO}:1 (a zip bomb?)" if bomb
              else None)
    if reason:
        zf.close()
        raise IngestError(doc_id, f"{reason}: refused as hostile")
    return zf


def _xml(zf: zipfile.ZipFile, name: str, doc_id: str):
    """One member parsed with defusedxml: a DTD (the door to entity bombs and external fetches) is refused."""
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as SafeET  # local: keeps `import assistant` light
    from defusedxml import DefusedXmlException

    try:
        with zf.open(name) as fh:
            return SafeET.fromstring(fh.read(MAX_TOTAL_BYTES + 1), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise IngestError(doc_id, f"{name} declares a DTD or entities (refused: {type(exc).__name__})") from exc
    except (ParseError, ValueError) as exc:
        raise IngestError(doc_id, f"{name} is not well-formed XML ({exc})") from exc
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
        raise IngestError(doc_id, f"damaged HWPX member {name!r} ({exc})") from exc


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _section_names(zf: zipfile.ZipFile, doc_id: str) -> list[str]:
    """Sections in the order the manifest's spine gives, else by number (section2 before section10)."""
    present = {n for n in zf.namelist() if _SECTION.match(n)}
    if not present:
        raise IngestError(doc_id, "not an HWPX document (no Contents/section*.xml in the zip)")
    ordered: list[str] = []
    if "Contents/content.hpf" in zf.namelist():
        root = _xml(zf, "Contents/content.hpf", doc_id)
        hrefs = {el.get("id"): el.get("href", "") for el in root.iter() if _local(el.tag) == "item"}
        for ref in (el.get("idref") for el in root.iter() if _local(el.tag) == "itemref"):
            href = hrefs.get(ref, "")
            href = href if href.startswith("Contents/") else f"Contents/{href}"
            if href in present and href not in ordered:
                ordered.append(href)
    rest = sorted(present - set(ordered), key=lambda n: int(_SECTION.match(n).group(1)))
    return ordered + rest


def _outline_levels(zf: zipfile.ZipFile, doc_id: str) -> dict[str, int]:
    """paraPr id -> heading level, for paragraph shapes whose heading type is OUTLINE (개요 1..10)."""
    if "Contents/header.xml" not in zf.namelist():
        return {}
    root = _xml(zf, "Contents/header.xml", doc_id)
    levels: dict[str, int] = {}
    for pr in (el for el in root.iter() if _local(el.tag) == "paraPr"):
        head = next((h for h in pr.iter() if _local(h.tag) == "heading"), None)
        if head is not None and head.get("type") == "OUTLINE" and head.get("level", "").isdigit():
            levels[pr.get("id", "")] = int(head.get("level")) + 1
    return levels


def _num(el, key: str, default: int = 1) -> int:
    value = el.get(key, "") if el is not None else ""
    return int(value) if value.isdigit() else default


def _t_text(t) -> str:
    return (t.text or "") + "".join(_INLINE.get(_local(m.tag), "") + (m.tail or "") for m in t)


def _objects(el, levels: dict[str, int], depth: int) -> list[Block]:
    """The text inside an anchored object: text boxes, grouped shapes, captions, notes, tables nested anywhere."""
    if depth > MAX_DEPTH:
        return []
    blocks: list[Block] = []
    for child in el:
        name = _local(child.tag)
        if name in _SKIP:
            continue
        if name == "subList":
            blocks += [b for p in child if _local(p.tag) == "p" for b in _paragraph(p, levels, depth + 1)]
        elif name == "tbl":
            blocks += _table(child, levels, depth + 1)
        elif name in _NOTES:
            blocks += [Block(_NOTES[name] + b.text, table=b.table) for b in _objects(child, levels, depth + 1)]
        else:
            blocks += _objects(child, levels, depth + 1)
    for b in blocks:
        b.nested = True
    return blocks


def _table(tbl, levels: dict[str, int], depth: int) -> list[Block]:
    cells: list[Cell] = []
    caption: list[Block] = []
    for child in tbl:
        if _local(child.tag) == "caption":
            caption += _objects(child, levels, depth)
        for tc in (c for c in child if _local(child.tag) == "tr" and _local(c.tag) == "tc"):
            parts = {_local(x.tag): x for x in tc}
            addr, span = parts.get("cellAddr"), parts.get("cellSpan")
            # A cell without a readable address gets -1 and is left out: it cannot be placed.
            cells.append(Cell(_num(addr, "rowAddr", -1), _num(addr, "colAddr", -1), _num(span, "rowSpan"),
                              _num(span, "colSpan"), _objects(tc, levels, depth)))
    return caption + render_table(cells)


def _paragraph(p, levels: dict[str, int], depth: int) -> list[Block]:
    """The paragraph's own text, then the tables, boxes and notes anchored in it, in order."""
    if depth > MAX_DEPTH:
        return []
    texts: list[str] = []
    anchored: list[Block] = []
    for run in (r for r in p if _local(r.tag) == "run"):
        for child in run:
            name = _local(child.tag)
            if name == "t":
                texts.append(_t_text(child))
            elif name == "tbl":
                anchored += _table(child, levels, depth + 1)
            elif name not in _SKIP:
                anchored += _objects(child, levels, depth + 1)
    return [Block("".join(texts), levels.get(p.get("paraPrIDRef", "")))] + anchored


def _splits(p) -> bool:
    """Whether the paragraph anchors a floating table of several rows that Hangul may break over pages."""
    for tbl in (el for run in p if _local(run.tag) == "run" for el in run if _local(el.tag) == "tbl"):
        pos = next((c for c in tbl if _local(c.tag) == "pos"), None)
        floating = pos is None or pos.get("treatAsChar") != "1"
        if floating and tbl.get("pageBreak", "CELL") != "NONE" and tbl.get("rowCnt", "1") not in ("0", "1"):
            return True
    return False


def _section_blocks(root, levels: dict[str, int], pages: PageTracker) -> list[Block]:
    pages.new_section()
    if any(_local(el.tag) == "colPr" and el.get("colCount", "1") not in ("0", "1") for el in root.iter()):
        pages.valid = False  # columns restart the line positions too: pages cannot be told apart
    blocks: list[Block] = []
    for p in (el for el in root if _local(el.tag) == "p"):
        lines = [s.get("vertpos", "") for c in p if _local(c.tag) == "linesegarray" for s in c]
        positions = [int(v) for v in lines if v.isdigit()]
        page = pages.paragraph(positions, p.get("pageBreak") == "1", _splits(p))
        for block in _paragraph(p, levels, 0):
            block.page = page
            blocks.append(block)
    return blocks


def load_hwpx(path: Path, doc_id: str) -> Document:
    """An HWPX file as a Document; IngestError when it is damaged, hostile or not HWPX."""
    with _open_zip(path, doc_id) as zf:
        names = _section_names(zf, doc_id)
        levels = _outline_levels(zf, doc_id)
        pages = PageTracker()
        blocks: list[Block] = []
        try:
            for name in names:
                blocks += _section_blocks(_xml(zf, name, doc_id), levels, pages)
        except RecursionError as exc:
            raise IngestError(doc_id, "HWPX nested too deeply to read") from exc
    return build_document(path, doc_id, blocks, pages.valid)
