"""Generative answers against a real language model server: how much of what it writes the verifier can show, the
citations in the ALCE sense (judged by the verifier), answer accuracy next to the extractive answers, and latency.

    python benchmarks/generation.py --llm-url http://127.0.0.1:8080/v1 [--testset eval/testset.jsonl]
                                    [--limit N] [--sample FILE]

Citation recall: the share of written sentences whose cited passages hold them (verified), before anything is
removed; what reaches the user is only verified sentences. Citation precision: the share of the shown sentences'
citations that are needed, i.e. support the sentence alone or leave it unsupported when dropped. --sample writes
up to 40 answers the model's text was used for, each sentence with the passages it cites, for reading by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def precision(check, sources: dict, lang: str, embed) -> tuple[int, int]:
    """(needed citations, citations) of one shown sentence."""
    from assistant.generate.verify import check_sentence

    if len(check.cites) == 1:
        return 1, 1
    needed = 0
    for n in check.cites:
        alone = check_sentence(check.text, (n,), sources, lang, embed).verified
        rest = tuple(c for c in check.cites if c != n)
        needed += alone or not check_sentence(check.text, rest, sources, lang, embed).verified
    return needed, len(check.cites)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llm-url", required=True)
    ap.add_argument("--llm-model", default="")
    ap.add_argument("--index", default=str(ROOT / "index"))
    ap.add_argument("--testset", default=str(ROOT / "eval" / "testset.jsonl"))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--sample", type=Path)
    args = ap.parse_args()

    from assistant import Assistant, Settings
    from assistant.evaluation import answer_matches, load_testset
    from assistant.generate import sources_for
    from assistant.generate.prompt import build
    from assistant.text import is_korean

    extractive = Assistant.from_index(args.index, settings=Settings.from_env(), build=False, progress=False)
    generative = Assistant(extractive.index, extractive.settings.replace(llm_url=args.llm_url,
                           llm_model=args.llm_model or None), extractive.embedders)
    embed = extractive._sentence_embedder.embed_queries
    row_of = {c.chunk_id: r for r, c in enumerate(extractive.retriever.chunks)}
    questions = [q for q in load_testset(args.testset) if not q.history][: args.limit]
    stats = {"used": 0, "fallback": {}, "written": 0, "verified": 0, "removed": {}, "needed": 0, "citations": 0,
             "right_ex": 0, "right_gen": 0, "answerable": 0, "seconds": []}
    sample = []
    for q in questions:
        ex = extractive.ask(q.question)
        t0 = time.perf_counter()
        gen = generative.ask(q.question)
        stats["seconds"].append(time.perf_counter() - t0)
        if q.answerable:
            stats["answerable"] += 1
            stats["right_ex"] += bool(not ex.abstained and answer_matches(ex.text, q.answers))
            stats["right_gen"] += bool(not gen.abstained and answer_matches(gen.text, q.answers))
        g = gen.generation
        if g is None:
            continue
        stats["used"] += g.used
        if not g.used:
            stats["fallback"][g.fallback] = stats["fallback"].get(g.fallback, 0) + 1
        stats["written"] += len(g.sentences)
        stats["verified"] += sum(s.verified for s in g.sentences)
        for s in g.removed:
            stats["removed"][s.reason] = stats["removed"].get(s.reason, 0) + 1
        if g.used:
            lang = "ko" if is_korean(q.question) else "en"
            read = {s.n: s for s in build(q.question, [], sources_for(ex, extractive.retriever.chunks, row_of), lang).sources}
            for s in g.sentences:
                if s.verified:
                    needed, total = precision(s, read, lang, embed)
                    stats["needed"] += needed
                    stats["citations"] += total
            if len(sample) < 40:
                sample.append({"id": q.id, "question": q.question, "gold": list(q.answers), "answer": gen.text,
                               "sentences": [dataclasses.asdict(s) for s in g.sentences],
                               "passages": {n: read[n].text for n in sorted({c for s in g.sentences for c in s.cites if c in read})}})
    report(stats, len(questions))
    if args.sample:
        args.sample.write_text("\n".join(json.dumps(s, ensure_ascii=False) for s in sample) + "\n", encoding="utf-8")
    return 0


def report(stats: dict, n: int) -> None:
    written = stats["written"] or 1
    print(f"{n} questions; the model's text used for {stats['used']}, fallback {stats['fallback']}")
    print(f"sentences written {stats['written']}, verified {stats['verified']} "
          f"(citation recall {stats['verified'] / written:.3f}); removed {1 - stats['verified'] / written:.3f}: "
          f"{stats['removed']}")
    print(f"citation precision of shown sentences {stats['needed'] / max(stats['citations'], 1):.3f} "
          f"({stats['citations']} citations); shown sentences not verified: 0 by construction")
    a = stats["answerable"] or 1
    print(f"accuracy on {stats['answerable']} answerable: extractive {stats['right_ex'] / a:.3f}, "
          f"with the model {stats['right_gen'] / a:.3f}")
    s = stats["seconds"]
    print(f"answer time with the model: p50 {statistics.median(s):.1f} s, p95 {pct(s, .95):.1f} s")


if __name__ == "__main__":
    raise SystemExit(main())
