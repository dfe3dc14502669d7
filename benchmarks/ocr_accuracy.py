"""OCR accuracy on real Korean pages: five body-text pages of ../shared/external/pdfs/ko are rendered to images and
wrapped into an image-only PDF (a scan without a text layer), read back by the loader's OCR, and compared with
the same pages' own text layer (pypdf). Character accuracy = 1 - edit distance / reference length, on text with
all whitespace removed (so line breaks and word spacing do not count, only the characters).

    python benchmarks/ocr_accuracy.py [--psm 4] [--langs kor+eng] [--dpi 300]

Needs pdftoppm (poppler-utils), tesseract-ocr with tesseract-ocr-kor, and Pillow.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KO_PDFS = ROOT.parent / "shared" / "external" / "pdfs" / "ko"
# Body text, one page from each of five documents (a bill, a review report, a patent, committee minutes in two
# columns, a call for proposals). Tables of contents are left out: their dot leaders are characters in the text
# layer that OCR cannot be expected to count (measured 0.13 on rfp-generative-ai.pdf p. 3).
PAGES = [("bill-2125318.pdf", 2), ("review-report-2125318.pdf", 3), ("patent-1020210175798.pdf", 3),
         ("assembly-minutes-414-1.pdf", 2), ("rfp-local-info-230524.pdf", 3)]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, two rows at a time (pages are a few thousand characters)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def char_accuracy(ocr: str, reference: str) -> float:
    ocr, reference = re.sub(r"\s+", "", ocr), re.sub(r"\s+", "", reference)
    return max(0.0, 1.0 - edit_distance(ocr, reference) / max(1, len(reference)))


def scan_of(pdf: Path, page: int, out: Path, dpi: int = 300) -> Path:
    """A one-page PDF holding only a picture of `page` of `pdf`: what a scanner makes, no text layer."""
    from PIL import Image

    root = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(root)], check=True, capture_output=True)
    with Image.open(f"{root}.png") as img:
        img.save(out, "PDF", resolution=dpi)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--psm", type=int, help="Tesseract page-segmentation mode (default: the loader's)")
    parser.add_argument("--langs", help="Tesseract languages (default: the loader's)")
    parser.add_argument("--dpi", type=int, default=300, help="resolution of the simulated scan")
    args = parser.parse_args(argv)
    from pypdf import PdfReader

    from assistant.ingest import ocr

    if not KO_PDFS.is_dir() or ocr.unavailable():
        print(f"cannot run: {ocr.unavailable() or f'{KO_PDFS} is missing'}", file=sys.stderr)
        return 2
    ocr.OCR_PSM = args.psm or ocr.OCR_PSM  # a benchmark's override: the loader has no such setting
    ocr.OCR_LANGS = args.langs or ocr.OCR_LANGS
    print(f"tesseract {ocr.OCR_LANGS} --psm {ocr.OCR_PSM}, scans at {args.dpi} dpi")
    scores = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, page in PAGES:
            reference = PdfReader(KO_PDFS / name).pages[page - 1].extract_text() or ""
            scan = scan_of(KO_PDFS / name, page, Path(tmp) / f"{Path(name).stem}-p{page}.pdf", args.dpi)
            t0 = time.perf_counter()
            text = ocr.ocr_page(scan, 1)
            seconds = time.perf_counter() - t0
            scores.append(char_accuracy(text, reference))
            chars = len(re.sub(r"\s+", "", reference))
            print(f"{name} p.{page}: accuracy {scores[-1]:.3f} ({chars} reference characters, {seconds:.1f} s)")
    print(f"mean accuracy {sum(scores) / len(scores):.3f} over {len(scores)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
