"""`policy-assistant eval`: score the test set (or a SQuAD-format file) for one or all configurations."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.embedders import EMBEDDERS
from assistant.settings import Settings

from . import report
from .runner import evaluate
from .squad import cache_dir, load_squad
from .systems import AssistantSystem, LlamaIndexBaseline, variant
from .testset import load_testset

COMPARE_EMBEDDERS = ("use-m3", "e5-small", "minilm")


def run(settings: Settings, testset: str | None, squad: str | None, limit: int | None, compare: bool, out: str,
        as_json: bool, progress: bool = True, only: list[str] | None = None, retrieval_only: bool = False,
        no_answers: bool = False) -> dict:
    """retrieval_only: with compare, only "ours" composes answers (for the large SQuAD-format sets);
    no_answers: no configuration does (retrieval figures alone; ours searches KorQuAD at about 40 ms a question
    on an idle machine, so the seven configurations take tens of minutes, after the index and baseline are built)."""
    from assistant.bot import Assistant

    if squad:
        cdir = cache_dir(squad, Path(out).parent / "cache")
        questions = load_squad(squad, cdir / "corpus", limit)
        settings = settings.replace(corpus_dirs=(cdir / "corpus",), index_dir=cdir / "index", upload_dir=cdir / "uploads")
        title = f"Evaluation on {Path(squad).name}"
    else:
        questions = load_testset(testset)[:limit] if limit else load_testset(testset)
        title = f"Evaluation on {testset}"
    default = settings.embedder
    if compare:
        names = list(dict.fromkeys([n for n in default.split("+") if n] + [n for n in COMPARE_EMBEDDERS if n in EMBEDDERS]))
        settings = settings.replace(embedder="+".join(names), index_dir=Path(str(settings.index_dir) + "-compare"))
    bot = Assistant.from_index(settings.index_dir, settings=settings, progress=progress)
    systems = []
    if compare:
        dense_default = [n for n in default.split("+") if n]
        systems.append(variant(bot, "ours", lexical=True, dense=dense_default))
        systems.append(variant(bot, "bm25", lexical=True, dense=[]))
        for n in bot.embedders:
            systems.append(variant(bot, n, lexical=False, dense=[n]))
        # The previous default: BM25 + USE by reciprocal rank, no other-language place.
        if "use-m3" in bot.embedders:
            systems.append(variant(bot, "rrf bm25+use-m3", lexical=True, dense=["use-m3"], fusion="rrf",
                                   weights={}, other_language_slot=0))
        if not only or "llamaindex-default" in only:
            systems.append(_baseline(settings, bot, dense_default[0]))
    else:
        systems.append(AssistantSystem("ours", bot))
    if only:
        systems = [s for s in systems if s.name in only]

    configs, records = {}, {}
    for system in systems:
        answer = not no_answers and not (retrieval_only and system.name != "ours")
        configs[system.name], records[system.name] = evaluate(system, questions, progress=progress, answer=answer)
    meta = {"questions": len(questions), "index": str(settings.index_dir), "embedders": settings.embedder,
            "configs": ", ".join(configs)}
    out_dir = report.write(Path(out), title, configs, records, meta)
    result = next(iter(configs.values())) if len(configs) == 1 else {"configs": configs}
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(report.table(configs))
        print(f"\nreport: {out_dir / 'report.md'}")
    return result


def _baseline(settings: Settings, bot, fallback: str):
    from assistant.errors import IngestError
    from assistant.ingest import discover, load_file

    docs = []
    for src in discover(settings.source_dirs, settings.exclude):
        try:
            docs.append(load_file(src))
        except IngestError:
            pass
    print("building the llama-index baseline …", file=sys.stderr)
    # The baseline gets the strongest single embedder we have (e5-small when indexed).
    return LlamaIndexBaseline(docs, bot.embedders["e5-small" if "e5-small" in bot.embedders else fallback])
