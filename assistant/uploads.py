"""Documents added through the app: which files may be taken, under what name, and what became of each.

Only files the web server itself received from a browser are taken (they sit in its upload folder); a path a
client merely names is refused, so the upload API cannot be used to read the server's own files. A name is cut to
its last component (either slash) and freed of the leading '.' or '_' that would hide it from the build, so what
the app reports as added is what gets indexed; a file the build then skips is removed again and reported as such.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assistant.clean import clean_text
from assistant.errors import IngestError
from assistant.ingest import SourceFile, ignored_reason, sidecar_of
from assistant.settings import Settings

MAX_NAME_BYTES = 200  # file systems allow 255 bytes; room is left for the metadata sidecar's suffix


@dataclass(frozen=True)
class Outcome:
    """What became of one uploaded file: added (as name) or not, and why."""

    given: str
    name: str
    added: bool
    reason: str = ""


def within(path: Path, folder: Path) -> bool:
    """True when path, with every link resolved, lies inside folder."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def upload_name(given: str, exclude: tuple[str, ...] = ("README.md",)) -> tuple[str, str]:
    """(name to store the file under, "") or ("", reason it cannot be stored). The name is the last component,
    freed of leading '.', '_' and spaces and of characters no file name can hold, shortened to MAX_NAME_BYTES of
    UTF-8 before its suffix, so it keeps its type."""
    base = clean_text(given, "").replace("\\", "/").rsplit("/", 1)[-1].replace("\n", " ").strip().lstrip("._ ")
    stem, dot, suffix = base.rpartition(".")
    if dot and len(suffix) <= 10:
        keep = MAX_NAME_BYTES - len(suffix.encode()) - 1
        base = stem.encode()[:keep].decode("utf-8", "ignore").rstrip() + "." + suffix
    if not base or base in ("..", ".") or base.startswith("."):
        return "", "the file has no usable name"
    reason = ignored_reason(PurePosixPath(base), exclude)
    return ("", reason) if reason else (base, "")


def stage(files: list[tuple[Path, str]], settings: Settings, received_in: Path, corpus_ids: set[str],
          check, access: str | None = None) -> tuple[list[tuple[Path, str]], list[Outcome]]:
    """Check each (received path, name the browser gave) and copy the good ones into the upload folder, each with
    a metadata sidecar holding its access level when one is given (it wins over the file's own front matter).

    check(SourceFile) loads a file as the build would and raises IngestError when it cannot be indexed.
    Returns the copied (path, name) pairs and an Outcome for every file refused."""
    upload_dir = Path(settings.upload_dir)
    upload_dir.mkdir(parents=True, exist_ok=True)
    clear_stale_parts(upload_dir)
    limit = settings.max_upload_mb * 1024 * 1024
    copied, refused = [], []
    for src, given in files:
        name, why = upload_name(given, settings.exclude)
        if not why and not within(src, received_in):
            why = "not a file uploaded through this page"
        if not why and name in corpus_ids:
            why = "a corpus document has this name"
        if not why and (not src.is_file() or src.stat().st_size > limit):
            why = f"missing, or larger than {settings.max_upload_mb} MB"
        if not why:
            why = _loads(check, src, name)
        if why:
            refused.append(Outcome(given, name, False, why))
            continue
        target = upload_dir / name
        if access:  # first, so no build sees the document without its level
            _write(sidecar_of(target), f"access: {access}\n".encode())
        _write(target, src.read_bytes())
        copied.append((target, given))
    return copied, refused


def _write(target: Path, data: bytes) -> None:
    """Write beside the target under a hidden name, then rename: a half-written file is never seen by a build."""
    tmp = target.with_name(f".{target.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, target)


STALE_PART_SECONDS = 3600


def clear_stale_parts(upload_dir: Path, now: float | None = None) -> list[str]:
    """Remove half-written uploads a killed process left (hidden '.NAME.part' files, never indexed). Only old ones:
    a newer one may be another request's upload in progress."""
    import time

    now = time.time() if now is None else now
    gone = []
    for part in upload_dir.glob(".*.part"):
        try:
            if now - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()
                gone.append(part.name)
        except OSError:
            continue  # removed meanwhile by another request
    return gone


def remove(path: Path) -> None:
    """An uploaded document and its metadata sidecar."""
    path.unlink(missing_ok=True)
    sidecar_of(path).unlink(missing_ok=True)


def _loads(check, src: Path, name: str) -> str:
    try:
        check(SourceFile(src, src.parent, name))
    except IngestError as exc:
        return exc.reason
    return ""


def settle(copied: list[tuple[Path, str]], indexed: set[str], skipped: dict[str, str]) -> list[Outcome]:
    """After the build: each copied file is added if the index now holds it; otherwise it is removed again (so
    nothing stays on disk that is neither indexed nor removable) and reported with the build's reason."""
    out = []
    for path, given in copied:
        if path.name in indexed:
            out.append(Outcome(given, path.name, True))
            continue
        remove(path)
        out.append(Outcome(given, path.name, False, skipped.get(path.name, "the build did not index it")))
    return out
