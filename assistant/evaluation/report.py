"""Writing an evaluation run: report.md, metrics.json, records.jsonl and PNG charts, plus the printed table."""

from __future__ import annotations

import json
import time
from pathlib import Path

ROWS = [("retrieval", "hit@1"), ("retrieval", "hit@5"), ("retrieval", "hit@10"), ("retrieval", "mrr@10"),
        ("retrieval", "ndcg@10"), ("answer", "accuracy"), ("citations", "precision"), ("citations", "support"),
        ("abstention", "precision"), ("abstention", "recall"), ("abstention", "false_decline"),
        ("latency_ms", "search_p50"), ("latency_ms", "ask_p50"), ("latency_ms", "ask_p95"),
        ("statute", "article_in_answer"), ("statute", "article_in_citation"), ("statute", "both_and_correct")]


def table(configs: dict[str, dict]) -> str:
    """A Markdown table: one row per metric, one column per configuration."""
    names = list(configs)
    out = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for group, key in ROWS:
        vals = [configs[n].get(group, {}).get(key) for n in names]
        out.append(f"| {group}.{key} | " + " | ".join("–" if v is None else f"{v:g}" for v in vals) + " |")
    first = configs[names[0]]
    for kind in ("by_category", "by_lang"):
        for cat in first.get("answer", {}).get(kind, {}):
            vals = [configs[n].get("answer", {}).get(kind, {}).get(cat) for n in names]
            out.append(f"| accuracy[{cat}] | " + " | ".join("–" if v is None else f"{v:g}" for v in vals) + " |")
    return "\n".join(out)


def charts(configs: dict[str, dict], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    names = list(configs)
    metrics = [("retrieval", "hit@1"), ("retrieval", "hit@5"), ("retrieval", "mrr@10"), ("answer", "accuracy"),
               ("citations", "support"), ("abstention", "recall")]
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(metrics)), 4))
    width = 0.8 / max(len(names), 1)
    for i, n in enumerate(names):
        vals = [configs[n].get(g, {}).get(k) or 0 for g, k in metrics]
        ax.bar([j + i * width for j in range(len(metrics))], vals, width, label=n)
    ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(metrics))])
    ax.set_xticklabels([k for _, k in metrics])
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    ax.set_title("Configurations side by side")
    fig.tight_layout()
    files.append(out / "metrics.png")
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)

    first = names[0]
    if "answer" not in configs[first]:  # retrieval alone (--no-answers): no accuracy to chart
        return files
    cats = list(configs[first]["answer"]["by_category"])
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.barh(cats, [configs[first]["answer"]["by_category"][c] for c in cats])
    ax.set_xlim(0, 1)
    ax.set_title(f"Answer accuracy by category ({first})")
    fig.tight_layout()
    files.append(out / "by_category.png")
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)
    return files


def write(out_root: Path, title: str, configs: dict[str, dict], records: dict[str, list[dict]], meta: dict) -> Path:
    out = Path(out_root) / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    single = len(configs) == 1
    metrics = next(iter(configs.values())) if single else {"configs": configs}
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    with open(out / "records.jsonl", "w", encoding="utf-8") as fh:
        for name, recs in records.items():
            for r in recs:
                fh.write(json.dumps({"config": name, **r}, ensure_ascii=False) + "\n")
    pngs = charts(configs, out)
    failed = [r for r in next(iter(records.values())) if _failed(r)]
    lines = [f"# {title}", "", *(f"- {k}: {v}" for k, v in meta.items()), "", table(configs), ""]
    lines += [f"![{p.stem}]({p.name})" for p in pngs]
    lines += ["", f"## Failures of {next(iter(records))} ({len(failed)})", ""]
    lines += [f"- `{r['id']}` [{r['category']}/{r['lang']}] {r['question']} — {r.get('why', 'no gold source in the top 5')}"
              for r in failed]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _failed(record: dict) -> bool:
    """Not passed; for a question scored on retrieval alone, no gold source in the top 5."""
    if "passed" in record:
        return not record["passed"]
    return bool(record.get("retrieval")) and not record["retrieval"]["hit@5"]
