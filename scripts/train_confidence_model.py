"""Train the answer-confidence model (answer stage 7): is the composed answer right?

Training questions only: eval/train/*.jsonl, written from the corpus for this purpose, and eval/train/external/,
written over the statute and the Korean PDFs of ../shared/external (skipped when that is absent; each on its own
index, as scripts/snapshot_answers.py opens it). Each question the engine answers (with the confidence stage off) is one example: its answer features (assistant/answer/confidence.py),
labelled 1 when the answer holds a gold answer, 0 otherwise (a wrong answer, or any answer to an unanswerable
question). The threshold is then chosen on the same questions, by 5-fold cross-validation: the highest share of
questions right with at most --max-false-decline of the answerable questions the engine gets right declined.
Writes assistant/data/confidence_model.json (or --out).

    python scripts/train_confidence_model.py [--index index] [--out FILE]
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
# Training questions over real material nobody here wrote: (snapshot set, question file under eval/train/external)
EXTERNAL = (("statute", "statute.jsonl"), ("pdfs", "pdfs-ko.jsonl"))

from assistant import Assistant, Settings  # noqa: E402
from assistant.answer.confidence import FEATURES, ConfidenceModel  # noqa: E402
from assistant.answer.scorer import fit_logistic  # noqa: E402
from assistant.evaluation.metrics import answer_matches  # noqa: E402
from assistant.evaluation.testset import load_testset  # noqa: E402
from snapshot_answers import SETS, open_set  # noqa: E402


def examples(bot, questions) -> list[tuple[list[float] | None, bool, bool]]:
    """Per question: (answer features or None when the engine declined, answerable, answer right)."""
    out = []
    for q in questions:
        ans = bot.ask(q.question, history=list(q.history) or None)
        feats = ans.evidence.get("answer_features")
        right = (not ans.abstained and q.answerable and answer_matches(ans.text, q.answers) is not None) or (
            ans.abstained and not q.answerable)
        out.append(([feats[n] for n in FEATURES] if feats and not ans.abstained else None, q.answerable, right))
    return out


def outcome(rows, probs, t: float) -> tuple[int, int, int]:
    """(questions right, answerable questions declined, answerable) at threshold t."""
    right = declined = answerable = 0
    for (feats, ans_q, ok), p in zip(rows, probs):
        answerable += ans_q
        if feats is not None and p < t:  # the gate declines it
            right += not ans_q
            declined += ans_q
        else:
            right += ok
            declined += ans_q and feats is None
    return right, declined, answerable


def cross_probs(rows, l2: float, folds: int = 5) -> list[float]:
    """Each answered question's probability from a model fitted without its fold."""
    probs = [1.0] * len(rows)
    for k in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != k and r[0] is not None]
        w, b = fit_logistic([r[0] for r in train], [int(r[2]) for r in train], l2=l2)
        m = ConfidenceModel(tuple(w), b, 0.0)
        for i, r in enumerate(rows):
            if i % folds == k and r[0] is not None:
                probs[i] = m.probability(r[0])
    return probs


def choose_threshold(rows, probs, max_false_decline: float) -> tuple[float, dict]:
    base_right, base_declined, answerable = outcome(rows, probs, 0.0)
    best_t, best = 0.0, (base_right, base_declined)
    for t in sorted({round(p, 4) for p in probs}):
        right, declined = outcome(rows, probs, t)[:2]
        if (declined - base_declined) / max(answerable, 1) <= max_false_decline and right > best[0]:
            best_t, best = t, (right, declined)
    return best_t, {"questions": len(rows), "right_without_gate": base_right, "right_with_gate": best[0],
                    "answerable": answerable, "answerable_declined_without": base_declined,
                    "answerable_declined_with": best[1]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", default="index")
    ap.add_argument("--out", default=str(ROOT / "assistant" / "data" / "confidence_model.json"))
    ap.add_argument("--l2", type=float, default=1e-2)
    ap.add_argument("--max-false-decline", type=float, default=0.02,
                    help="at most this share of answerable questions newly declined (cross-validated)")
    ap.add_argument("--cache", type=Path, help="reuse (or write) the collected examples here")
    ap.add_argument("--work", type=Path, default=Path("/tmp/pa-snapshot"),
                    help="indexes of the external material the training files under eval/train/external ask about")
    args = ap.parse_args()

    files = sorted(glob.glob(str(ROOT / "eval" / "train" / "*.jsonl")))
    external = [(name, ROOT / "eval" / "train" / "external" / file) for name, file in EXTERNAL
                if SETS[name][0].exists() and (ROOT / "eval" / "train" / "external" / file).exists()]
    if args.cache and args.cache.exists():
        rows = [tuple(r) for r in json.loads(args.cache.read_text(encoding="utf-8"))]
    else:
        bot = Assistant.from_index(args.index, settings=Settings.from_env(answer_confidence="off"), progress=False)
        rows = examples(bot, [q for f in files for q in load_testset(f)])
        for name, path in external:
            rows += examples(open_set(name, args.work, answer_confidence="off"), load_testset(path))
        if args.cache:
            args.cache.write_text(json.dumps(rows), encoding="utf-8")
    files += [str(path) for _, path in external]
    answered = [r for r in rows if r[0] is not None]
    threshold, stats = choose_threshold(rows, cross_probs(rows, args.l2), args.max_false_decline)
    w, b = fit_logistic([r[0] for r in answered], [int(r[2]) for r in answered], l2=args.l2)
    model = ConfidenceModel(tuple(w), b, threshold)
    names = [str(Path(f).relative_to(ROOT)) for f in files]
    out = model.to_json(trained_on={"files": names, "answered": len(answered),
                                    "answered_right": sum(1 for r in answered if r[2])},
                        threshold_by="5-fold cross-validation on the training questions", cross_validated=stats)
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
