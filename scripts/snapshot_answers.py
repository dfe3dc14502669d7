"""Snapshot every answer the engine gives on the question files, so a change that should not alter answers (a
refactor, a bound, a fix elsewhere) can be proved not to: run it before and after, then compare.

    python scripts/snapshot_answers.py --out /tmp/before.jsonl [--sets shipped,statute,pdfs] [--work /tmp/snap]
    python scripts/snapshot_answers.py --compare /tmp/before.jsonl /tmp/after.jsonl

One line per question: set, id, answer text, declined or not, cited (doc_id, page, section). The statute and the
Korean PDFs (../shared/external) get their own indexes under --work, built once and reused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "external"
sys.path.insert(0, str(ROOT))

# set name -> (corpus folder, question files); the sealed files are snapshotted, never read for tuning.
SETS = {
    "shipped": (ROOT / "corpus", ["eval/testset.jsonl", "eval/heldout.jsonl", "eval/train/train-a.jsonl",
                                  "eval/train/train-b.jsonl", "eval/train/train-c.jsonl", "eval/train/train-d.jsonl",
                                  "eval/sealed/corpus.jsonl"]),
    "statute": (SHARED / "laws", ["eval/external/statute.jsonl", "eval/sealed/statute.jsonl"]),
    "pdfs": (SHARED / "pdfs" / "ko", ["eval/external/pdfs-ko.jsonl", "eval/sealed/pdfs-ko.jsonl"]),
}


def snapshot(names: list[str], work: Path, out: Path) -> int:
    from assistant import Assistant, Settings
    from assistant.evaluation import load_testset

    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for name in names:
            corpus, files = SETS[name]
            if not corpus.exists():
                print(f"skipped {name}: {corpus} not found", file=sys.stderr)
                continue
            index = ROOT / "index" if name == "shipped" else work / f"index-{name}"
            settings = Settings.from_env(corpus_dirs=(corpus,), index_dir=index, upload_dir=work / f"uploads-{name}")
            bot = Assistant.from_index(index, settings=settings, progress=False)
            for rel in files:
                if not (ROOT / rel).is_file():
                    continue
                for q in load_testset(ROOT / rel):
                    ans = bot.ask(q.question, history=list(q.history) or None)
                    cited = [[c.doc_id, c.page, c.section] for c in ans.citations]
                    fh.write(json.dumps({"set": rel, "id": q.id, "text": ans.text, "abstained": ans.abstained,
                                         "cited": cited}, ensure_ascii=False) + "\n")
                    n += 1
    return n


def compare(before: Path, after: Path) -> int:
    def read(p: Path) -> dict:
        return {(r["set"], r["id"]): r for r in map(json.loads, open(p, encoding="utf-8"))}

    a, b = read(before), read(after)
    differ = [k for k in a if k in b and a[k] != b[k]]
    for k in differ:
        print(f"{k[0]} {k[1]}\n  before: {a[k]['text'][:160]!r}\n  after:  {b[k]['text'][:160]!r}")
    print(f"{len(a)} before, {len(b)} after, {len(set(a) & set(b))} in both, {len(differ)} differ")
    return 1 if differ else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--work", type=Path, default=Path("/tmp/pa-snapshot"))
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        ap.error("--out or --compare is needed")
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{snapshot(args.sets.split(','), args.work, args.out)} answers → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
