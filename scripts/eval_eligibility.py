"""Score eligibility answers against cases with a known verdict (eval/external/eligibility-cases.jsonl).

Each case is asked through `Assistant.ask`, as a user would. Per case: was the programme recognised, is the verdict
right, are the deciding conditions among those the answer marks (not met, or unknown), were the facts the question
states understood, and does the answer open with the verdict.

    python scripts/eval_eligibility.py [--index index] [--cases eval/external/eligibility-cases.jsonl] [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WANTED_STATUS = {"not_eligible": "not_met", "undetermined": "unknown"}


def score_case(case: dict, answer) -> dict:
    got = answer.evidence.get("eligibility") or {}
    statuses = {c["id"]: c["status"] for c in got.get("conditions", [])}
    want = WANTED_STATUS.get(case["verdict"])
    deciding_ok = all(statuses.get(i) == want for i in case["deciding"]) if want else True
    first = answer.text.split("\n", 1)[0]
    return {
        "id": case["id"],
        "programme": got.get("programme") == case["programme"],
        "verdict": got.get("verdict") == case["verdict"],
        "deciding": bool(got) and deciding_ok,
        "verdict_first": bool(got) and first.rstrip(".").endswith(tuple(_verdict_texts())),
        "got": got.get("verdict"),
    }


def _verdict_texts() -> list[str]:
    from assistant.bot import VERDICT

    return [v for lang in VERDICT.values() for v in lang.values()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", default="index")
    ap.add_argument("--cases", type=Path, default=ROOT / "eval" / "external" / "eligibility-cases.jsonl")
    ap.add_argument("--show", action="store_true", help="print each case's result")
    args = ap.parse_args()
    from assistant import Assistant

    bot = Assistant.from_index(args.index, build=False)
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [score_case(c, bot.ask(c["question"])) for c in cases]
    for key in ("programme", "verdict", "deciding", "verdict_first"):
        print(f"{key:14s} {sum(r[key] for r in rows):3d}/{len(rows)}")
    if args.show:
        for r, c in zip(rows, cases):
            print(json.dumps({**r, "want": c["verdict"]}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
