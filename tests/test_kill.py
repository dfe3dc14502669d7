"""`kill -9` at random points of a build and of an upload: whatever moment the process dies, the live index is
the previous build or the complete new one (never a half-written one), and the next build succeeds.

The builds run in child processes (this interpreter, a script written to tmp_path) with a slow fake embedder.
A child marks each phase in a file; a kill is aimed at a seeded random moment after one of those marks, so each
phase (start-up, loading, embedding, writing, between the rename and the CURRENT swap, after it) is hit on every
run, the same way. The child slows its own fsync/rename/replace and file writes a little, so that the moments
between them are wide enough to land in. Two children run at a time (each has its own copy of the index).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.index import build_index, load
from assistant.index.store import CHUNKS, CURRENT, MANIFEST, current_build, vectors_file
from assistant.ingest import survey
from assistant.settings import Settings

from conftest import FakeEmbedder

pytestmark = pytest.mark.slow

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SEED = 20241206
CHILD_TIMEOUT = 120

CHILD = r'''
"""A build (or an upload, then a build) to be killed: marks each phase in a file, embeds and writes slowly."""
import json, os, pathlib, shutil, sys, time

config = json.load(open(sys.argv[1], encoding="utf-8"))
sys.path[:0] = [config["tests"], config["root"]]
marks = open(config["marks"], "a", encoding="utf-8")


def mark(what):
    marks.write(f"{time.monotonic():.6f} {what}\n")
    marks.flush()


mark("imported")
from pathlib import Path

from conftest import FakeEmbedder
from assistant.index import build_index, load, store
from assistant.index.plan import load_chunks
from assistant.settings import Settings
from assistant.uploads import settle, stage


class SlowEmbedder(FakeEmbedder):
    def embed_passages(self, texts):
        if not self.embedded:
            mark("embed-start")
        time.sleep(config["batch_sleep"])
        return super().embed_passages(texts)


def slowed(fn, name, before=0.0):
    def wrapper(*args, **kwargs):
        mark(name)
        time.sleep(before)
        out = fn(*args, **kwargs)
        mark(name + "d")
        return out
    return wrapper


if config["mode"] == "build":
    real_fsync = os.fsync
    os.fsync = lambda fd: (time.sleep(0.02), real_fsync(fd))[1]
    os.rename = slowed(os.rename, "rename", 0.05)    # the complete build directory takes its final name
    os.replace = slowed(os.replace, "replace", 0.05)  # CURRENT is swapped
    store.write_build = slowed(store.write_build, "write")
    store.prune = slowed(store.prune, "prune", 0.05)  # leftovers and old builds are removed after the swap
else:
    puts = [0]

    def slow_write_bytes(self, data):
        """However the upload is written (Path.write_bytes or shutil.copyfile), in 1 KB pieces, 10 ms apart."""
        puts[0] += 1
        mark(f"put {puts[0]}")
        data = memoryview(bytes(data))
        with open(self, "wb") as fh:
            for i in range(0, len(data), 1024):
                fh.write(data[i:i + 1024])
                fh.flush()
                time.sleep(0.01)
        mark(f"put {puts[0]} written")
        return len(data)

    pathlib.Path.write_bytes = slow_write_bytes
    shutil.copyfile = lambda src, dst, *a, **k: (slow_write_bytes(Path(dst), Path(src).read_bytes()), dst)[1]

settings = Settings(corpus_dirs=(Path(config["corpus"]),), index_dir=Path(config["index"]),
                    upload_dir=Path(config["uploads"]), embedder="use-m3")
embedders = {"use-m3": SlowEmbedder()}
mark("start")
if config["mode"] == "build":
    build_index(settings, embedders=embedders, progress=False)
else:
    files = [(Path(p), given) for p, given in config["files"]]
    copied, refused = stage(files, settings, Path(config["received"]), set(), lambda src: load_chunks(src, settings))
    assert not refused, refused
    mark("staged")
    report = build_index(settings, embedders=embedders, progress=False)
    mark("built")
    settle(copied, set(load(settings.index_dir, ["use-m3"]).files), dict(report.skipped))
mark("done")
'''


# --- helpers -------------------------------------------------------------------------------------------------------

def document(i: int, version: int) -> str:
    body = " ".join(f"문서 {i}는 지역 개발 정책 quux{i:02d}xyz 항목 {k}을 설명한다." for k in range(6))
    return (f"---\ntitle: 문서 {i:02d}\nlang: ko\n---\n\n# 문서 {i:02d}\n\n## 개요\n\n{body}\n\n"
            f"## 개정\n\n버전 {version}에서 고친 내용: 사업비 {i * 10 + version}억 원.\n")


def write_corpus(corpus: Path, version: int) -> set[str]:
    docs = corpus / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    numbers = range(40) if version == 1 else [*range(2, 40), 40, 41]  # v2: every text changed, 2 gone, 2 new
    for i in numbers:
        (docs / f"doc{i:02d}.md").write_text(document(i, version), encoding="utf-8")
    return {f"docs/doc{i:02d}.md" for i in numbers}


def state(index_dir: Path) -> list[tuple[str, str, str]]:
    return [(c.chunk_id, c.doc_id, c.text) for c in load(index_dir, ["use-m3"]).chunks]


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def read_marks(path: Path) -> list[tuple[float, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        t, _, name = line.partition(" ")
        rows.append((float(t), name))
    return rows


def run_child(cycle: Path, config: dict, anchor: str | None, offset: float | None) -> tuple[list[str], bool]:
    """Start the child in folder cycle; once `anchor` is marked (at once, for None) wait `offset` seconds and
    SIGKILL it; with offset None let it finish. Returns the marks it made and whether it was killed."""
    cycle.mkdir(parents=True, exist_ok=True)
    marks = cycle / "marks.txt"
    marks.write_text("", encoding="utf-8")
    (cycle / "child.json").write_text(json.dumps({**config, "marks": str(marks)}), encoding="utf-8")
    (cycle / "child.py").write_text(CHILD, encoding="utf-8")
    with open(cycle / "stderr.txt", "wb") as err:
        proc = subprocess.Popen([sys.executable, str(cycle / "child.py"), str(cycle / "child.json")],
                                stdout=subprocess.DEVNULL, stderr=err, cwd=cycle)
        try:
            deadline = time.monotonic() + CHILD_TIMEOUT
            while anchor is not None and proc.poll() is None and time.monotonic() < deadline:
                if any(name == anchor for _, name in read_marks(marks)):
                    break
                time.sleep(0.002)
            if offset is None:
                proc.wait(timeout=CHILD_TIMEOUT)
            elif offset > 0 and proc.poll() is None:
                time.sleep(offset)
            killed = proc.poll() is None
            if killed:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=CHILD_TIMEOUT)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
    if not killed:
        assert proc.returncode == 0, (cycle / "stderr.txt").read_text(encoding="utf-8", errors="replace")[-3000:]
    return [name for _, name in read_marks(marks)], killed


def phase_lengths(cycle: Path, config: dict) -> dict[str, float]:
    """Seconds from each mark to the next in one run left to finish; "(launch)" is from starting the process to
    the "start" mark (interpreter, imports), "embedding" from the first batch to the write."""
    t0 = time.monotonic()
    run_child(cycle, config, None, None)
    rows = read_marks(cycle / "marks.txt")
    first = {}
    for t, name in rows:
        first.setdefault(name, t)
    out = {"(launch)": first["start"] - t0}
    for (t, name), (t_next, _) in zip(rows, rows[1:]):
        out.setdefault(name, t_next - t)
    if "embed-start" in first and "write" in first:
        out["embedding"] = first["write"] - first["embed-start"]
    return out


def run_cycles(jobs: list[tuple[Path, dict, str | None, float]]) -> list[tuple[list[str], bool]]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda job: run_child(*job), jobs))


def check_live_index(index_dir: Path, allowed: list[list[tuple[str, str, str]]]) -> list[tuple[str, str, str]]:
    """CURRENT names a complete build (never a .tmp- one) that loads and is one of the allowed states."""
    live = current_build(index_dir)
    assert live is not None, "no live build after the kill"
    pointer = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    assert pointer == live.name and pointer.startswith("build-")
    for part in (MANIFEST, CHUNKS, vectors_file("use-m3")):
        assert (live / part).is_file(), f"the live build lacks {part}"
    index = load(index_dir, ["use-m3"])
    assert len(index.chunks) == index.vectors["use-m3"].count
    assert not index.path.name.startswith(".tmp-build-")
    now = state(index_dir)
    assert now in allowed, "the live index is neither the previous build nor the complete new one"
    return now


def pristine_index(tmp_path: Path, uploads: str) -> tuple[Path, Settings]:
    """A one-document corpus and the index built from it before any process is killed: (corpus, its settings)."""
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 1)
    base = Settings(corpus_dirs=(corpus,), index_dir=tmp_path / "pristine", upload_dir=tmp_path / uploads,
                    embedder="use-m3")
    build_index(base, embedders={"use-m3": FakeEmbedder()}, progress=False)
    return corpus, base


# --- kill a build --------------------------------------------------------------------------------------------------

def test_a_build_killed_at_any_moment_leaves_a_live_complete_index(tmp_path):
    from assistant import Assistant

    corpus, base = pristine_index(tmp_path, "uploads")
    pristine = base.index_dir
    old_state, old_build = state(pristine), current_build(pristine).name
    old_bytes = tree_bytes(pristine / old_build)
    new_docs = write_corpus(corpus, 2)

    def config(index: Path) -> dict:
        return {"mode": "build", "root": str(ROOT), "tests": str(TESTS), "corpus": str(corpus), "index": str(index),
                "uploads": str(tmp_path / "uploads"), "batch_sleep": 0.3}

    # One run left to finish, on a copy: how long each phase takes, and what the complete new index holds.
    calibration = tmp_path / "calibration"
    shutil.copytree(pristine, calibration / "index")
    lengths = phase_lengths(calibration, config(calibration / "index"))
    new_state = state(calibration / "index")
    assert {d for _, d, _ in new_state} == new_docs and new_state != old_state

    rng = random.Random(SEED)
    plan = [
        (None, rng.uniform(0.05, 0.9) * lengths["(launch)"]),         # the interpreter is starting, importing
        ("start", rng.uniform(0.0, 0.9) * lengths["start"]),          # surveying, loading, chunking, tokenizing
        ("embed-start", rng.uniform(0.0, 0.45) * lengths["embedding"]),
        ("embed-start", rng.uniform(0.5, 0.95) * lengths["embedding"]),
        ("write", rng.uniform(0.0, 0.08)),                            # writing the .tmp-build directory
        ("renamed", rng.uniform(0.0, 0.03)),                          # complete build named, CURRENT not swapped
        ("replaced", rng.uniform(0.0, 0.01)),                         # swapped, about to prune
    ]
    cycles = [tmp_path / f"cycle{i}" for i in range(len(plan))]
    for cycle in cycles:
        shutil.copytree(pristine, cycle / "index")
    results = run_cycles([(cycle, config(cycle / "index"), anchor, offset)
                          for cycle, (anchor, offset) in zip(cycles, plan)])
    # The calibration run stands for a kill after the build finished (a SIGKILL then finds no process).
    cycles.append(calibration)
    results.append((["done"], False))

    hit = []
    for cycle, (marks, killed) in zip(cycles, results):
        hit.append((marks[-1] if marks else "(none)") if killed else "(finished)")
        index_dir = cycle / "index"
        settings = base.replace(index_dir=index_dir)

        # The live index is the previous build or the complete new one, it answers, and the previous build's
        # files are as they were.
        now = check_live_index(index_dir, [old_state, new_state])
        assert tree_bytes(index_dir / old_build) == old_bytes, "the previous build was changed or removed"
        bot = Assistant(load(index_dir, ["use-m3"]), settings, embedders={"use-m3": FakeEmbedder()})
        assert bot.search("quux05xyz 지역 개발 정책", k=3)[0].doc_id == "docs/doc05.md"

        # The next build, run normally, succeeds and is complete; it embeds only what the live index lacks.
        emb = FakeEmbedder()
        report = build_index(settings, embedders={"use-m3": emb}, progress=False)
        assert state(index_dir) == new_state and report.skipped == []
        assert len(emb.embedded) == (0 if now == new_state else len(new_state))
        assert not [c.name for c in index_dir.iterdir() if c.name.startswith(".tmp-build-")]

    # Every phase was really hit: start-up, loading, embedding, writing, between rename and swap, after the swap.
    assert hit[0] in ("(none)", "imported") and hit[1] == "start", hit
    assert "embed-start" in hit and "write" in hit, hit
    assert {"renamed", "replace"} & set(hit) and {"replaced", "prune"} & set(hit) and hit[-1] == "(finished)", hit


# --- kill an upload ------------------------------------------------------------------------------------------------

def upload_text(i: int) -> str:
    body = "\n\n".join(f"## {s}. 업로드 {i} 절 {s}\n\n" + f"업로드 문서 {i}는 광역 교통망 upl{i}zz 계획을 다룬다. " * 14
                       for s in range(12))
    return f"# 업로드 {i}\n\n{body}\n"


def test_an_upload_killed_at_any_moment_leaves_no_half_written_document(tmp_path):
    corpus, base = pristine_index(tmp_path, "no-uploads")
    pristine = base.index_dir
    old_state = state(pristine)
    corpus_docs = {d for _, d, _ in old_state}

    received = tmp_path / "received"
    received.mkdir()
    given = {"plan-a.md": "../../plan-a.md", "plan-b.md": ".plan-b.md", "plan-c.txt": "C:\\docs\\plan-c.txt"}
    sources = {}
    for i, name in enumerate(given):
        sources[name] = received / f"tmp{i}-{name}"
        sources[name].write_text(upload_text(i), encoding="utf-8")
    assert all(s.stat().st_size > 10_000 for s in sources.values())  # ten 1 KB pieces or more: writes take time

    def config(cycle: Path) -> dict:
        return {"mode": "upload", "root": str(ROOT), "tests": str(TESTS), "corpus": str(corpus),
                "index": str(cycle / "index"), "uploads": str(cycle / "uploads"), "batch_sleep": 0.03,
                "received": str(received), "files": [[str(sources[n]), g] for n, g in given.items()]}

    calibration = tmp_path / "calibration"
    shutil.copytree(pristine, calibration / "index")
    lengths = phase_lengths(calibration, config(calibration))
    assert sorted(p.name for p in (calibration / "uploads").iterdir()) == sorted(given)
    full_state = state(calibration / "index")
    assert {d for _, d, _ in full_state} == corpus_docs | set(given)
    assert all(lengths[f"put {n}"] > 0.08 for n in (1, 2, 3)), lengths

    rng = random.Random(SEED + 1)
    plan = [
        ("start", rng.uniform(0.0, 0.9) * lengths["start"]),  # checking the files
        ("put 1", rng.uniform(0.1, 0.9) * lengths["put 1"]),  # halfway through writing an upload
        ("put 2", rng.uniform(0.1, 0.9) * lengths["put 2"]),
        ("put 3", rng.uniform(0.1, 0.9) * lengths["put 3"]),
        ("staged", rng.uniform(0.0, 0.9) * lengths["staged"]),  # building
        ("built", 0.0),  # built, not yet settled
    ]
    cycles = [tmp_path / f"cycle{i}" for i in range(len(plan))]
    for cycle in cycles:
        shutil.copytree(pristine, cycle / "index")
    results = run_cycles([(cycle, config(cycle), anchor, offset) for cycle, (anchor, offset) in zip(cycles, plan)])

    hit = []
    for cycle, (marks, killed) in zip(cycles, results):
        hit.append((marks[-1] if marks else "(none)") if killed else "(finished)")
        uploads, index_dir = cycle / "uploads", cycle / "index"
        settings = base.replace(index_dir=index_dir, upload_dir=uploads)

        # What a build would take from the upload folder is only ever a complete copy.
        found, ignored = survey([uploads]) if uploads.exists() else ([], [])
        for src in found:
            assert src.doc_id in given, src.doc_id
            assert src.path.read_bytes() == sources[src.doc_id].read_bytes(), f"{src.doc_id} is half-written"
        assert not {i.doc_id for i in ignored} & set(given), ignored
        complete = {src.doc_id for src in found}

        # The live index is the previous one or the one with every upload.
        live = check_live_index(index_dir, [old_state, full_state])
        assert {d for _, d, _ in live} - corpus_docs <= complete

        # The next build succeeds and holds the corpus and exactly the complete uploads.
        report = build_index(settings, embedders={"use-m3": FakeEmbedder()}, progress=False)
        index = load(index_dir, ["use-m3"])
        assert set(index.files) == corpus_docs | complete and report.skipped == []
        assert len(index.chunks) == index.vectors["use-m3"].count
        if complete == set(given):
            assert state(index_dir) == full_state

    assert sum(h.startswith("put ") and not h.endswith("written") for h in hit) >= 2, hit  # killed mid-write
