"""Render the corpus's PDF documents from their Markdown sources: corpus-src/pdf/<slug>.md → corpus/pdf/<slug>.pdf.

Each PDF gets a cover page, a running header (the title) and footer (page numbers), numbered sections, tables
with ruled cells, and the front matter as document information (/Title plus /DocType /Lang /AsOf /Sources /Topics
/City), which the PDF loader reads back. Needs fpdf2 (dev extra) and a Korean TrueType font (Debian: fonts-nanum).

    python scripts/build_pdfs.py [--only SLUG ...]
"""

from __future__ import annotations

import argparse
import logging
import json
import re
import sys
from pathlib import Path

import yaml
from fpdf import FPDF
from fpdf.fonts import FontFace
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "corpus-src" / "pdf"
OUT = ROOT / "corpus" / "pdf"
FONT_DIRS = [Path("/usr/share/fonts/truetype/nanum"), Path.home() / ".fonts"]
DOC_TYPE_KO = {
    "press_release": "보도자료", "plan": "계획", "law_guide": "법령 해설", "site_profile": "사업지 현황",
    "case_study": "사례 연구", "programme_guide": "제도 안내", "faq": "자주 묻는 질문", "glossary": "용어집",
    "comparison": "비교 자료",
}


def find_font(name: str) -> Path:
    for d in FONT_DIRS:
        p = d / name
        if p.is_file():
            return p
    sys.exit(f"font {name} not found; install Debian's fonts-nanum (apt-get install fonts-nanum)")


def parse(md: str) -> tuple[dict, str]:
    if not md.startswith("---"):
        raise SystemExit("missing front matter")
    _, fm, body = md.split("---", 2)
    return yaml.safe_load(fm), body.strip()


def inline(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)\*(.+?)\*(?!\w)", r"\1", text)
    text = re.sub(r"`(.+?)`", r"\1", text)
    return re.sub(r"\[(.+?)\]\((.+?)\)", r"\1 (\2)", text)


class Doc(FPDF):
    def __init__(self, title: str, lang: str):
        super().__init__(format="A4")
        self.doc_title = title
        self.lang = lang
        self.add_font("Nanum", "", str(find_font("NanumGothic.ttf")))
        self.add_font("Nanum", "B", str(find_font("NanumGothicBold.ttf")))
        self.set_margins(20, 22, 20)
        self.set_auto_page_break(True, margin=22)

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font("Nanum", "", 8)
        self.set_text_color(110)
        self.cell(0, 6, self.doc_title, align="R")
        self.ln(10)
        self.set_text_color(0)

    def footer(self):
        if self.page_no() == 1:
            return
        self.set_y(-15)
        self.set_font("Nanum", "", 8)
        self.set_text_color(110)
        self.cell(0, 8, f"- {self.page_no()} -", align="C")
        self.set_text_color(0)


def render(src: Path, out: Path) -> int:
    meta, body = parse(src.read_text(encoding="utf-8"))
    title = str(meta["title"])
    lang = str(meta.get("lang", "ko"))
    pdf = Doc(title, lang)
    pdf.set_title(title)
    pdf.set_author("policy-assistant corpus")
    pdf.set_subject(DOC_TYPE_KO.get(meta.get("doc_type", ""), meta.get("doc_type", "")))
    pdf.set_keywords(", ".join(str(t) for t in meta.get("topics", []) or []))

    # Cover page.
    pdf.add_page()
    pdf.set_y(80)
    pdf.set_font("Nanum", "B", 20)
    pdf.multi_cell(0, 11, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Nanum", "", 12)
    kind = DOC_TYPE_KO.get(meta.get("doc_type", ""), "") if lang == "ko" else str(meta.get("doc_type", "")).replace("_", " ")
    pdf.multi_cell(0, 8, kind, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 8, (f"기준일: {meta.get('date')}" if lang == "ko" else f"As of {meta.get('date')}"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(250)
    pdf.set_font("Nanum", "", 9)
    pdf.multi_cell(0, 6, "policy-assistant 정책 자료" if lang == "ko" else "policy-assistant policy documents", align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    lines = body.split("\n")
    i = 0
    para: list[str] = []

    def flush():
        if para:
            pdf.set_font("Nanum", "", 10.5)
            pdf.multi_cell(0, 6.2, inline(" ".join(p.strip() for p in para)), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
            para.clear()

    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            flush()
            i += 1
            continue
        if line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            text = inline(line.lstrip("#").strip())
            if level == 1:
                pdf.set_font("Nanum", "B", 16)
                pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
            elif level == 2:
                if pdf.get_y() > 230:
                    pdf.add_page()
                pdf.ln(2)
                pdf.set_font("Nanum", "B", 13)
                pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1.5)
            else:
                pdf.set_font("Nanum", "B", 11)
                pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            i += 1
            continue
        if line.lstrip().startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cells = [inline(c.strip()) for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                    rows.append(cells)
                i += 1
            width = max(len(r) for r in rows)
            rows = [r + [""] * (width - len(r)) for r in rows]
            pdf.set_font("Nanum", "", 9)
            with pdf.table(text_align="LEFT", line_height=5.5, headings_style=FontFace(emphasis="BOLD", fill_color=(230, 234, 240)),
                           padding=1.2) as table:
                for r in rows:
                    row = table.row()
                    for c in r:
                        row.cell(c)
            pdf.ln(3)
            continue
        m = re.match(r"^(\s*)(?:[-*]|\d+\.)\s+(.*)$", line)
        if m and (line.lstrip().startswith(("-", "*")) or re.match(r"^\s*\d+\.\s", line)):
            flush()
            indent = 6 + min(len(m.group(1)), 8)
            marker = "·" if line.lstrip()[0] in "-*" else line.strip().split()[0]
            pdf.set_font("Nanum", "", 10.5)
            pdf.set_x(pdf.l_margin + indent)
            pdf.multi_cell(0, 6.2, f"{marker} {inline(m.group(2))}", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.8)
            i += 1
            continue
        para.append(line)
        i += 1
    flush()
    tmp = out.with_suffix(".tmp.pdf")
    pdf.output(str(tmp))

    # Custom information keys (fpdf2 writes only the standard ones).
    reader = PdfReader(str(tmp))
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({
        "/DocType": str(meta.get("doc_type", "")),
        "/Lang": lang,
        "/AsOf": str(meta.get("date", "")),
        "/Sources": json.dumps([str(s) for s in meta.get("sources", []) or []], ensure_ascii=False),
        "/Topics": json.dumps([str(t) for t in meta.get("topics", []) or []], ensure_ascii=False),
        "/City": str(meta.get("city", "") or ""),
    })
    with open(out, "wb") as fh:
        writer.write(fh)
    tmp.unlink()
    return len(reader.pages)


def main() -> None:
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="slugs to render (default: all)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for src in sorted(SRC.glob("*.md")):
        if args.only and src.stem not in args.only:
            continue
        pages = render(src, OUT / f"{src.stem}.pdf")
        print(f"{src.stem}.pdf: {pages} pages")


if __name__ == "__main__":
    main()
