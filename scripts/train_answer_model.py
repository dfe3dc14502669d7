"""Train the answer model: which candidate sentence holds the answer, and when to decline.

Training questions: eval/train/*.jsonl, written from the corpus for this purpose (never the test set). Each
candidate sentence of the retrieved passages is one example, labelled 1 when it contains a gold answer; the
candidates of unanswerable questions are all 0, which is what teaches the model to give low probabilities when
nothing answers. The decline threshold is then chosen on the same training questions (the held-out file is a test
set): the highest accuracy with at most 5% of answerable questions declined. Writes assistant/data/answer_model.json.

    python scripts/train_answer_model.py [--index index]
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402
from assistant.answer.features import FEATURES  # noqa: E402
from assistant.answer.scorer import AnswerModel, fit_logistic  # noqa: E402
from assistant.evaluation.metrics import normalise_answer  # noqa: E402
from assistant.evaluation.testset import load_testset  # noqa: E402


def examples(bot, questions):
    """Per question: (answerable, [(features, label, score-later)])."""
    out = []
    for q in questions:
        cands = bot.candidates(q.question, history=list(q.history) or None)
        golds = [normalise_answer(a) for a in q.answers]
        rows = [(c.features, int(q.answerable and any(g and g in normalise_answer(c.text) for g in golds)))
                for c in cands]
        out.append((q, rows))
    return out


def choose_threshold(model: AnswerModel, data, max_false_decline: float = 0.05) -> tuple[float, dict]:
    """Best accuracy on `data` with at most max_false_decline of answerable questions declined."""
    scored = []
    for q, rows in data:
        if not rows:
            scored.append((q.answerable, 0.0, False))
            continue
        best = max(rows, key=lambda r: model.score(r[0]))
        scored.append((q.answerable, model.score(best[0]), bool(best[1])))
    answerable = sum(1 for a, _, _ in scored if a) or 1
    best_t, best_stats = 0.0, None
    for t in sorted({round(p, 4) for _, p, _ in scored} | {0.0}):
        right = sum(1 for a, p, ok in scored if (p >= t and a and ok) or (p < t and not a))
        false_decl = sum(1 for a, p, _ in scored if a and p < t) / answerable
        stats = {"threshold": t, "accuracy_top_sentence": right / len(scored), "false_decline": false_decl,
                 "decline_recall": sum(1 for a, p, _ in scored if not a and p < t) / max(1, len(scored) - answerable)}
        if false_decl <= max_false_decline and (best_stats is None or stats["accuracy_top_sentence"] > best_stats["accuracy_top_sentence"]):
            best_t, best_stats = t, stats
    return best_t, best_stats or {}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", default="index")
    ap.add_argument("--out", default=str(ROOT / "assistant" / "data" / "answer_model.json"))
    ap.add_argument("--l2", type=float, default=1e-2)
    args = ap.parse_args()

    settings = Settings.from_env(answer_model="weights")
    bot = Assistant.from_index(args.index, settings=settings)
    train_q = [q for f in sorted(glob.glob(str(ROOT / "eval" / "train" / "*.jsonl"))) for q in load_testset(f)]
    train = examples(bot, train_q)
    X = [f for _, rows in train for f, _ in rows]
    y = [lab for _, rows in train for _, lab in rows]
    w, b = fit_logistic(X, y, l2=args.l2)
    model = AnswerModel(tuple(w), b, 0.5)
    threshold, stats = choose_threshold(model, train)
    reachable = sum(1 for q, rows in train if q.answerable and any(lab for _, lab in rows))
    out = {
        "features": list(FEATURES), "weights": [round(v, 5) for v in w], "bias": round(b, 5),
        "threshold": threshold,
        "trained_on": {"questions": len(train_q), "candidates": len(X), "positives": int(sum(y)),
                       "answerable_with_answer_in_passages": reachable},
        "calibrated_on": {"files": "eval/train/*.jsonl", "questions": len(train_q), **stats},
    }
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: out[k] for k in ("weights", "bias", "threshold", "trained_on", "calibrated_on")},
                     ensure_ascii=False, indent=2))
    print(dict(zip(FEATURES, out["weights"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
