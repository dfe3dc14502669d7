"""HWP 5.x loader: the Hangul word processor's binary format, an OLE compound file of record streams.

Read on top of olefile (BSD): the FileHeader says whether the body is compressed, password-protected or a
distribution copy; DocInfo's paragraph shapes say which paragraphs are outline headings; each BodyText/Section{n}
stream is a flat list of records whose levels make a tree (paragraph > text, controls > table > cells >
paragraphs). The tree becomes the same blocks the HWPX loader makes, so both formats render tables, headings and
pages alike. No library on PyPI was both well kept and right here: the measured ones index a distribution copy's
placeholder ("이 문서는 상위 버전의 배포용 문서입니다…") as its text.

Every stream is bounded: inflation stops at 200 MB in all, a stream may not claim more bytes than the file holds,
and nesting deeper than a document could have is cut off.
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

from assistant.errors import IngestError
from assistant.types import Document

from .hwpx import MAX_DEPTH, MAX_TOTAL_BYTES, Block, Cell, PageTracker, build_document, render_table

# A 1,000-page document holds a few hundred thousand records; millions of empty ones are a memory attack.
MAX_RECORDS = 1_000_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURE = b"HWP Document File"

# Record tags (HWPTAG_BEGIN = 16).
TAG_PARA_SHAPE = 16 + 9  # DocInfo
TAG_PARA_HEADER = 16 + 50
TAG_PARA_TEXT = 16 + 51
TAG_LINE_SEG = 16 + 53
TAG_CTRL_HEADER = 16 + 55
TAG_LIST_HEADER = 16 + 56
TAG_TABLE = 16 + 61

# Control characters in paragraph text: these occupy 8 UTF-16 units (the code, 6 units of data, the code again);
# the rest (10 line break, 13 paragraph end, 24 hyphen, 30/31 spaces...) one unit.
_WIDE_CONTROLS = frozenset([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23])
_CONTROL_TEXT = {9: " ", 10: "\n", 24: "-", 30: " ", 31: " "}
_CONTROL_UNIT = re.compile(rb"(?=[\x00-\x1f]\x00)")  # zero-width: overlapping candidates are all seen
# Controls whose paragraphs are not body text: section/column definitions (they hold master pages), running
# headers and footers, hidden comments.
_SKIP_CONTROLS = {"secd", "cold", "head", "foot", "tcmt"}
_NOTES = {"fn  ": "(각주) ", "en  ": "(미주) "}


class _Damaged(Exception):
    """A stream that does not parse as records; turned into an IngestError at the loader's edge."""


class _Node:
    __slots__ = ("tag", "level", "body", "children")

    def __init__(self, tag: int, level: int, body: bytes):
        self.tag, self.level, self.body = tag, level, body
        self.children: list[_Node] = []


# --- streams and records --------------------------------------------------------------------------------------

def _read_stream(ole, name: str, file_size: int) -> bytes:
    # A stream claiming more bytes than the whole file has a looping sector chain: refuse before reading it.
    if ole.get_size(name) > file_size:
        raise _Damaged(f"stream {name} claims more bytes than the file holds")
    with ole.openstream(name) as fh:
        return fh.read()


def _inflate(data: bytes, budget: int) -> bytes:
    """Raw deflate, stopping past `budget` bytes of output: a crafted stream cannot fill the memory."""
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, budget + 1)
    except zlib.error as exc:
        raise _Damaged(f"compressed body does not inflate ({exc})") from exc
    if len(out) > budget or inflater.unconsumed_tail:
        raise _Damaged(f"body inflates past the {MAX_TOTAL_BYTES // 2**20} MB cap: refused as hostile")
    if not inflater.eof:
        raise _Damaged("compressed body is cut short")
    return out


def _records(data: bytes) -> list[tuple[int, int, bytes]]:
    """(tag, level, body) for each record: a 32-bit header of tag (10 bits), level (10), size (12; 0xFFF means
    the size follows in 32 bits)."""
    out = []
    pos, end = 0, len(data)
    while pos < end:
        if pos + 4 > end:
            raise _Damaged("record header cut short")
        (head,) = struct.unpack_from("<I", data, pos)
        pos += 4
        tag, level, size = head & 0x3FF, (head >> 10) & 0x3FF, head >> 20
        if size == 0xFFF:
            if pos + 4 > end:
                raise _Damaged("record size cut short")
            (size,) = struct.unpack_from("<I", data, pos)
            pos += 4
        if pos + size > end:
            raise _Damaged(f"record of {size} bytes runs past its stream")
        out.append((tag, level, data[pos:pos + size]))
        pos += size
        if len(out) > MAX_RECORDS:
            raise _Damaged(f"more than {MAX_RECORDS:,} records in one stream: refused as hostile")
    return out


def _tree(records: list[tuple[int, int, bytes]]) -> list[_Node]:
    """Records nest by level: each record's children are the records after it one level deeper."""
    root = _Node(-1, -1, b"")
    stack = [root]
    for tag, level, body in records:
        node = _Node(tag, level, body)
        while len(stack) > 1 and stack[-1].level >= level:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)
    return root.children


# --- paragraphs, controls and tables -------------------------------------------------------------------------

def para_text(body: bytes) -> str:
    """A PARA_TEXT record as text: UTF-16LE with control codes below 32, some 8 units wide. The codes are found
    by a byte scan (a code unit is a byte below 0x20 then 0x00, at an even offset), not unit by unit in Python."""
    parts: list[str] = []
    pos, end = 0, len(body) & ~1
    for match in _CONTROL_UNIT.finditer(body, 0, end):
        at = match.start()
        if at % 2 or at < pos:
            continue  # between two units, or inside a wide control's data
        parts.append(body[pos:at].decode("utf-16-le", "replace"))
        code = body[at]
        if code == 13:  # paragraph end
            pos = end
            break
        parts.append(_CONTROL_TEXT.get(code, ""))
        pos = at + (16 if code in _WIDE_CONTROLS else 2)
    parts.append(body[pos:end].decode("utf-16-le", "replace"))
    return "".join(parts)


def _ctrl_id(node: _Node) -> str:
    return node.body[:4][::-1].decode("latin-1") if len(node.body) >= 4 else ""


def _paragraph(node: _Node, outline: dict[int, int], depth: int) -> list[Block]:
    """The paragraph's own text, then what its controls anchor (tables, text boxes, notes), in order."""
    if depth > MAX_DEPTH:
        return []
    shape = struct.unpack_from("<H", node.body, 8)[0] if len(node.body) >= 10 else -1
    text = "".join(para_text(c.body) for c in node.children if c.tag == TAG_PARA_TEXT)
    blocks = [Block(text, outline.get(shape))]
    for child in node.children:
        if child.tag == TAG_CTRL_HEADER:
            blocks += _control(child, outline, depth + 1)
        elif child.tag == TAG_PARA_HEADER:  # a list hung straight under the paragraph (memos)
            blocks += _nested(_paragraph(child, outline, depth + 1))
    return blocks


def _nested(blocks: list[Block]) -> list[Block]:
    for b in blocks:
        b.nested = True
    return blocks


def _control(node: _Node, outline: dict[int, int], depth: int) -> list[Block]:
    ctrl = _ctrl_id(node)
    if ctrl in _SKIP_CONTROLS or depth > MAX_DEPTH:
        return []
    if ctrl == "tbl ":
        return _table(node, outline, depth)
    blocks = _nested(_paragraphs_under(node, outline, depth))
    if ctrl in _NOTES:
        blocks = [Block(_NOTES[ctrl] + b.text, table=b.table, nested=True) for b in blocks]
    return blocks


def _paragraphs_under(node: _Node, outline: dict[int, int], depth: int) -> list[Block]:
    """Every paragraph below a control (a text box's, a caption's, a note's), nested tables included."""
    blocks: list[Block] = []
    for child in node.children:
        if child.tag == TAG_PARA_HEADER:
            blocks += _paragraph(child, outline, depth + 1)
        elif child.tag == TAG_CTRL_HEADER:
            blocks += _control(child, outline, depth + 1)
        elif depth < MAX_DEPTH:
            blocks += _paragraphs_under(child, outline, depth + 1)
    return blocks


def _table(node: _Node, outline: dict[int, int], depth: int) -> list[Block]:
    """Children of a table control: an optional caption list, the TABLE record, then per cell a LIST_HEADER
    (column, row, column span, row span at bytes 8-15) followed by the cell's paragraphs."""
    caption: list[Block] = []
    cells: list[Cell] = []
    seen_table = False
    for child in node.children:
        if child.tag == TAG_TABLE:
            seen_table = True
        elif child.tag == TAG_LIST_HEADER and seen_table and len(child.body) >= 16:
            col, row, colspan, rowspan = struct.unpack_from("<HHHH", child.body, 8)
            cells.append(Cell(row, col, rowspan, colspan))
        elif child.tag == TAG_PARA_HEADER:
            blocks = _paragraph(child, outline, depth + 1)
            if cells:
                cells[-1].blocks += blocks
            else:
                caption += _nested(blocks)
    return caption + render_table(cells)


def _splits(node: _Node) -> bool:
    """Whether a paragraph anchors a floating, multi-row table Hangul may break over pages (see PageTracker)."""
    for ctrl in (c for c in node.children if c.tag == TAG_CTRL_HEADER and _ctrl_id(c) == "tbl "):
        props = struct.unpack_from("<I", ctrl.body, 4)[0] if len(ctrl.body) >= 8 else 0
        table = next((c for c in ctrl.children if c.tag == TAG_TABLE and len(c.body) >= 6), None)
        rows = struct.unpack_from("<H", table.body, 4)[0] if table else 0
        splits = table is not None and struct.unpack_from("<I", table.body, 0)[0] & 0x3
        if not props & 1 and rows > 1 and splits:  # bit 0: treated as a character (cannot split)
            return True
    return False


def _columns(node: _Node) -> int:
    cold = next((c for c in node.children if c.tag == TAG_CTRL_HEADER and _ctrl_id(c) == "cold"), None)
    if cold is None or len(cold.body) < 6:
        return 1
    return (struct.unpack_from("<H", cold.body, 4)[0] >> 2) & 0xFF


def _line_positions(node: _Node) -> list[int]:
    seg = next((c for c in node.children if c.tag == TAG_LINE_SEG), None)
    if seg is None:
        return []
    return [struct.unpack_from("<i", seg.body, at + 4)[0] for at in range(0, len(seg.body) - 35, 36)]


def _section_blocks(nodes: list[_Node], outline: dict[int, int], pages: PageTracker) -> list[Block]:
    pages.new_section()
    blocks: list[Block] = []
    for node in (n for n in nodes if n.tag == TAG_PARA_HEADER):
        if _columns(node) > 1:
            pages.valid = False  # columns restart the line positions too
        page_break = len(node.body) >= 12 and bool(node.body[11] & 0x04)
        page = pages.paragraph(_line_positions(node), page_break, _splits(node))
        for block in _paragraph(node, outline, 0):
            block.page = page
            blocks.append(block)
    return blocks


# --- the file -------------------------------------------------------------------------------------------------

def _file_header(ole, doc_id: str, file_size: int) -> int:
    """The FileHeader's flags, after refusing what cannot be read as text."""
    header = _read_stream(ole, "FileHeader", file_size) if ole.exists("FileHeader") else b""
    if len(header) < 40 or not header.startswith(SIGNATURE):
        raise IngestError(doc_id, "not an HWP document (an OLE file without the HWP file header: damaged, "
                                  "or another format such as .doc)")
    version, flags = struct.unpack_from("<II", header, 32)
    if version >> 24 != 5:
        raise IngestError(doc_id, f"unsupported HWP version {version >> 24} (only HWP 5.x is read)")
    if flags & 0x04 or ole.exists("ViewText"):
        raise IngestError(doc_id, "encrypted distribution document (배포용): open it in Hangul and save a normal copy")
    if flags & 0x02:
        raise IngestError(doc_id, "password-protected document: remove the password in Hangul and save a copy")
    return flags


def _outline_levels(docinfo: bytes) -> dict[int, int]:
    """Paragraph shape id -> heading level, for shapes whose paragraph head is an outline (개요) level."""
    shapes = [body for tag, _, body in _records(docinfo) if tag == TAG_PARA_SHAPE]
    levels = {}
    for shape_id, body in enumerate(shapes):
        props = struct.unpack_from("<I", body, 0)[0] if len(body) >= 4 else 0
        if (props >> 23) & 0x3 == 1:  # head type 1 = outline; level in bits 25-27
            levels[shape_id] = ((props >> 25) & 0x7) + 1
    return levels


def _section_streams(ole) -> list[str]:
    names = ["/".join(e) for e in ole.listdir() if len(e) == 2 and e[0] == "BodyText"]
    numbered = [(int(m.group(1)), n) for n in names if (m := re.fullmatch(r"BodyText/Section(\d+)", n))]
    return [n for _, n in sorted(numbered)]


def _read_body(ole, doc_id: str, file_size: int) -> tuple[list[Block], bool]:
    compressed = bool(_file_header(ole, doc_id, file_size) & 0x01)
    names = _section_streams(ole)
    if not names:
        raise IngestError(doc_id, "HWP file has no BodyText sections")
    budget = MAX_TOTAL_BYTES  # what all streams together may inflate to
    has_docinfo = bool(ole.exists("DocInfo"))
    streams: list[bytes] = []
    for name in (["DocInfo"] if has_docinfo else []) + names:
        data = _read_stream(ole, name, file_size)
        streams.append(_inflate(data, budget) if compressed else data)
        budget -= len(streams[-1])
    outline = _outline_levels(streams.pop(0)) if has_docinfo else {}
    pages = PageTracker()
    blocks: list[Block] = []
    for data in streams:
        blocks += _section_blocks(_tree(_records(data)), outline, pages)
    return blocks, pages.valid


def load_hwp(path: Path, doc_id: str) -> Document:
    """An HWP 5.x file as a Document; IngestError when it is damaged, encrypted or not HWP 5."""
    with open(path, "rb") as fh:
        head = fh.read(32)
    if head.startswith(b"HWP Document File V"):
        raise IngestError(doc_id, "HWP 3.x document: only HWP 5.x is read (save it again in a current Hangul)")
    if not head.startswith(OLE_MAGIC):
        raise IngestError(doc_id, "not an HWP 5 document (no OLE compound-file header)")
    import olefile  # local: keeps `import assistant` light

    try:
        with olefile.OleFileIO(str(path)) as ole:
            blocks, pages_known = _read_body(ole, doc_id, path.stat().st_size)
    except IngestError:
        raise
    except _Damaged as exc:
        raise IngestError(doc_id, f"damaged HWP file ({exc})") from exc
    except Exception as exc:  # olefile and struct raise many types on a damaged file; all mean the same here
        raise IngestError(doc_id, f"damaged HWP file ({type(exc).__name__}: {exc})") from exc
    return build_document(path, doc_id, blocks, pages_known)
