"""Fact check: every figure and date in the corpus should be traceable to ../shared/corpus-facts.md or to a fact
recorded with its public source in corpus-src/added-facts/*.md.

Figures are amounts, areas, percentages, counts with units and full dates, compared after normalising spacing,
thousands separators and date formats (2024년 11월 7일 = 2024-11-07 = 7 November 2024).

    python scripts/fact_check.py [--show 20] [--doc DOC_ID]

Prints, per document, how many figures were found in the fact sources and lists those that were not.
Exit status 0 always: this is a report for a human; tests/test_corpus.py holds the enforced floor.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.metrics import canonical_dates  # noqa: E402

FIGURE = re.compile(
    r"(?:19|20)\d{2}-\d{2}-\d{2}"  # dates, after canonical_dates
    r"|(?<!제)(?<!제\s)\b\d[\d,.]*\s*(?:조\s*\d[\d,]*\s*억|조(?=\s*원)|억|만)\s*(?:원|㎡|평|명|개|m2|m²)?"
    r"|\d[\d,.]*\s*(?:㎡|m2|m²|%|ha|hectares?|acres?)"
    r"|\d[\d,.]*\s*(?:billion|million|trillion)"
    r"|(?:US\$|\$|€|S\$)\s*\d[\d,.]*\s*(?:billion|million)?",
    re.I,
)


def norm(fig: str) -> str:
    f = fig.lower().replace(" ", "").replace("m²", "m2").replace("㎡", "m2")
    f = re.sub(r"(?<=\d),(?=\d)", "", f)
    f = f.rstrip(".")
    return f[:-1] if f.endswith("원") else f


def figures(text: str) -> set[str]:
    return {norm(m.group(0)) for m in FIGURE.finditer(canonical_dates(text))}


def fact_sources() -> str:
    parts = [(ROOT.parent / "shared" / "corpus-facts.md")]
    parts += sorted((ROOT / "corpus-src" / "added-facts").glob("*.md"))
    return "\n".join(p.read_text(encoding="utf-8") for p in parts if p.is_file())


def corpus_texts() -> dict[str, str]:
    out = {}
    for p in sorted((ROOT / "corpus").rglob("*.md")):
        if p.name != "README.md":
            out[p.relative_to(ROOT / "corpus").as_posix()] = p.read_text(encoding="utf-8").split("---", 2)[-1]
    for p in sorted((ROOT / "corpus-src" / "pdf").glob("*.md")):
        out[f"pdf/{p.stem}.pdf"] = p.read_text(encoding="utf-8").split("---", 2)[-1]
    return out


def check() -> dict[str, tuple[set[str], set[str]]]:
    known = figures(fact_sources())
    known_text = norm(canonical_dates(fact_sources()))
    result = {}
    for doc_id, text in corpus_texts().items():
        figs = figures(text)
        found = {f for f in figs if f in known or f in known_text}
        result[doc_id] = (found, figs - found)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", type=int, default=15)
    ap.add_argument("--doc")
    args = ap.parse_args()
    res = check()
    total = sum(len(a) + len(b) for a, b in res.values())
    ok = sum(len(a) for a, _ in res.values())
    print(f"{ok}/{total} figures and dates ({ok / max(total, 1):.1%}) found in corpus-facts.md or added-facts/")
    for doc_id, (found, missing) in res.items():
        if args.doc and doc_id != args.doc:
            continue
        n = len(found) + len(missing)
        print(f"{doc_id}: {len(found)}/{n}" + (f"  not traced: {', '.join(sorted(missing)[: args.show])}" if missing else ""))


if __name__ == "__main__":
    main()
