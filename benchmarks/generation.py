"""Generative answers against a real language model server: how much of what it writes the verifier can show, the
citations in the ALCE sense (judged by the verifier), answer accuracy next to the extractive answers, and latency.

    python benchmarks/generation.py --llm-url http://127.0.0.1:8080/v1 [--testset eval/testset.jsonl]
                                    [--offset N] [--limit N] [--sample FILE] [--dump FILE]
    python benchmarks/generation.py --reverify FILE [--sample FILE]

Citation recall: the share of written sentences whose cited passages hold them (verified), before anything is
removed; what reaches the user is only verified sentences. Citation precision: the share of the shown sentences'
citations that are needed, i.e. support the sentence alone or leave it unsupported when dropped. --sample writes
up to 40 answers the model's text was used for, each sentence with the passages it cites, for reading by hand.
--dump keeps what the model wrote for every question with the passages it read; --reverify checks those texts again
with the verifier as it is now (no model, no index): how a change to the verifier moves the figures on the same
writing.
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
    ap.add_argument("--llm-url")
    ap.add_argument("--llm-model", default="")
    ap.add_argument("--index", default=str(ROOT / "index"))
    ap.add_argument("--testset", default=str(ROOT / "eval" / "testset.jsonl"))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--offset", type=int, default=0, help="skip this many questions first")
    ap.add_argument("--sample", type=Path)
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--reverify", type=Path)
    args = ap.parse_args()
    if bool(args.llm_url) == bool(args.reverify):
        ap.error("give --llm-url (ask the model) or --reverify FILE (check a dump again)")
    if args.reverify:
        from assistant.embedders import UseM3

        records = [json.loads(line) for line in args.reverify.read_text(encoding="utf-8").splitlines() if line]
        embed = UseM3(threads=2).embed_queries
    else:
        records, embed = written(args)
        if args.dump:
            args.dump.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    stats, sample = evaluate(records, embed)
    report(stats, len(records))
    if args.sample:
        args.sample.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sample), encoding="utf-8")
    return 0


def written(args) -> tuple[list[dict], object]:
    """What the model wrote for each question, with the passages it read and the extractive answer beside it."""
    from assistant import Assistant, Settings
    from assistant.evaluation import load_testset
    from assistant.generate import sources_for
    from assistant.generate.prompt import build
    from assistant.text import is_korean

    extractive = Assistant.from_index(args.index, settings=Settings.from_env(), build=False, progress=False)
    generative = Assistant(extractive.index, extractive.settings.replace(llm_url=args.llm_url,
                           llm_model=args.llm_model or None), extractive.embedders)
    row_of = {c.chunk_id: r for r, c in enumerate(extractive.retriever.chunks)}
    records = []
    questions = [q for q in load_testset(args.testset) if not q.history][args.offset:]
    for q in questions[: args.limit]:
        ex = extractive.ask(q.question)
        t0 = time.perf_counter()
        gen = generative.ask(q.question)
        seconds = time.perf_counter() - t0
        lang = "ko" if is_korean(q.question) else "en"
        g = gen.generation
        read = build(q.question, [], sources_for(ex, extractive.retriever.chunks, row_of), lang).sources
        records.append({"id": q.id, "question": q.question, "lang": lang, "answerable": q.answerable,
                        "gold": list(q.answers), "extractive": "" if ex.abstained else ex.text,
                        "sentences": [] if g is None else [{"text": c.text, "cites": list(c.cites)} for c in g.sentences],
                        "sources": {str(s.n): s.text for s in read}, "seconds": seconds,
                        "failed": bool(g and g.fallback == "llm_failed")})
    return records, extractive._sentence_embedder.embed_queries


def evaluate(records: list[dict], embed) -> tuple[dict, list[dict]]:
    """The verifier as it is now over what was written: what it keeps, the citations in the ALCE sense, accuracy."""
    from assistant.evaluation import answer_matches
    from assistant.generate.answer import verdict
    from assistant.types import Answer
    from assistant.generate.verify import Source, bare, check_sentence

    stats = {"used": 0, "fallback": {}, "written": 0, "verified": 0, "removed": {}, "needed": 0, "citations": 0,
             "right_ex": 0, "right_gen": 0, "answerable": 0, "seconds": []}
    sample = []
    for r in records:
        stats["seconds"].append(r["seconds"])
        sources = {int(n): Source(int(n), "", "", t) for n, t in r["sources"].items()}
        checks = [check_sentence(s["text"], tuple(s["cites"]), sources, r["lang"], embed) for s in r["sentences"]]
        floor = Answer(question=r["question"], text=r["extractive"], citations=(), abstained=not r["extractive"])
        why = "llm_failed" if r["failed"] else verdict(floor, checks, embed) if r["extractive"] else "declined"
        text = " ".join(bare(c.text) for c in checks if c.verified) if not why else r["extractive"]
        if r["answerable"]:
            stats["answerable"] += 1
            stats["right_ex"] += bool(r["extractive"] and answer_matches(r["extractive"], r["gold"]))
            stats["right_gen"] += bool(text and answer_matches(text, r["gold"]))
        if why == "declined":
            continue
        stats["used"] += not why
        if why:
            stats["fallback"][why] = stats["fallback"].get(why, 0) + 1
        stats["written"] += len(checks)
        stats["verified"] += sum(c.verified for c in checks)
        for c in checks:
            if not c.verified:
                stats["removed"][c.reason] = stats["removed"].get(c.reason, 0) + 1
        if why:
            continue
        for c in checks:
            if c.verified:
                needed, total = precision(c, sources, r["lang"], embed)
                stats["needed"] += needed
                stats["citations"] += total
        if len(sample) < 40:
            sample.append({"id": r["id"], "question": r["question"], "gold": r["gold"], "answer": text,
                           "sentences": [c.to_json() for c in checks],
                           "passages": {n: sources[n].text for n in sorted({n for c in checks for n in c.cites
                                                                            if n in sources})}})
    return stats, sample


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
