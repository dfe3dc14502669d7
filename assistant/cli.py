"""Command line: policy-assistant index build | ask | search. Thin: parse, call the library, print.

User errors (no index, empty question, bad option) print one clear line and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.errors import AssistantError
from assistant.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    """The settings, with the sources an existing index was built from unless --corpus names others: an index
    is refreshed from its own sources, never from whatever ./corpus is where the command runs."""
    from assistant.index import other_sources, recorded_sources

    settings = Settings.from_env(
        index_dir=getattr(args, "index", None),
        database_url=getattr(args, "database_url", None),
        corpus_dirs=tuple(args.corpus) if getattr(args, "corpus", None) else None,
        embedder=getattr(args, "embedder", None),
        max_file_mb=getattr(args, "max_file_mb", None),
        max_pages=getattr(args, "max_pages", None),
        max_chunks_per_file=getattr(args, "max_chunks_per_file", None),
        llm_url=getattr(args, "llm_url", None), llm_model=getattr(args, "llm_model", None),
    )
    if not getattr(args, "corpus", None):
        return recorded_sources(settings)
    built_from = other_sources(settings)
    if built_from and args.command != "index":
        raise AssistantError(
            f"the index at {settings.index_dir} was built from {', '.join(built_from)}, not from "
            f"{', '.join(map(str, settings.corpus_dirs))}; to index those, run: policy-assistant index build "
            f"--index {settings.index_dir} {' '.join('--corpus ' + str(p) for p in settings.corpus_dirs)}")
    return settings


def cmd_index_build(args: argparse.Namespace) -> int:
    from assistant.index import build_index

    settings = _settings(args)
    missing = [str(p) for p in settings.corpus_dirs if not Path(p).exists()]
    if missing:
        raise AssistantError(f"corpus folder not found: {', '.join(missing)}")
    if args.shard:
        from assistant.index.shards import build_shard, parse_shard

        report = build_shard(settings, *parse_shard(args.shard), progress=not args.quiet, full=args.full)
    else:
        report = build_index(settings, progress=not args.quiet, full=args.full)
    print("\n".join(report.lines()))
    return 0


def cmd_index_publish(args: argparse.Namespace) -> int:
    from assistant.index.shards import publish

    print("\n".join(publish(_settings(args)).lines()))
    return 0


def cmd_index_copy(args: argparse.Namespace) -> int:
    from assistant.index.location import DirectoryStore, copy_index, open_store

    settings = _settings(args)
    if not settings.database_url:
        raise AssistantError("index copy needs --database-url (or POLICY_ASSISTANT_DATABASE_URL): where to copy to")
    source = DirectoryStore(Path(settings.index_dir))
    manifest = source.read_manifest()
    if manifest is None:
        raise AssistantError(f"no index at {source.label} to copy")
    names = [e["name"] for e in manifest["embedders"]]
    print(f"copied {source.label} → {copy_index(source, open_store(settings), names)}")
    return 0


def _open(args: argparse.Namespace):
    from assistant.bot import Assistant
    from assistant.index import open_store

    settings = _settings(args)
    where = open_store(settings)
    if not args.no_build and where.read_manifest() is None and any(p.exists() for p in settings.corpus_dirs):
        print(f"policy-assistant: no index at {where.label}; building one from "
              f"{', '.join(map(str, settings.corpus_dirs))} first (a few minutes; --no-build to stop here)",
              file=sys.stderr)
    return Assistant.from_index(settings.index_dir, settings=settings, build=not args.no_build, progress=True)


def _filters(args: argparse.Namespace) -> dict | None:
    f = {"doc_type": args.doc_type, "lang": args.lang, "date_from": args.date_from, "date_to": args.date_to, "city": args.city}
    return f if any(f.values()) else None


def cmd_ask(args: argparse.Namespace) -> int:
    question = " ".join(args.question)
    bot = _open(args)
    ans = bot.ask(question, filters=_filters(args))
    if args.json:
        out = ans.to_json()
        out["citations"] = [
            {k: c[k] for k in ("n", "doc_id", "title", "page", "section", "text", "score", "sentence")} for c in out["citations"]
        ]
        if args.explain:
            out["trace"] = [s.to_json() for s in ans.trace]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(ans.text)
    print()
    print("근거 자료 / Sources:" if not ans.abstained else "가장 가까운 구절 / Closest passages:")
    for c in ans.citations:
        where = f"p. {c.page}" if c.page else (c.section or "")
        print(f"[{c.n}] {c.title} ({c.doc_id}{', ' + where if where else ''})")
        print("    " + (c.sentence or c.text[:240]).replace("\n", " "))
    if args.explain:
        _print_trace(ans)
    _print_generation(ans)
    return 0


def _print_generation(ans) -> None:
    """With a language model: whether its text stands, and each sentence the verifier removed, with why."""
    g = ans.generation
    if g is None:
        return
    print(f"\n{g.model}: " + ("verified answer / 검증된 생성 답변" if g.used else f"not used / 쓰지 않음 ({g.fallback})"))
    for s in g.removed:
        print(f"    removed / 삭제: {s.text[:160]} ({s.reason}{': ' + s.detail if s.detail else ''})")


def _print_trace(ans) -> None:
    """--explain: the reason, then the chosen sentence and the runner-up with each signal and its contribution."""
    print(f"\nreason: {ans.reason}")
    for s in ans.trace:
        print(f"{s.role} (score {s.score:.4f}): {s.text[:200]}")
        print("    signals:       " + ", ".join(f"{k}={v:.3f}" for k, v in s.signals))
        print("    contributions: " + ", ".join(f"{k}={v:+.3f}" for k, v in s.contributions))


def cmd_search(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    bot = _open(args)
    hits = bot.search(query, k=args.k, filters=_filters(args))
    if args.json:
        keys = ("doc_id", "title", "page", "section", "text", "score")
        print(json.dumps({"query": query, "hits": [{k: getattr(h, k) for k in keys} for h in hits]}, ensure_ascii=False, indent=2))
        return 0
    for i, h in enumerate(hits, 1):
        where = f"p. {h.page}" if h.page else h.section
        print(f"{i:>2}. {h.score:.4f}  {h.doc_id}  {where}")
        print("    " + h.text[:200].replace("\n", " "))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.evaluation.run import run

    run(_settings(args), testset=args.testset, squad=args.squad, limit=args.limit, compare=args.compare, out=args.out,
        as_json=args.json, progress=not args.quiet, only=args.only,
        retrieval_only=args.retrieval_only, no_answers=args.no_answers)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from assistant.eligibility import programmes

    if args.list or not args.programme:
        for p in programmes().values():
            print(f"{p.id}  ({p.name['ko']} / {p.name['en']}; {p.basis})")
            for f in p.facts:
                extra = f" [{', '.join(f.choices)}]" if f.choices else (f" ({f.unit})" if f.unit else "")
                print(f"    {f.key}: {f.type}{extra} — {f.ask.get('en', '')}")
        return 0
    facts = {}
    for item in args.fact or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise AssistantError(f"--fact takes key=value, not {item!r}")
        facts[key.strip()] = value.strip()
    result = _check(args, facts)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0
    from assistant.bot import eligibility_to_answer

    ans = eligibility_to_answer("", result, args.lang)
    print(ans.text)
    print()
    for c in ans.citations:
        print(f"[{c.n}] {c.doc_id}{', ' + c.section if c.section else ''}: “{c.text}”")
    return 0


def _check(args: argparse.Namespace, facts: dict[str, str]):
    """The check needs only the rules file: an existing index (never built for this) adds each clause's page."""
    from assistant.eligibility import check
    from assistant.index import open_store

    settings = _settings(args)
    if open_store(settings).read_manifest() is None:
        return check(args.programme, facts, lang=args.lang)
    from assistant.bot import Assistant

    bot = Assistant.from_index(settings.index_dir, settings=settings, build=False)
    return bot.check(args.programme, facts, lang=args.lang)


def cmd_brief(args: argparse.Namespace) -> int:
    bot = _open(args)
    briefing = bot.brief(" ".join(args.topic), lang=args.lang)
    for d in briefing.drafts:  # what the model wrote for a prose section, and what the verifier made of it
        kept = sum(s.verified for s in d.sentences)
        outcome = "written as prose" if d.used else f"bullets kept ({d.fallback})"
        print(f"{d.section}: {outcome}; {kept} of {len(d.sentences)} sentences verified", file=sys.stderr)
        for s in d.removed:
            print(f"  removed ({s.reason} {s.detail}): {s.text}", file=sys.stderr)
    if args.format == "docx":
        out = Path(args.out or "briefing.docx")
        briefing.to_docx(out)
        print(f"wrote {out}")
    elif args.format == "hwpx":
        from assistant.briefing_hwpx import write_hwpx

        print(f"wrote {write_hwpx(briefing, args.out or 'briefing.hwpx')}")
    elif args.out:
        Path(args.out).write_text(briefing.to_markdown(), encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(briefing.to_markdown())
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from assistant.ui.server import main as serve

    serve(host=args.host, port=args.port, settings=_settings(args), auth=args.auth or None, insecure=args.insecure)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.ui.server import main as serve

    if args.workers < 1:
        raise AssistantError("--workers must be 1 or more")
    serve(host=args.host, port=args.port, settings=_settings(args), auth=args.auth or None, insecure=args.insecure,
          workers=args.workers)
    return 0


def _common(p: argparse.ArgumentParser, corpus: bool = False) -> None:
    p.add_argument("--index", metavar="DIR", help="index directory (default: index)")
    p.add_argument("--database-url", metavar="URL",
                   help="keep the index in this PostgreSQL database (postgresql://…) instead of a directory")
    p.add_argument("--embedder", help="dense embedder(s), e.g. use-m3 or use-m3+e5-small")
    if corpus:
        p.add_argument("--corpus", metavar="PATH", action="append", help="corpus folder (repeatable; default: corpus)")


def _llm_opts(p: argparse.ArgumentParser) -> None:
    p.add_argument("--llm-url", metavar="URL", help="an OpenAI-compatible chat endpoint that writes answers, each "
                                                   "sentence verified against its passage (default: extractive only)")
    p.add_argument("--llm-model", metavar="NAME", help="the model to ask at --llm-url (default: the first it lists)")


def _query_opts(p: argparse.ArgumentParser) -> None:
    _common(p, corpus=True)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-build", action="store_true", help="do not build or refresh the index first")
    p.add_argument("--doc-type", action="append", help="only passages of this document type (repeatable)")
    p.add_argument("--lang", action="append", choices=["ko", "en"], help="only passages in this language")
    p.add_argument("--date-from", metavar="YYYY-MM-DD", help="only documents dated on or after")
    p.add_argument("--date-to", metavar="YYYY-MM-DD", help="only documents dated on or before")
    p.add_argument("--city", action="append", help="only documents about this city (e.g. Daegu)")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="policy-assistant", description="Answers questions about Korean regional-development policy, with cited passages.")
    sub = ap.add_subparsers(dest="command", required=True)

    idx = sub.add_parser("index", help="manage the index").add_subparsers(dest="index_command", required=True)
    b = idx.add_parser("build", help="build or refresh the index from the corpus")
    _common(b, corpus=True)
    b.add_argument("--full", action="store_true", help="re-embed every file, reusing nothing")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--max-file-mb", type=int, metavar="MB", help="skip files larger than this (default 50)")
    b.add_argument("--max-pages", type=int, metavar="N", help="skip PDFs with more pages (default 2000)")
    b.add_argument("--max-chunks-per-file", type=int, metavar="N", help="skip files making more passages (default 5000)")
    b.add_argument("--shard", metavar="I/N", help="with --database-url: build only shard I of N (by document) and "
                                                  "stage it; 'index publish' makes the N shards live")
    b.set_defaults(func=cmd_index_build)
    pb = idx.add_parser("publish", help="make the staged shards of a build live as one index (--database-url)")
    _common(pb, corpus=True)
    pb.set_defaults(func=cmd_index_publish)
    cp = idx.add_parser("copy", help="copy the index directory into the database given by --database-url")
    _common(cp)
    cp.set_defaults(func=cmd_index_copy)

    a = sub.add_parser("ask", help="answer a question with cited passages")
    _query_opts(a)
    a.add_argument("--explain", action="store_true",
                   help="show why: the reason code, and the chosen sentence and runner-up with their feature contributions")
    _llm_opts(a)
    a.add_argument("question", nargs="+")
    a.set_defaults(func=cmd_ask)

    s = sub.add_parser("search", help="show the passages that best match a query")
    _query_opts(s)
    s.add_argument("-k", type=int, default=10, help="how many passages (default 10)")
    s.add_argument("query", nargs="+")
    s.set_defaults(func=cmd_search)
    c = sub.add_parser("check", help="check eligibility for a programme, condition by condition, with cited clauses")
    _common(c, corpus=True)
    c.add_argument("programme", nargs="?", help="programme id (see --list)")
    c.add_argument("--fact", action="append", metavar="KEY=VALUE", help="a fact, e.g. population=620000 (repeatable)")
    c.add_argument("--list", action="store_true", help="list programmes and their fact keys")
    c.add_argument("--lang", choices=["ko", "en"], default="ko")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_check)

    br = sub.add_parser("brief", help="draft a briefing on a topic, every bullet cited")
    _common(br, corpus=True)
    br.add_argument("topic", nargs="+")
    br.add_argument("--lang", choices=["ko", "en"], default="ko")
    br.add_argument("--format", choices=["md", "docx", "hwpx"], default="md")
    br.add_argument("--out", metavar="FILE")
    br.add_argument("--no-build", action="store_true", help="do not build or refresh the index first")
    _llm_opts(br)
    br.set_defaults(func=cmd_brief)

    from assistant.cli_users import register

    register(sub)

    u = sub.add_parser("ui", help="start the web app (Gradio)")
    _common(u, corpus=True)
    u.add_argument("--host", default="127.0.0.1")
    u.add_argument("--port", type=int, default=7860)
    u.add_argument("--auth", metavar="USER:PASSWORD", help="one shared login (user accounts, if any, take precedence)")
    u.add_argument("--insecure", action="store_true", help="serve a non-local address without any sign-in")
    _llm_opts(u)
    u.set_defaults(func=cmd_ui)

    sv = sub.add_parser("serve", help="serve the HTTP API (/v1, docs at /docs) and the app; --workers for many users")
    _common(sv, corpus=True)
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--workers", type=int, default=1,
                    help="processes serving the API (default 1, which also serves the app at /); with more, the API "
                         "alone: serve the app from a one-worker server")
    sv.add_argument("--auth", metavar="USER:PASSWORD", help="one shared login (user accounts, if any, take precedence)")
    sv.add_argument("--insecure", action="store_true", help="serve a non-local address without any sign-in")
    _llm_opts(sv)
    sv.set_defaults(func=cmd_serve)

    e = sub.add_parser("eval", help="score answers, retrieval, citations and abstention on a test set")
    _common(e, corpus=True)
    e.add_argument("--testset", default="eval/testset.jsonl", help="JSONL test set (default eval/testset.jsonl)")
    e.add_argument("--squad", metavar="FILE", help="evaluate on a SQuAD-format file instead (each paragraph a document)")
    e.add_argument("--limit", type=int, help="only the first N questions")
    e.add_argument("--compare", action="store_true", help="score BM25, each embedder, ours and the llama-index baseline")
    e.add_argument("--only", action="append", help="with --compare: only these configurations")
    e.add_argument("--retrieval-only", action="store_true",
                   help="with --compare: score the other configurations on retrieval alone (ours still answers)")
    e.add_argument("--no-answers", action="store_true", help="score retrieval alone, for every configuration")
    e.add_argument("--out", default="eval/reports", help="where reports go (default eval/reports)")
    e.add_argument("--json", action="store_true", help="print metrics.json")
    e.add_argument("--quiet", action="store_true", help="no progress bars")
    _llm_opts(e)
    e.set_defaults(func=cmd_eval)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AssistantError as exc:
        print(f"policy-assistant: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("policy-assistant: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
