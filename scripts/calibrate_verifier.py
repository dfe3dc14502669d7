"""Figures behind the generative verifier's two thresholds (assistant/generate/verify.py: MIN_COVERAGE, MIN_MEANING),
from training questions only. For each training question the extractive engine answers right, its lead sentence
is checked against the passage it cites (with the neighbours the model would see) and against the cited passage of
another training question from another document: the first must pass, and the second, a sentence of the same
domain that its passage does not state, is what the thresholds must stop.

    python scripts/calibrate_verifier.py [--index index] [--limit 400]

Prints, for the own and the other passage, the share that passes each check and the percentiles of content-word
coverage and meaning; the chosen values go into verify.py by hand.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pairs(bot, rows, limit: int):
    """(sentence, own source, language) for each training question answered right."""
    from assistant.evaluation import answer_matches
    from assistant.generate import sources_for
    from assistant.text import is_korean

    chunks = bot.retriever.chunks
    row_of = {c.chunk_id: r for r, c in enumerate(chunks)}
    out = []
    for row in rows[:limit]:
        if not row.answerable or row.history:
            continue
        ans = bot.ask(row.question)
        if ans.abstained or not ans.citations or not answer_matches(ans.text, row.answers):
            continue
        lead = ans.citations[0]
        sentence = lead.sentence or lead.text  # checked in its own language: a model writes the question's
        out.append((sentence, sources_for(ans, chunks, row_of)[0], "ko" if is_korean(sentence) else "en"))
    return out


def report(name: str, checks, shares, show_failures: bool = False) -> None:
    import numpy as np

    reasons: dict[str, int] = {}
    for c in checks:
        reasons[c.reason or "verified"] = reasons.get(c.reason or "verified", 0) + 1
    print(f"{name}: {len(checks)} sentences; " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    for label, values in shares.items():
        q = np.percentile(values, [5, 25, 50, 75, 95]) if values else []
        print(f"    {label:<9} p5/25/50/75/95: " + " ".join(f"{v:.2f}" for v in q))
    for c in checks if show_failures else ():
        if not c.verified:
            print(f"    not verified ({c.reason}: {c.detail}): {c.text[:160]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=str(ROOT / "index"))
    ap.add_argument("--limit", type=int, default=400)
    args = ap.parse_args()

    from assistant import Assistant, Settings
    from assistant.evaluation import load_testset
    from assistant.generate import verify as V
    from assistant.text import tokenize

    bot = Assistant.from_index(args.index, settings=Settings.from_env(), build=False, progress=False)
    rows = [r for f in sorted((ROOT / "eval" / "train").glob("train-*.jsonl")) for r in load_testset(f)]
    random.Random(7).shuffle(rows)
    found = pairs(bot, rows, args.limit)
    embed = bot._sentence_embedder.embed_queries
    rng = random.Random(11)
    for name, pick in (("own passage", lambda i: found[i][1]),
                       ("another document's passage", lambda i: rng.choice([f[1] for f in found
                                                                            if f[1].doc_id != found[i][1].doc_id]))):
        checks, shares = [], {"coverage": [], "meaning": []}
        for i, (sentence, _, lang) in enumerate(found):
            source = V.Source(1, *(lambda s: (s.doc_id, s.title, s.text))(pick(i)))
            checks.append(V.check_sentence(f"{sentence} [1]", (1,), {1: source}, lang, embed))
            shares["coverage"].append(V._coverage(tokenize(sentence), set(tokenize(source.text))))
            shares["meaning"].append(float(V._similarities(sentence, V.windows(source.text), embed).max()))
        report(name, checks, shares, show_failures=name == "own passage")


if __name__ == "__main__":
    main()
