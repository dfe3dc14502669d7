"""What an answer-confidence model would have done on an evaluation run, without running it again: the run's
records keep each answer's features (answer stage 7 is the last stage, so nothing else would change). Prints
aggregates only (accuracy on answerable questions, unanswerable ones declined), so an external or sealed set's
misses are never listed.

    python scripts/gate_on_records.py eval/reports/<time>/records.jsonl [--model assistant/data/confidence_model.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer.confidence import FEATURES, ConfidenceModel  # noqa: E402


def outcome(records: list[dict], model: ConfidenceModel | None) -> dict:
    """Answerable accuracy, answerable declined, unanswerable declined, with the gate (or without: None)."""
    right = declined = ans = un = un_declined = 0
    for r in records:
        feats = r.get("answer_features")
        gated = (model is not None and not r["abstained"] and feats is not None
                 and model.probability([feats[n] for n in FEATURES]) < model.threshold)
        out = r["abstained"] or gated
        if r["answerable"]:
            ans += 1
            declined += out
            right += not out and bool(r.get("passed"))
        else:
            un += 1
            un_declined += out
    return {"answerable": ans, "answerable_accuracy": round(right / max(ans, 1), 4),
            "answerable_declined": round(declined / max(ans, 1), 4), "unanswerable": un,
            "unanswerable_declined": round(un_declined / max(un, 1), 4)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("records", type=Path)
    ap.add_argument("--model", type=Path, default=None, help="default: the shipped confidence model")
    args = ap.parse_args()
    records = [json.loads(line) for line in open(args.records, encoding="utf-8") if line.strip()]
    model = ConfidenceModel.load(args.model)
    if model is None:
        print("no confidence model for these features", file=sys.stderr)
        return 2
    if not any("answer_features" in r for r in records):
        print("these records keep no answer features (a run before they were recorded)", file=sys.stderr)
        return 2
    print(json.dumps({"without": outcome(records, None), "with": outcome(records, model)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
