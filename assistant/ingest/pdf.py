"""PDF loader (pypdf): one segment per page and heading, page numbers kept, running headers and footers dropped.

Metadata comes from the document information dictionary: /Title, and the custom keys this project's PDFs
carry (/DocType, /Lang, /AsOf, /Sources as JSON, /Topics, /City).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from assistant.errors import IngestError
from assistant.types import Document, Segment

from .common import normalise_meta
from .pdf_tables import ROW_MARK, pages_with_tables

# Lines that open a section in the PDFs ministries publish: "1. 개요", "2.3 Support", "제8조(지정 신청)", "Ⅱ. 추진 경과".
# An article line is its title alone: a review report's comparison table prints "제15조(…설치) ① ∼ ④ (현행과 같음)",
# a cell, not a heading; read as one, its article named every later page's prose.
_SECTION_LINE = re.compile(
    r"^(?:제\s*\d+\s*조(?:의\s*\d+)?\s*[(（][^()（）]{1,40}[)）]"
    r"|(?:\d{1,2}(?:\.\d{1,2}){0,2}\.?|[IVXⅠ-Ⅻ]{1,4}\.)\s+\S.{0,60})$"
)


def _digits_blind(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip())


def strip_running_lines(pages: list[list[str]], min_pages: int = 3, share: float = 0.5) -> list[list[str]]:
    """Drop lines that repeat near the top or bottom of most pages (headers, footers, page numbers)."""
    if len(pages) < min_pages:
        return pages
    counts: dict[str, int] = {}
    for lines in pages:
        edge = {_digits_blind(x) for x in lines[:2] + lines[-2:] if x.strip()}
        for key in edge:
            counts[key] = counts.get(key, 0) + 1
    running = {k for k, c in counts.items() if c >= max(min_pages, share * len(pages))}
    out = []
    for lines in pages:
        keep = list(lines)
        for idx in [0, 1, -1, -2]:
            if -len(keep) <= idx < len(keep) and _digits_blind(keep[idx]) in running:
                keep[idx] = ""
        out.append([x for x in keep if x != ""] if running else lines)
    return out


# A bill's or statute's supplementary provisions ("부 칙", letter-spaced as bills print it; "부칙 <제19767호,
# 2023.10.24>"): the articles after it (제1조(시행일) …) are the 부칙's, not the Act's own 제1조.
_SUPPLEMENTARY = re.compile(r"^부\s?칙(?:\s*[<(（].{0,40}[>)）])?$")


def _is_heading(line: str) -> bool:
    s = line.strip()
    if _SUPPLEMENTARY.match(s):
        return True
    return bool(s) and len(s) <= 70 and bool(_SECTION_LINE.match(s)) and not s.endswith((".", "다.", ","))


def _heading_name(line: str) -> str:
    """A heading line as its section's name: "부 칙" as the documents write it, 부칙 (no other heading starts so)."""
    return re.sub(r"^부\s?칙", "부칙", line.strip())


def build_page_segments(pages: list[str]) -> tuple[str, tuple[Segment, ...]]:
    """Join the pages into one text; segments break at pages and at section lines, the section carrying over pages."""
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    section: tuple[str, ...] = ()
    for number, page_text in enumerate(pages, start=1):
        seg_start = pos
        offset = pos
        for line in page_text.split("\n"):
            if _is_heading(line):
                if offset > seg_start:
                    segments.append(Segment(seg_start, offset, section, number))
                section = (_heading_name(line),)
                seg_start = offset
            offset += len(line) + 1
        page_end = pos + len(page_text)
        if page_end > seg_start:
            segments.append(Segment(seg_start, page_end, section, number))
        parts.append(page_text)
        pos = page_end + 2  # the "\n\n" that joins pages
    text = "\n\n".join(parts)
    return text, tuple(s for s in segments if text[s.start:s.end].strip())


_MULTISPACE = re.compile(r"[ \t\u00a0]{2,}")
_BLOCK_START = re.compile(r"^\s*(?:[-·•▪◦*]|\d{1,2}[.)]\s|[①-⑳]|Q\d|\|)")
_SPLIT_FIGURE_END = re.compile(r"\d[\d,.]*\s*(?:만|조|억|천)?$")
_SPLIT_FIGURE_START = re.compile(r"^(?:원|평|㎡|명|개|억|만|%|조\s*원)")


# A list of names printed "이수진(비)ㆍ김성환ㆍ김승남" that wraps: the next line holds only more such names, the
# last perhaps closing the list with its count ("주철현의원(10인)"), as a bill prints its proposers.
_NAME = r"[가-힣]{2,6}(?:\([^()]{1,8}\))?"
# Only the Hangul-compatibility dot (U+318D) HWP prints between names, after two or more names: a middle dot
# (U+00B7) wraps table cells ("분석·설계" / "구현·학습"), which are no list.
_NAME_LIST_END = re.compile(rf"{_NAME}ㆍ{_NAME}ㆍ{_NAME}$")
_NAME_LIST_LINE = re.compile(rf"^{_NAME}(?:ㆍ{_NAME})*$")


def _opens_bracket(line: str) -> bool:
    return line.count("(") > line.count(")")


_WIDE_CHAR = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u4e00-\u9fff]")
_SENTENCE_END = re.compile(r"[.!?。:：)）」』\]]$|(?:다|음|함|임|요)$")
_SPEAKER = re.compile(r"^[◯○●]")


def _width(line: str) -> int:
    """Printed width: a Hangul or Han character takes two columns."""
    return len(line) + len(_WIDE_CHAR.findall(line))


def _p90(values: list[int]) -> int:
    values = sorted(values)
    return values[int(0.9 * (len(values) - 1))]


def join_column_lines(raw: list[str]) -> list[str] | None:
    """Re-join the paragraphs of a narrow Korean column (committee minutes print two columns of ~25 syllables),
    or None when the page is not one. Such columns wrap by syllable ("법률안을일" / "괄하여상정합니다."), so a
    line is rarely a sentence, and width cannot tell a wrapped line from a paragraph's last. A paragraph opens
    indented (or with a speaker mark, bullet or heading) and runs on until a line ends a sentence; Hangul meets
    Hangul without a space, and restore_spacing re-spaces the joined line."""
    lines = [ln for ln in raw if ln.strip()]
    if len(lines) < 8:
        return None
    chars = _p90([len(ln.strip()) for ln in lines])
    width = _p90([_width(ln.strip()) for ln in lines])
    hangul = sum(len(_WIDE_CHAR.findall(ln)) for ln in lines)
    if not (chars < 30 and width >= 36 and hangul >= 0.5 * sum(len(ln.strip()) for ln in lines)):
        return None
    out: list[str] = []
    open_paragraph = False
    for ln in raw:
        if not ln.strip():
            open_paragraph = False
            continue
        s = _MULTISPACE.sub(" ", ln).strip()
        starts = ln[:1].isspace() or _SPEAKER.match(s) or _BLOCK_START.match(s) or _is_heading(s)
        if open_paragraph and out and not starts:
            glue = "" if _WIDE_CHAR.match(s) and _WIDE_CHAR.search(out[-1][-1:]) else " "
            out[-1] = out[-1] + glue + s
        else:
            out.append(s)
        open_paragraph = not _SENTENCE_END.search(s) and not _SPEAKER.match(s)
    return out


def join_wrapped_lines(lines: list[str]) -> list[str]:
    """Re-join paragraph lines that the PDF wrapped at the right margin.

    A wrapped line runs close to the full text width; table rows and the last line of a paragraph are shorter.
    Justified text also comes out with runs of spaces, which are collapsed. A narrow Korean column is re-joined
    by its paragraphs instead (join_column_lines).
    """
    column = join_column_lines(lines)
    if column is not None:
        return column
    lines = [_MULTISPACE.sub(" ", ln).strip() for ln in lines]
    lengths = [len(ln) for ln in lines if ln]
    if len(lengths) < 4:
        return [ln for ln in lines if ln]
    full = _p90(lengths)
    out: list[str] = []
    joining = False
    for ln in lines:
        if not ln:
            joining = False
            continue
        if out and _SPLIT_FIGURE_END.search(out[-1]) and _SPLIT_FIGURE_START.match(ln):
            # A table cell wrapped inside a figure ("57.5만" / "평(190만 826㎡)"): mend it without a space.
            out[-1] = out[-1] + ln
            continue
        if out and _NAME_LIST_END.search(out[-1]) and _NAME_LIST_LINE.match(ln):
            out[-1] = out[-1] + "ㆍ" + ln
            continue
        if out and _opens_bracket(out[-1]) and ")" in ln and not _BLOCK_START.match(ln):
            # A bracket left open at the line's end is closed on the next line: one cell or sentence wrapped
            # ("벌칙(2년 이하 징역 또는 2천만 원 이하" / "벌금)과 과태료"), however short the line.
            out[-1] = out[-1] + " " + ln
            continue
        wide = len(ln) >= 0.8 * full and full >= 30
        heading = _is_heading(ln) and not wide  # a numbered list item that wraps runs full width; a heading does not
        if joining and out and not _BLOCK_START.match(ln) and not heading:
            # A figure wrapped at the margin ("제1기 205" / "0 탄소중립") is one figure again.
            glue = "" if out[-1][-1:].isdigit() and ln[:1].isdigit() else " "
            out[-1] = out[-1] + glue + ln
        else:
            out.append(ln)
        joining = wide
    return out




_LONG_RUN = re.compile(r"[\uac00-\ud7a3]{10,}")


def needs_spacing(text: str) -> bool:
    """Korean text that lost word spacing (PDFs exported from HWP): runs of 10+ syllables with no space.
    Spaced Korean prose has a space every 3-5 syllables; even long compound nouns rarely reach 10."""
    return bool(_LONG_RUN.search(text))


def restore_spacing(text: str) -> str:
    """Re-space Korean lines with Kiwi (existing spaces kept); lines without Hangul are left alone."""
    from assistant.text import _lock, kiwi

    out = []
    with _lock:
        k = kiwi()
        for line in text.split("\n"):
            out.append(k.space(line) if _LONG_RUN.search(line) else line)
    return "\n".join(out)


def _read_meta(reader) -> dict:
    info = reader.metadata or {}
    meta: dict = {}
    for key, name in (("/Title", "title"), ("/DocType", "doc_type"), ("/Lang", "lang"), ("/AsOf", "date"), ("/City", "city")):
        value = info.get(key)
        if value:
            meta[name] = str(value)
    for key, name in (("/Sources", "sources"), ("/Topics", "topics")):
        value = info.get(key)
        if value:
            try:
                parsed = json.loads(str(value))
            except ValueError:
                parsed = [str(value)]
            meta[name] = parsed
    return meta


def _long_side(page) -> float:
    """The page's longer side in points, or 0 when its box is unreadable (OCR then renders at its usual dpi)."""
    try:
        box = page.mediabox
        return float(max(abs(box.width), abs(box.height))) * float(page.user_unit or 1)
    except (ValueError, TypeError, KeyError, AttributeError):
        return 0.0


def _read_textless(path: Path, doc_id: str, raw_pages: list[str],
                   long_sides: dict[int, float]) -> tuple[list[str], dict]:
    """The pages with the textless ones (scans) read by OCR, and what the Document's meta records of it: ocr_pages
    (pages OCR'd), and ocr_missed with ocr_reason when some could not be. A PDF left with no text at all is an
    IngestError naming why (Tesseract missing: the packages to install)."""
    from .ocr import ocr_pages

    result = ocr_pages(path, sorted(long_sides), long_sides)
    pages = [result.texts.get(i, p) for i, p in enumerate(raw_pages)]
    meta: dict = {"ocr_pages": len(result.texts)}
    if result.missed:
        meta.update(ocr_missed=len(result.missed), ocr_reason=result.reason())
    if not any(p.strip() for p in pages):
        reasons = set(result.missed.values())
        if not result.texts and len(reasons) == 1:
            raise IngestError(doc_id, reasons.pop())  # e.g. the packages to install, word for word
        read = len(result.texts)
        raise IngestError(doc_id, "; ".join(x for x in (
            f"no extractable text: OCR read none on {read} scanned page{'s' * (read != 1)}", result.reason()) if x))
    return pages, meta


def _with_tables(path: Path, pages: list[str], textless: set[int]) -> tuple[list[str], int]:
    """The pages with their ruled tables read as tables (pdf_tables.py); pypdf's pages when that fails."""
    try:
        return pages_with_tables(path, pages, textless)
    except Exception:  # noqa: BLE001 - a table reader failing keeps the text pypdf read
        return pages, 0


def _join_around_rows(lines: list[str]) -> list[str]:
    """Wrapped lines re-joined (join_wrapped_lines) in the runs of text between table rows; each row is a line."""
    out: list[str] = []
    run: list[str] = []
    for ln in lines + [ROW_MARK]:
        if ln.startswith(ROW_MARK):
            out += join_wrapped_lines(run)
            run = []
            if ln != ROW_MARK:
                out.append(_MULTISPACE.sub(" ", ln[len(ROW_MARK):]).strip())
        else:
            run.append(ln)
    return out


def load_pdf(path: Path, doc_id: str, max_pages: int | None = None) -> Document:
    """The PDF as a Document. Pages with no text layer (scans) are read by OCR (ocr.py) and meta["ocr_pages"]
    counts them; the other pages are never OCR'd. Ruled tables come out one row per line (pdf_tables.py) and
    meta["tables"] counts them."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF" not in head:
        raise IngestError(doc_id, "not a PDF (no %PDF header)")
    import pypdf  # local: keeps `import assistant` light
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise IngestError(doc_id, f"encrypted PDF ({type(exc).__name__})") from exc
            if not ok:
                raise IngestError(doc_id, "encrypted PDF (a password is needed)")
        if max_pages is not None and len(reader.pages) > max_pages:
            raise IngestError(doc_id, f"{len(reader.pages)} pages, over the limit of {max_pages} (setting max_pages)")
        raw_pages = [(page.extract_text() or "") for page in reader.pages]
        meta = _read_meta(reader)
        textless = [i for i, p in enumerate(raw_pages) if not p.strip()]
        long_sides = {i: _long_side(reader.pages[i]) for i in textless}
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise IngestError(doc_id, f"corrupt or unreadable PDF ({type(exc).__name__})") from exc
    raw_pages, meta["tables"] = _with_tables(path, raw_pages, set(textless))
    if textless:
        raw_pages, ocr_meta = _read_textless(path, doc_id, raw_pages, long_sides)
        meta.update(ocr_meta)
    lines = strip_running_lines([[ln.rstrip() for ln in p.replace("\r", "").split("\n")] for p in raw_pages])
    pages = ["\n".join(_join_around_rows(ls)) for ls in lines]
    pages = [restore_spacing(p) if needs_spacing(p) else p for p in pages]
    text, segments = build_page_segments(pages)
    first_line = next((ln.strip() for ln in text.split("\n") if ln.strip()), path.stem)
    title = str(meta.get("title") or (first_line if len(first_line) <= 120 else path.stem))
    return Document(doc_id=doc_id, title=title, text=text, segments=segments, meta=normalise_meta(meta, text))
