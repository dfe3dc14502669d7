"""Calibrate when the assistant declines: run the test set with declining switched off, record the evidence of the
best sentence, then search thresholds (score, lexical coverage, similarity) for the best accuracy with few false
declines. Prints the grid's best rows; the chosen values go into assistant/settings.py by hand.

    python scripts/calibrate_abstention.py [--testset eval/testset.jsonl] [--max-false-decline 0.08]

Tune on the test set only; the held-out file (eval/heldout.jsonl) is reported, never tuned on.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--testset", default=str(ROOT / "eval" / "testset.jsonl"))
    ap.add_argument("--index", default=str(ROOT / "index"))
    ap.add_argument("--max-false-decline", type=float, default=0.08)
    args = ap.parse_args()

    from assistant import Assistant, Settings
    from assistant.evaluation import answer_matches, load_testset

    settings = Settings.from_env(index_dir=args.index, corpus_dirs=(ROOT / "corpus",), abstain_below=0.0, min_lexical=0.0,
                                 min_dense=-1.0)
    bot = Assistant.from_index(settings.index_dir, settings=settings)
    rows = []
    for q in load_testset(args.testset):
        ans = bot.ask(q.question, history=list(q.history) or None)
        ev = ans.evidence
        right = bool(q.answerable and answer_matches(ans.text, q.answers))
        rows.append((q, ev, right))

    def score(a, l, d, use_not_stated):
        ok = fd = n_ans = 0
        for q, ev, right in rows:
            declined = (not ev or ev["score"] < a or (ev["lexical"] < l and ev["dense"] < d)
                        or (use_not_stated and ev["not_stated"]))
            if q.answerable:
                n_ans += 1
                fd += declined
                ok += (not declined) and right
            else:
                ok += declined
        return ok / len(rows), fd / max(n_ans, 1)

    grid = []
    for a, l, d, ns in itertools.product([0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5], [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
                                         [0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 1.1], [True, False]):
        acc, fd = score(a, l, d, ns)
        grid.append((acc, -fd, a, l, d, ns))
    grid.sort(reverse=True)
    ceiling = sum(1 for q, _, r in rows if r or not q.answerable) / len(rows)
    print(f"{len(rows)} questions; accuracy ceiling with a perfect decision: {ceiling:.3f}")
    print("accuracy  false_decline  abstain_below  min_lexical  min_dense  not_stated")
    shown = 0
    for acc, nfd, a, l, d, ns in grid:
        if -nfd <= args.max_false_decline:
            print(f"{acc:.3f}     {-nfd:.3f}          {a:<13}  {l:<11}  {d:<9}  {ns}")
            shown += 1
            if shown >= 12:
                break


if __name__ == "__main__":
    main()
