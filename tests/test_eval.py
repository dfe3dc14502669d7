"""The evaluation harness: test-set integrity and the metrics on hand-made cases with known values."""

import json
from functools import lru_cache
from pathlib import Path

import pytest

from assistant.evaluation import answer_matches, load_testset, normalise_answer, retrieval_scores
from assistant.evaluation.metrics import abstention_scores, aggregate
from assistant.evaluation.testset import CATEGORIES

from conftest import ROOT

SETS = [ROOT / "eval" / "testset.jsonl", ROOT / "eval" / "heldout.jsonl"]


@lru_cache(maxsize=None)
def doc_text(doc_id: str) -> str:
    from assistant.ingest import SourceFile, load_file

    path = ROOT / "corpus" / doc_id
    return load_file(SourceFile(path, ROOT / "corpus", doc_id)).text


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_schema_and_coverage(path):
    qs = load_testset(path)
    assert len(qs) >= (250 if path.name == "testset.jsonl" else 60)
    assert {q.category for q in qs} <= set(CATEGORIES)
    if path.name == "testset.jsonl":
        counts = {c: sum(q.category == c for q in qs) for c in CATEGORIES}
        assert min(counts.values()) >= 20, counts
        assert counts["unanswerable"] >= 30
        assert sum(q.lang == "ko" for q in qs) >= len(qs) / 2
    for q in qs:
        assert q.answerable == bool(q.sources), q.id
        if q.category == "follow-up":
            assert 1 <= len(q.history) <= 6, q.id


def test_heldout_does_not_repeat_test_questions():
    a = {q.question for q in load_testset(SETS[0])}
    b = {q.question for q in load_testset(SETS[1])}
    assert not a & b


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_gold_sources_exist_and_hold_an_answer(path):
    missing, unsupported = [], []
    for q in load_testset(path):
        for src in q.sources:
            if not (ROOT / "corpus" / src.partition("#")[0]).is_file():
                missing.append((q.id, src))
        if q.answerable and not any(answer_matches(doc_text(s.partition("#")[0]), q.answers) for s in q.sources
                                    if (ROOT / "corpus" / s.partition("#")[0]).is_file()):
            unsupported.append(q.id)
    assert not missing
    assert not unsupported, f"answer string not found in any gold source: {unsupported}"


def test_normalisation_forgives_spacing_separators_and_dates():
    assert answer_matches("총사업비는 7872 억원이다", ["7,872억 원"])
    assert answer_matches("It was announced on 23 September 2020.", ["2020년 9월 23일"])
    assert answer_matches("2020.9.23 발표", ["September 23, 2020"])
    assert not answer_matches("7,870억 원", ["7,872억 원"])
    assert normalise_answer("98만㎡") == normalise_answer("98만 m²")


def test_retrieval_metrics_on_a_known_ranking():
    hits = [("a.md", ""), ("b.md", "2. 사업비"), ("c.md", ""), ("b.md", "3. 기타")]
    s = retrieval_scores(hits, ["b.md#사업비"])
    assert s == {"hit@1": 0.0, "hit@5": 1.0, "hit@10": 1.0, "mrr@10": 0.5, "ndcg@10": pytest.approx(1 / 1.5849625)}
    two = retrieval_scores([("x", ""), ("a", ""), ("b", "")], ["a", "b"])
    ideal = 1 + 1 / 1.5849625
    assert two["ndcg@10"] == pytest.approx((1 / 1.5849625 + 0.5) / ideal)
    assert retrieval_scores([("z", "")], ["a"])["mrr@10"] == 0.0


def test_abstention_and_aggregate_on_a_known_case():
    recs = [
        {"answerable": True, "abstained": False, "passed": True, "supported": True, "category": "factual", "lang": "ko",
         "cited_docs": ["a"], "cited_gold": [True, False], "retrieval": retrieval_scores([("a", "")], ["a"]),
         "search_ms": 1.0, "ask_ms": 10.0},
        {"answerable": True, "abstained": True, "passed": False, "supported": False, "category": "factual", "lang": "en",
         "cited_docs": ["b"], "cited_gold": [False], "retrieval": retrieval_scores([("b", "")], ["a"]),
         "search_ms": 3.0, "ask_ms": 30.0},
        {"answerable": False, "abstained": True, "passed": True, "supported": False, "category": "unanswerable",
         "lang": "ko", "cited_docs": [], "cited_gold": [], "search_ms": 2.0, "ask_ms": 20.0},
        {"answerable": False, "abstained": False, "passed": False, "supported": False, "category": "unanswerable",
         "lang": "ko", "cited_docs": ["c"], "cited_gold": [], "search_ms": 2.0, "ask_ms": 20.0},
    ]
    assert abstention_scores(recs) == {"precision": 0.5, "recall": 0.5, "false_decline": 0.5}
    m = aggregate(recs)
    assert m["n"] == 4 and m["retrieval"]["hit@1"] == 0.5
    assert m["answer"]["accuracy"] == 0.5 and m["answer"]["by_lang"] == {"en": 0.0, "ko": 0.6667}
    assert m["citations"] == {"precision": 0.5, "support": 1.0}
    assert m["latency_ms"]["ask_p50"] == 20.0


def test_thresholds_file_is_well_formed():
    floors = json.loads((ROOT / "eval" / "thresholds.json").read_text())
    assert floors and all(0 <= v <= 1 for v in floors.values())


def test_sources_by_page_and_statute_article():
    from assistant.evaluation.metrics import gold_articles, names_article, retrieval_scores, source_matches

    assert source_matches("bill.pdf", "", "bill.pdf@3", page=3)
    assert not source_matches("bill.pdf", "", "bill.pdf@3", page=4)
    assert source_matches("law.md", "제2장 > 제9조 (지정)", "law.md#제9조")
    assert not source_matches("law.md", "제2장 > 제19조 (지정)", "law.md#제9조")
    assert gold_articles(["law.md#제9조", "other.md"]) == ["제9조"]
    assert names_article("제9조(지정): 국토교통부장관은 …", "제9조")
    assert not names_article("제19조(…)", "제9조") and not names_article("제9조의2(…)", "제9조")
    scores = retrieval_scores([("bill.pdf", "", 2), ("bill.pdf", "", 3)], ["bill.pdf@3"])
    assert scores["hit@1"] == 0 and scores["hit@5"] == 1


@pytest.mark.slow
def test_squad_compare_without_answers_scores_retrieval_for_every_configuration(tmp_path):
    """--compare --no-answers ranks with every configuration and composes nothing."""
    from assistant.evaluation.run import run
    from assistant.settings import Settings

    paras = [
        ("판교", "판교 제2테크노밸리는 경기도 성남시 수정구 시흥동 일원에 조성되었다.",
         [("q1", "판교 제2테크노밸리는 어느 시에 있나?", "성남시")]),
        ("Cortex", "Cortex is an innovation district in St. Louis, Missouri, in the central west end.",
         [("q2", "In which city is the Cortex innovation district?", "St. Louis")]),
        ("one-north", "one-north is a business park in Singapore planned around biomedical and media research.",
         [("q3", "Which country is one-north in?", "Singapore")]),
    ]
    data = {"data": [{"title": t, "paragraphs": [{"context": c, "qas": [
        {"id": i, "question": q, "answers": [{"text": a, "answer_start": c.index(a)}]} for i, q, a in qas]}]}
        for t, c, qas in paras]}
    squad = tmp_path / "tiny-squad.json"
    squad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "unused", upload_dir=tmp_path / "uploads")
    result = run(settings, testset=None, squad=str(squad), limit=None, compare=True, out=str(tmp_path / "reports"),
                 as_json=False, progress=False, only=["ours", "bm25", "use-m3"], no_answers=True)
    configs = result["configs"]
    assert set(configs) == {"ours", "bm25", "use-m3"}
    for metrics in configs.values():
        assert metrics["n"] == 3 and "answer" not in metrics
        assert metrics["retrieval"]["hit@1"] == 1.0
    assert "| retrieval.hit@5 | 1 | 1 | 1 |" in next((tmp_path / "reports").glob("*/report.md")).read_text()


QUESTION_FILES = sorted(p for p in (ROOT / "eval").rglob("*.jsonl")
                        if not {"eligibility", "reports"} & set(p.parts) and not p.name.startswith("eligibility"))


def test_every_question_file_loads_and_no_id_is_in_two_files():
    """Training, test, held-out, external and sealed files are separate sets: an id in two would be one question
    counted in two of them."""
    seen: dict[str, str] = {}
    for path in QUESTION_FILES:
        for q in load_testset(path):
            assert q.id not in seen, f"{q.id} is in {seen.get(q.id)} and {path.name}"
            seen[q.id] = path.name
    assert len(QUESTION_FILES) >= 10
