"""Speed and memory figures for the assistant on the project corpus (a benchmark, not a test: it prints figures).

    python benchmarks/bench.py [--embedder use-m3+e5-small] [--questions eval/testset.jsonl] [--n 60]

Builds a fresh index in a temporary directory (full build, every chunk embedded), then asks --n questions.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedder", default=None, help="default: the shipped setting")
    ap.add_argument("--questions", default=str(ROOT / "eval" / "testset.jsonl"))
    ap.add_argument("--n", type=int, default=60)
    args = ap.parse_args()

    from assistant import Assistant, Settings
    from assistant.index import build_index

    questions = [json.loads(line) for line in open(args.questions, encoding="utf-8")][: args.n]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(corpus_dirs=(ROOT / "corpus",), index_dir=Path(tmp) / "index",
                                     upload_dir=Path(tmp) / "uploads", embedder=args.embedder)
        args.embedder = settings.embedder
        t0 = time.perf_counter()
        report = build_index(settings, progress=False)
        build_s = time.perf_counter() - t0
        size = dir_size(settings.index_dir)
        t0 = time.perf_counter()
        bot = Assistant.from_index(settings.index_dir, settings=settings, build=False)
        bot.ask("도심융합특구는 어떤 곳인가요?")  # first call loads the models
        warm_s = time.perf_counter() - t0
        lat = []
        for q in questions:
            t = time.perf_counter()
            bot.ask(q["question"], history=q.get("history") or None)
            lat.append((time.perf_counter() - t) * 1000)
        docs = len(bot.documents)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"embedder                 {args.embedder}")
    print(f"documents / chunks       {docs} / {report.chunks}")
    print(f"index build (full)       {build_s:.1f} s  (embedding {report.embed_seconds:.1f} s)")
    print(f"chunks embedded per sec  {report.embedded / max(report.embed_seconds, 1e-9):.1f}")
    print(f"index size on disk       {size / 1e6:.2f} MB")
    print(f"load + first answer      {warm_s:.2f} s")
    print(f"ask latency (n={len(lat)})      p50 {statistics.median(lat):.0f} ms   p95 {pct(lat, 0.95):.0f} ms   max {max(lat):.0f} ms")
    print(f"peak memory (RSS)        {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
