"""Regenerate corpus/README.md: a table of every document with its type, language, as-of date, size and sources.

    python scripts/corpus_readme.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest import discover, load_file  # noqa: E402

HEADER = """# Corpus

Documents written by this project, in its own words, from `../shared/corpus-facts.md` and further public facts
recorded with their sources in `corpus-src/added-facts/`. Each document's front matter (or, for PDFs, its document
information dictionary) lists its sources; `scripts/fact_check.py` traces every figure and date to a fact source.
PDFs are rendered from `corpus-src/pdf/*.md` by `scripts/build_pdfs.py`; only the PDF is indexed.
This README is not indexed. Regenerate it with `python scripts/corpus_readme.py`.

"""


def short_sources(sources: list) -> str:
    items = [str(s).replace("|", "/") for s in sources or []]
    shown = "; ".join(items[:3])
    return shown + (f"; … (+{len(items) - 3} more)" if len(items) > 3 else "")


def main() -> None:
    rows, words, langs, pdfs = [], 0, {"ko": 0, "en": 0}, 0
    for src in discover([ROOT / "corpus"]):
        doc = load_file(src)
        w = len(doc.text.split())
        words += w
        langs[doc.meta.get("lang", "")] = langs.get(doc.meta.get("lang", ""), 0) + 1
        pages = max((s.page or 0) for s in doc.segments)
        pdfs += pages > 1
        m = doc.meta
        rows.append(f"| `{src.doc_id}` | {m.get('doc_type', '')} | {m.get('lang', '')} | {m.get('date', '')} | {w:,} | "
                    f"{pages or '–'} | {doc.title.replace('|', '/')} | {short_sources(m.get('sources', []))} |")
    summary = (f"{len(rows)} documents ({langs.get('ko', 0)} Korean, {langs.get('en', 0)} English; {pdfs} multi-page PDFs), "
               f"{words:,} words (whitespace-separated; Korean has fewer words per sentence than English).\n\n")
    table = "| file | doc_type | lang | as of | words | pages | title | sources |\n|---|---|---|---|---|---|---|---|\n"
    (ROOT / "corpus" / "README.md").write_text(HEADER + summary + table + "\n".join(rows) + "\n", encoding="utf-8")
    print(summary.strip())


if __name__ == "__main__":
    main()
