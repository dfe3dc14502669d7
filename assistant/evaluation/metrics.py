"""Metrics as pure functions: answer matching that forgives spacing, number separators and date formats;
retrieval hit@k, MRR and nDCG against gold sources; aggregation."""

from __future__ import annotations

import math
import re
from typing import Iterable, Sequence

MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})

_KO_DATE = re.compile(r"((?:19|20)\d{2})\s*년\s*(\d{1,2})\s*월(?:\s*(\d{1,2})\s*일)?")
_ISO_DATE = re.compile(r"\b((?:19|20)\d{2})[-./]\s?(\d{1,2})(?:[-./]\s?(\d{1,2}))?\.?(?!\d)")
_EN_DMY = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+((?:19|20)\d{2})\b")
_EN_MDY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+((?:19|20)\d{2})\b")
_EN_MY = re.compile(r"\b([A-Za-z]{3,9})\s+((?:19|20)\d{2})\b")


def _date(y: str, m: str | int, d: str | int | None) -> str:
    return f"{int(y):04d}-{int(m):02d}" + (f"-{int(d):02d}" if d else "")


def canonical_dates(text: str) -> str:
    """Write every recognisable date as YYYY-MM-DD (or YYYY-MM)."""
    text = _KO_DATE.sub(lambda m: _date(m.group(1), m.group(2), m.group(3)), text)
    text = _EN_DMY.sub(lambda m: _date(m.group(3), MONTHS[m.group(2).lower()], m.group(1))
                       if m.group(2).lower() in MONTHS else m.group(0), text)
    text = _EN_MDY.sub(lambda m: _date(m.group(3), MONTHS[m.group(1).lower()], m.group(2))
                       if m.group(1).lower() in MONTHS else m.group(0), text)
    text = _EN_MY.sub(lambda m: _date(m.group(2), MONTHS[m.group(1).lower()], None)
                      if m.group(1).lower() in MONTHS else m.group(0), text)
    text = _ISO_DATE.sub(lambda m: _date(m.group(1), m.group(2), m.group(3)) if 1 <= int(m.group(2)) <= 12 else m.group(0), text)
    return text


def normalise_answer(text: str) -> str:
    text = canonical_dates(text.lower())
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 7,872 → 7872
    text = text.replace("㎡", "m2").replace("m²", "m2")
    return re.sub(r"[\s\"'“”‘’「」『』()\[\]·,.]", "", text)


def answer_matches(answer: str, golds: Iterable[str]) -> str | None:
    """The first gold answer found in the answer text after normalisation, or None."""
    norm = normalise_answer(answer)
    for g in golds:
        ng = normalise_answer(g)
        if ng and ng in norm:
            return g
    return None


def source_matches(doc_id: str, section: str, gold: str, page: int | None = None) -> bool:
    """gold is "doc_id", "doc_id#section text" or "doc_id@page" (a PDF page, 1-based)."""
    gold_doc, _, gold_section = gold.partition("#")
    gold_doc, _, gold_page = gold_doc.partition("@")
    if doc_id != gold_doc:
        return False
    if gold_page and str(page) != gold_page.strip():
        return False
    return not gold_section or gold_section.strip().lower() in (section or "").lower()


ARTICLE_IN_SOURCE = re.compile(r"#\s*(제\d+조(?:의\d+)?)")


def gold_articles(sources: Sequence[str]) -> list[str]:
    """Statute articles named in gold sources ("law.md#제9조" -> "제9조")."""
    return [m.group(1) for s in sources for m in [ARTICLE_IN_SOURCE.search(s)] if m]


def names_article(text: str, article: str) -> bool:
    """The text names the article itself ("제9조" but not "제19조" or "제9조의2")."""
    return re.search(rf"(?<!\d){re.escape(article)}(?!의\s*\d)", re.sub(r"\s+", "", text or "")) is not None


def retrieval_scores(hits: Sequence[tuple], golds: Sequence[str], k: int = 10) -> dict[str, float]:
    """hit@1/5/10, reciprocal rank and nDCG@10 of a ranked list of (doc_id, section[, page]) against gold sources."""
    relevant = [next((g for g in golds if source_matches(h[0], h[1], g, h[2] if len(h) > 2 else None)), None) for h in hits[:k]]
    first = next((i for i, g in enumerate(relevant) if g), None)
    credited: set[str] = set()
    dcg = 0.0
    for i, g in enumerate(relevant):
        if g and g not in credited:
            credited.add(g)
            dcg += 1 / math.log2(i + 2)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(set(golds)), k)))
    return {
        "hit@1": float(first is not None and first < 1),
        "hit@5": float(first is not None and first < 5),
        "hit@10": float(first is not None and first < 10),
        "mrr@10": 0.0 if first is None else 1 / (first + 1),
        "ndcg@10": dcg / ideal if ideal else 0.0,
    }


def mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(q * (len(s) - 1))))], 1)


def abstention_scores(records: Sequence[dict]) -> dict[str, float]:
    """Positive class: the question is unanswerable and the system declined."""
    declined = [r for r in records if r["abstained"]]
    unanswerable = [r for r in records if not r["answerable"]]
    answerable = [r for r in records if r["answerable"]]
    tp = sum(1 for r in declined if not r["answerable"])
    return {
        "precision": round(tp / len(declined), 4) if declined else 0.0,
        "recall": round(tp / len(unanswerable), 4) if unanswerable else 0.0,
        "false_decline": round(sum(1 for r in answerable if r["abstained"]) / len(answerable), 4) if answerable else 0.0,
    }


def aggregate(records: Sequence[dict]) -> dict:
    """metrics.json from per-question records (see runner.evaluate_one)."""
    answerable = [r for r in records if r["answerable"]]
    with_sources = [r for r in answerable if r.get("retrieval")]
    retrieval = {m: mean([r["retrieval"][m] for r in with_sources]) for m in ("hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10")}
    if records and all(r.get("retrieval_only") for r in records):
        return {"n": len(records), "retrieval": retrieval,
                "latency_ms": {"search_p50": percentile([r["search_ms"] for r in records], 0.5),
                               "search_p95": percentile([r["search_ms"] for r in records], 0.95)}}

    def acc(rs):
        return mean([1.0 if r["passed"] else 0.0 for r in rs])

    by_cat: dict[str, list] = {}
    by_lang: dict[str, list] = {}
    for r in records:
        by_cat.setdefault(r["category"], []).append(r)
        by_lang.setdefault(r["lang"], []).append(r)
    answered = [r for r in records if not r["abstained"] and r.get("cited_docs")]
    cited = [ok for r in answered if r["answerable"] for ok in r["cited_gold"]]
    correct = [r for r in answerable if r["passed"]]
    return {
        "n": len(records),
        "retrieval": retrieval,
        "answer": {
            "accuracy": acc(records),
            "answerable_accuracy": acc(answerable),
            "by_category": {k: acc(v) for k, v in sorted(by_cat.items())},
            "by_lang": {k: acc(v) for k, v in sorted(by_lang.items())},
        },
        "citations": {
            "precision": mean([1.0 if ok else 0.0 for ok in cited]),
            "support": mean([1.0 if r["supported"] else 0.0 for r in correct]),
        },
        "abstention": abstention_scores(records),
        "reasons": _reason_counts(records),
        **_statute_scores(records),
        "latency_ms": {
            "search_p50": percentile([r["search_ms"] for r in records], 0.5),
            "search_p95": percentile([r["search_ms"] for r in records], 0.95),
            "ask_p50": percentile([r["ask_ms"] for r in records], 0.5),
            "ask_p95": percentile([r["ask_ms"] for r in records], 0.95),
        },
    }


def _reason_counts(records: Sequence[dict]) -> dict[str, dict[str, int]]:
    """How often each reason code was given, for answerable and for unanswerable questions."""
    out: dict[str, dict[str, int]] = {}
    for r in records:
        side = out.setdefault("answerable" if r["answerable"] else "unanswerable", {})
        side[r.get("reason", "")] = side.get(r.get("reason", ""), 0) + 1
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


def _statute_scores(records: Sequence[dict]) -> dict:
    """For questions whose gold source is a statute article: is the article named in the answer and in a citation?"""
    rs = [r for r in records if r.get("article")]
    if not rs:
        return {}
    return {"statute": {"n": len(rs),
                        "article_in_answer": mean([1.0 if r["article"]["in_answer"] else 0.0 for r in rs]),
                        "article_in_citation": mean([1.0 if r["article"]["in_citation"] else 0.0 for r in rs]),
                        "both_and_correct": mean([1.0 if r["article"]["in_answer"] and r["article"]["in_citation"]
                                                  and r["passed"] else 0.0 for r in rs])}}
