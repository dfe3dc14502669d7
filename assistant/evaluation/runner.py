"""Running a test set through one or more configurations and recording, per question, what happened and why."""

from __future__ import annotations

import sys
import time
from typing import Sequence

from assistant.errors import AssistantError

from .metrics import (aggregate, answer_matches, gold_articles, names_article, normalise_answer,
                      retrieval_scores, source_matches)
from .testset import Question


def evaluate_one(system, q: Question, answer: bool = True) -> dict:
    history = list(q.history) or None
    t0 = time.perf_counter()
    hits = system.search(q.question, history, k=10)
    search_ms = (time.perf_counter() - t0) * 1000
    rec: dict = {
        "id": q.id, "question": q.question, "category": q.category, "lang": q.lang, "answerable": q.answerable,
        "gold_sources": list(q.sources), "retrieved": [h.doc_id for h in hits], "search_ms": round(search_ms, 1),
    }
    if q.answerable and q.sources:
        rec["retrieval"] = retrieval_scores([(h.doc_id, h.section, h.page) for h in hits], q.sources)
    if not answer:
        rec["retrieval_only"] = True
        return rec
    t0 = time.perf_counter()
    ans = system.ask(q.question, history)
    ask_ms = (time.perf_counter() - t0) * 1000
    rec.update({
        "gold_answers": list(q.answers), "answer": ans.text, "abstained": ans.abstained, "reason": ans.reason,
        "cited_docs": [c.doc_id for c in ans.citations],
        "cited_gold": [any(source_matches(c.doc_id, c.section, g, c.page) for g in q.sources) for c in ans.citations],
        "cited_pages": [c.page for c in ans.citations],
        "ask_ms": round(ask_ms, 1),
    })
    if ans.evidence.get("answer_features"):
        # The whole answer's features, so a confidence model can be measured on a run without running it again.
        rec["answer_features"] = ans.evidence["answer_features"]
    articles = gold_articles(q.sources)
    if articles and not ans.abstained:
        rec["article"] = {
            "in_answer": any(names_article(ans.text, a) for a in articles),
            "in_citation": any(names_article(c.section, a) and source_matches(c.doc_id, c.section, g, c.page)
                               for c in ans.citations for a in articles for g in q.sources),
        }
    elif articles:
        rec["article"] = {"in_answer": False, "in_citation": False}
    matched = None if ans.abstained else answer_matches(ans.text, q.answers)
    if q.answerable:
        rec["passed"] = matched is not None
        rec["supported"] = bool(matched) and any(
            normalise_answer(matched) in normalise_answer(c.text) for c in ans.citations)
        if ans.abstained:
            rec["why"] = "declined an answerable question"
        elif matched:
            rec["why"] = "answer contains " + repr(matched)
        else:
            rec["why"] = "no gold answer in the answer text" + (
                "" if rec.get("retrieval", {}).get("hit@10") else "; no gold source retrieved in the top 10")
    else:
        rec["passed"] = ans.abstained
        rec["supported"] = False
        rec["why"] = "declined, as it should" if ans.abstained else "answered a question the documents do not answer"
    return rec


def evaluate(system, questions: Sequence[Question], progress: bool = True, desc: str = "",
             answer: bool = True) -> tuple[dict, list[dict]]:
    """Score one configuration; answer=False measures retrieval only (no answers composed)."""
    from tqdm import tqdm

    records = []
    for q in tqdm(questions, desc=desc or system.name, file=sys.stderr, disable=not progress, dynamic_ncols=True):
        try:
            records.append(evaluate_one(system, q, answer))
        except AssistantError as exc:
            records.append({"id": q.id, "question": q.question, "category": q.category, "lang": q.lang,
                            "answerable": q.answerable, "answer": "", "abstained": True, "cited_docs": [],
                            "cited_gold": [], "passed": not q.answerable, "supported": False,
                            "search_ms": 0.0, "ask_ms": 0.0, "why": f"error: {exc}"})
    return aggregate(records), records
