"""Snapshot every answer the engine gives on the question files, so a change that should not alter answers (a
refactor, a bound, a fix elsewhere) can be proved not to: run it before and after, then compare.

    python scripts/snapshot_answers.py --out /tmp/before.jsonl [--sets shipped,statute,pdfs] [--work /tmp/snap]
    python scripts/snapshot_answers.py --compare /tmp/before.jsonl /tmp/after.jsonl
    python scripts/snapshot_answers.py --score /tmp/after.jsonl

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
    "shipped": (ROOT / "corpus", ["eval/testset.jsonl", "eval/heldout.jsonl"]
                + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "eval" / "train").glob("*.jsonl"))
                + ["eval/sealed/corpus.jsonl"]),
    "statute": (SHARED / "laws", ["eval/external/statute.jsonl", "eval/train/external/statute.jsonl",
                                  "eval/train/external/statute-2.jsonl", "eval/train/external/statute-en.jsonl",
                                  "eval/sealed/statute.jsonl"]),
    "pdfs": (SHARED / "pdfs" / "ko", ["eval/external/pdfs-ko.jsonl", "eval/train/external/pdfs-ko.jsonl",
                                      "eval/train/external/pdfs-ko-2.jsonl", "eval/train/external/pdfs-ko-en.jsonl",
                                      "eval/sealed/pdfs-ko.jsonl"]),
}


def open_set(name: str, work: Path, **settings):
    """The assistant over a set's corpus: the shipped index, or the set's own index under work (built once)."""
    from assistant import Assistant, Settings

    corpus, _ = SETS[name]
    index = ROOT / "index" if name == "shipped" else work / f"index-{name}"
    config = Settings.from_env(corpus_dirs=(corpus,), index_dir=index, upload_dir=work / f"uploads-{name}", **settings)
    return Assistant.from_index(index, settings=config, progress=False)


def snapshot(names: list[str], work: Path, out: Path) -> int:
    from assistant.evaluation import load_testset

    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for name in names:
            corpus, files = SETS[name]
            if not corpus.exists():
                print(f"skipped {name}: {corpus} not found", file=sys.stderr)
                continue
            bot = open_set(name, work)
            for rel in files:
                if not (ROOT / rel).is_file():
                    continue
                for q in load_testset(ROOT / rel):
                    ans = bot.ask(q.question, history=list(q.history) or None)
                    cited = [[c.doc_id, c.page, c.section] for c in ans.citations]
                    fh.write(json.dumps({"set": rel, "id": q.id, "text": ans.text, "abstained": ans.abstained,
                                         "cited": cited, "reason": ans.reason}, ensure_ascii=False) + "\n")
                    n += 1
    return n


def compare(before: Path, after: Path) -> int:
    def read(p: Path) -> dict:
        return {(r["set"], r["id"]): r for r in map(json.loads, open(p, encoding="utf-8"))}

    a, b = read(before), read(after)
    same = ("text", "abstained", "cited")  # what a user sees; the reason code is newer than early snapshots
    differ = [k for k in a if k in b and any(a[k].get(f) != b[k].get(f) for f in same)]
    for k in differ:
        print(f"{k[0]} {k[1]}\n  before: {a[k]['text'][:160]!r}\n  after:  {b[k]['text'][:160]!r}")
    print(f"{len(a)} before, {len(b)} after, {len(set(a) & set(b))} in both, {len(differ)} differ")
    return 1 if differ else 0


def score(path: Path) -> int:
    """Per question file: accuracy as the harness counts it (a gold answer in the text, or a decline of an
    unanswerable question), false declines and unanswerable questions declined. Aggregates only: a sealed set's
    misses are never listed."""
    from assistant.evaluation import load_testset
    from assistant.evaluation.metrics import answer_matches

    by_set: dict[str, list[tuple[bool, bool, bool]]] = {}
    gold = {}
    for r in map(json.loads, open(path, encoding="utf-8")):
        if r["set"] not in gold:
            gold[r["set"]] = {q.id: q for q in load_testset(ROOT / r["set"])}
        q = gold[r["set"]][r["id"]]
        right = (not r["abstained"] and answer_matches(r["text"], q.answers) is not None) if q.answerable else r["abstained"]
        by_set.setdefault(r["set"], []).append((q.answerable, r["abstained"], right))
    for name, rows in by_set.items():
        answerable = [x for x in rows if x[0]] or [(True, False, False)]
        unanswerable = [x for x in rows if not x[0]]
        print(f"{name:34s} {sum(x[2] for x in rows):4d}/{len(rows):<4d} accuracy {sum(x[2] for x in rows) / len(rows):.3f}"
              f"  false declines {sum(x[1] for x in answerable) / len(answerable):.3f}"
              f"  unanswerable declined {sum(x[1] for x in unanswerable)}/{len(unanswerable)}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--work", type=Path, default=Path("/tmp/pa-snapshot"))
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    ap.add_argument("--score", type=Path, metavar="SNAPSHOT", help="accuracy per question file of a snapshot")
    args = ap.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.score:
        return score(args.score)
    if not args.out:
        ap.error("--out or --compare is needed")
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{snapshot(args.sets.split(','), args.work, args.out)} answers → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
