"""Load run against `policy-assistant serve --workers W` on PostgreSQL: N simulated users ask and search through the
HTTP API for a fixed time while, part-way through, another process rebuilds the whole index into the same database.
Prints requests, errors, answers that are not their question's, and p50/p95 per kind of request, before, during and
after the build.

    python benchmarks/load_api.py --database-url postgresql://… [--users 50] [--seconds 300] [--workers 2]

The index is the one at --index (a built index of the shipped corpus) copied into a fresh database, so nothing is
embedded before the run; the build during it is a full one (`index build --full`), every passage embedded again by
the real models on the same two cores. The run lasts --seconds, or until 30 s after that build is published. Expected answers come from an in-process assistant over the same database:
the engine is deterministic, so a served answer that differs belongs to another question.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from load import QUESTIONS, free_port, pct

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LOGIN = ("load", "load-test-password")


def prepare(base_url: str, index: Path) -> tuple[str, dict[str, str]]:
    """A fresh database holding a copy of the index; the expected answer per question."""
    import psycopg

    from assistant import Assistant, Settings
    from assistant.index import embedder_names, open_store
    from assistant.index.location import DirectoryStore, copy_index

    name = "pa_load"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(base_url)._replace(path=f"/{name}"))
    settings = Settings.from_env(database_url=url, index_dir=index)
    copy_index(DirectoryStore(index), open_store(settings), embedder_names(settings))
    bot = Assistant.from_index(index, settings=settings, build=False)
    return url, {q: bot.ask(q).text for q in QUESTIONS}


async def user_loop(i: int, url: str, deadline: list[float], expected: dict[str, str], stats: dict, phase,
                    think: float) -> None:
    import httpx

    rng = random.Random(i)
    async with httpx.AsyncClient(base_url=url, timeout=600, auth=LOGIN) as client:
        while time.monotonic() < deadline[0]:
            if think:  # a person reads the answer before the next question: exponential, mean `think` seconds
                await asyncio.sleep(rng.expovariate(1 / think))
            kind = rng.choices(["ask", "search"], weights=[3, 1])[0]
            q = rng.choice(QUESTIONS)
            t0 = time.perf_counter()
            try:
                if kind == "ask":
                    r = await client.post("/v1/ask", json={"question": q})
                    r.raise_for_status()
                    if r.json()["answer"] != expected[q]:
                        stats["mismatched"].append((q, r.json()["answer"][:120]))
                else:
                    r = await client.post("/v1/search", json={"query": q, "k": 5})
                    r.raise_for_status()
                    if not r.json()["hits"]:
                        stats["errors"].append(f"search {q!r}: no results")
            except Exception as exc:  # every failure is counted and shown, whatever it is
                stats["errors"].append(f"user{i:02d} {kind}: {type(exc).__name__}: {str(exc)[:160]}")
            stats["latency"].setdefault((phase(), kind), []).append(time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", required=True, help="a PostgreSQL server with pgvector (a database is made on it)")
    ap.add_argument("--index", type=Path, default=ROOT / "index", help="a built index of the shipped corpus")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--think", type=float, default=0.0,
                    help="mean seconds a user waits between requests (0: back to back, a stress run)")
    ap.add_argument("--build-after", type=int, default=60, help="seconds into the run when the full build starts")
    args = ap.parse_args()
    url, expected = prepare(args.database_url, args.index.resolve())
    work = Path(tempfile.mkdtemp(prefix="pa-load-api-"))
    port = free_port()
    env = dict(os.environ, POLICY_ASSISTANT_USERS_DB=str(work / "users.sqlite3"),
               POLICY_ASSISTANT_AUDIT_DB=str(work / "audit.sqlite3"),
               POLICY_ASSISTANT_FEEDBACK_DB=str(work / "feedback.sqlite3"))
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--database-url", url, "--index",
                               str(args.index.resolve()), "--workers", str(args.workers), "--port", str(port),
                               "--auth", ":".join(LOGIN)], env=env, cwd=work,
                              stdout=open(work / "server.log", "w"), stderr=subprocess.STDOUT)
    try:
        return run(f"http://127.0.0.1:{port}", url, args, expected, work)
    finally:
        server.terminate()
        server.wait(60)


def run(base: str, url: str, args, expected: dict[str, str], work: Path) -> int:
    import httpx

    for _ in range(600):
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    for q in QUESTIONS:  # each worker loads its models on its first questions: not part of the measured run
        httpx.post(f"{base}/v1/ask", json={"question": q}, auth=LOGIN, timeout=600)
    stats: dict = {"errors": [], "mismatched": [], "latency": {}}
    build: dict = {}

    def phase() -> str:
        if "started" not in build:
            return "before"
        return "during" if build["process"].poll() is None else "after"

    async def builder():
        await asyncio.sleep(args.build_after)
        build["process"] = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "index", "build", "--full", "--quiet", "--database-url", url,
             "--index", str(args.index.resolve())], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        build["started"] = time.perf_counter()
        while build["process"].poll() is None:
            await asyncio.sleep(1)
        build["seconds"] = time.perf_counter() - build["started"]
        build["output"] = build["process"].stdout.read().strip().splitlines()[-1:]
        deadline[0] = max(deadline[0], time.monotonic() + 30)  # the run goes on 30 s past the build's publication

    deadline = [time.monotonic() + args.seconds]

    async def everyone():
        await asyncio.gather(builder(), *(user_loop(i, base, deadline, expected, stats, phase, args.think)
                                          for i in range(args.users)))

    started = time.perf_counter()
    asyncio.run(everyone())
    wall = time.perf_counter() - started
    total = sum(len(v) for v in stats["latency"].values())
    print(f"{args.users} users (think {args.think:g} s), {args.workers} workers, {wall:.0f} s, {total} requests "
          f"({total / wall:.1f}/s)")
    print(f"full build during the run: {build.get('seconds', 0):.0f} s, exit {build['process'].returncode} "
          f"{build.get('output')}")
    for (when, kind), values in sorted(stats["latency"].items(), key=lambda kv: (["before", "during", "after"].index(kv[0][0]), kv[0][1])):
        print(f"  {when:<6} {kind:<6} n={len(values):>5}  p50 {pct(values, 0.5):6.2f} s  p95 {pct(values, 0.95):6.2f} s")
    every = [v for values in stats["latency"].values() for v in values]
    print(f"  all           n={len(every):>5}  p50 {pct(every, 0.5):6.2f} s  p95 {pct(every, 0.95):6.2f} s")
    print(f"errors {len(stats['errors'])}, answers not their question's {len(stats['mismatched'])}")
    for line in stats["errors"][:10]:
        print("  " + line)
    for q, shown in stats["mismatched"][:5]:
        print(f"  {q!r} → {shown!r}")
    return 1 if stats["errors"] or stats["mismatched"] or build["process"].returncode else 0


if __name__ == "__main__":
    sys.exit(main())
