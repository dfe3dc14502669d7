"""OCR of PDF pages that carry no text layer (scans): pdftoppm renders the page, Tesseract reads it.

Both are Debian's tools (poppler-utils, tesseract-ocr with tesseract-ocr-kor), run as child processes with a
timeout: a hostile or huge page can hang or crash only the child, never the build. Nothing here is a setting;
the bounds below are module constants.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

# Korean with English: "kor" alone reads Korean pages a little better (0.946 against 0.917 on
# benchmarks/ocr_accuracy.py) but turns English pages into nonsense (0.01-0.11 against 0.19-0.78).
OCR_LANGS = "kor+eng"
# 4: one column of text of varying sizes. The default (3, full layout analysis) breaks widely spaced Korean report
# pages into fragments (mean character accuracy 0.415 against 0.917 on benchmarks/ocr_accuracy.py); 6 (one
# uniform block) scored alike (0.910).
OCR_PSM = 4
OCR_DPI = 300  # Tesseract's models are trained on ~300 dpi text; less loses Hangul strokes, more only costs time
# An A4 page at 300 dpi is 3508 px long; a page drawn larger is rendered at a lower resolution instead of into a
# bitmap of gigabytes.
MAX_SIDE_PX = 4200
OCR_TIMEOUT_S = 60  # per page, rendering and reading together
MAX_OCR_PAGES = 50  # per file: ~3-7 s a page on two cores, so a 500-page scan cannot hold the build for an hour
MAX_OCR_SECONDS = 600  # per file: the page limit binds first on ordinary scans; this one on pages that are slow
INSTALL_HINT = "scanned pages need OCR: install tesseract-ocr and tesseract-ocr-kor"


@dataclass
class OcrResult:
    """What OCR did to one file's pages: texts by page index (0-based), and the pages it could not read and why."""

    texts: dict[int, str] = field(default_factory=dict)
    missed: dict[int, str] = field(default_factory=dict)

    def reason(self) -> str:
        """The reasons pages were missed, most common first, as one phrase ('' when none were)."""
        counts: dict[str, int] = {}
        for why in self.missed.values():
            counts[why] = counts.get(why, 0) + 1
        return "; ".join(f"{why} ({n} page{'s' * (n != 1)})" for why, n in sorted(counts.items(), key=lambda x: -x[1]))


def unavailable() -> str | None:
    """Why OCR cannot run on this machine (the packages to install), or None when it can."""
    if shutil.which("tesseract") is None:
        return INSTALL_HINT
    if shutil.which("pdftoppm") is None:
        return "scanned pages need OCR: install poppler-utils (pdftoppm renders the pages)"
    try:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30,
                                check=False).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return INSTALL_HINT
    missing = [lang for lang in OCR_LANGS.split("+") if lang not in listed]
    return f"{INSTALL_HINT} (language data missing: {', '.join(missing)})" if missing else None


def available() -> bool:
    return unavailable() is None


def _resolution(long_side_pt: float) -> tuple[list[str], int]:
    """pdftoppm's resolution options for a page whose long side is this many points (1/72 in; 0 when unknown),
    and the dpi that Tesseract is told."""
    if long_side_pt * OCR_DPI / 72 <= MAX_SIDE_PX:
        return ["-r", str(OCR_DPI)], OCR_DPI
    # pdftoppm fits the long side to this many pixels, whatever the page's size or UserUnit.
    return ["-scale-to", str(MAX_SIDE_PX)], max(1, int(MAX_SIDE_PX * 72 / long_side_pt))


def _child_env() -> dict[str, str]:
    # Tesseract's OpenMP threads slow it down on small machines (measured: 2.4 s a page with one thread, 4.8 s
    # with two on two cores), and they would compete with the embedders.
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def ocr_page(pdf: Path, number: int, long_side_pt: float = 0.0, timeout: float | None = None) -> str:
    """The text Tesseract reads on page `number` (1-based) of the PDF, rendering and reading within one `timeout`.
    Raises OSError or subprocess errors (TimeoutExpired, CalledProcessError) when a tool fails; the caller decides
    what a failed page means."""
    size, dpi = _resolution(long_side_pt)
    deadline = time.monotonic() + (OCR_TIMEOUT_S if timeout is None else timeout)
    with tempfile.TemporaryDirectory(prefix="pa-ocr-") as tmp:
        root = Path(tmp) / "page"
        _run(["pdftoppm", *size, "-gray", "-png", "-f", str(number), "-l", str(number), "-singlefile",
              str(pdf), str(root)], deadline)
        image = root.with_suffix(".png")
        if not image.is_file():
            raise OSError(f"pdftoppm rendered no image of page {number}")
        out = _run(["tesseract", str(image), "stdout", "-l", OCR_LANGS, "--psm", str(OCR_PSM), "--dpi", str(dpi)],
                   deadline)
    return _clean(out.decode("utf-8", errors="replace"))


def _run(cmd: list[str], deadline: float) -> bytes:
    # subprocess.run kills the child when the time is up, so a hung tool leaves nothing behind.
    left = deadline - time.monotonic()
    if left <= 0:
        raise subprocess.TimeoutExpired(cmd, 0)
    return subprocess.run(cmd, capture_output=True, timeout=left, check=True, env=_child_env()).stdout


def _clean(text: str) -> str:
    """Tesseract ends a page with a form feed and pads lines with spaces; what remains is left to the PDF
    loader's own line repair."""
    return "\n".join(line.rstrip() for line in text.replace("\f", "").split("\n")).strip("\n")


def _failure(exc: Exception) -> str:
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"OCR timed out (over {OCR_TIMEOUT_S} s a page)"
    if isinstance(exc, subprocess.CalledProcessError):
        tool = Path(str(exc.cmd[0])).name if exc.cmd else "OCR"
        return f"{tool} failed (exit {exc.returncode})"
    return f"OCR failed ({type(exc).__name__})"


def ocr_pages(pdf: Path, indexes: list[int], long_sides_pt: dict[int, float] | None = None,
              limit: int | None = None) -> OcrResult:
    """OCR the pages at these indexes (0-based), at most `limit` of them, in page order. Never raises: a page
    that cannot be read is listed in `missed` with its reason (OCR unavailable, over a limit, timeout, failure)."""
    result = OcrResult()
    limit = MAX_OCR_PAGES if limit is None else limit
    stop = unavailable()
    budget_end = time.monotonic() + MAX_OCR_SECONDS
    if stop is None:
        log.info("%s: reading %d scanned pages by OCR", pdf.name, min(len(indexes), limit))  # minutes, not seconds
    for n, index in enumerate(sorted(indexes)):
        if stop is None and n >= limit:
            stop = f"over the limit of {limit} OCR'd pages a file"
        if stop is None and time.monotonic() > budget_end:
            stop = f"over the limit of {MAX_OCR_SECONDS} s of OCR a file"
        if stop is not None:
            result.missed[index] = stop
            continue
        try:
            result.texts[index] = ocr_page(pdf, index + 1, (long_sides_pt or {}).get(index, 0.0))
        except (OSError, subprocess.SubprocessError) as exc:
            result.missed[index] = _failure(exc)
            log.warning("%s page %d: %s", pdf.name, index + 1, result.missed[index])
            if isinstance(exc, subprocess.TimeoutExpired):
                # A page that hangs the tools is a sign of a hostile or broken file: its other pages would too.
                stop = f"not tried after page {index + 1} timed out"
    return result
