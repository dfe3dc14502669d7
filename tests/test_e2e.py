"""End to end on the real corpus with the real default embedder: known answers, a follow-up, a decline."""

import re

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(corpus_bot):
    return corpus_bot


def norm(s):
    return re.sub(r"[\s,]", "", s)


@pytest.mark.parametrize("question, expected", [
    ("대구 도심융합특구의 총사업비는 얼마인가요?", "7,872억"),
    ("도심융합특구 조성계획은 언제 발표되었나요?", "2020년 9월 23일"),
    ("What is the area of the Daegu urban convergence special zone?", "98"),
])
def test_known_answers_with_citations(bot, question, expected):
    ans = bot.ask(question)
    assert not ans.abstained, ans.text
    assert norm(expected) in norm(ans.text)
    assert ans.citations and any(norm(expected) in norm(c.text) for c in ans.citations)
    for c in ans.citations:
        assert f"[{c.n}]" in ans.text and c.doc_id and c.title


def test_followup_is_answered_about_the_earlier_subject(bot):
    history = [
        {"role": "user", "content": "대구 도심융합특구는 어디에 지정되었나요?"},
        {"role": "assistant", "content": bot.ask("대구 도심융합특구는 어디에 지정되었나요?").text},
    ]
    ans = bot.ask("그럼 사업비는 얼마인가요?", history=history)
    assert "대구" in ans.query
    assert "7,872억" in ans.text


def test_question_outside_the_documents_is_declined_with_closest_passages(bot):
    ans = bot.ask("서울 지하철 9호선의 하루 이용객은 몇 명인가요?")
    assert ans.abstained
    assert "찾지 못했습니다" in ans.text
    assert ans.citations  # the closest passages are still shown


def test_search_returns_hits_best_first(bot):
    hits = bot.search("Cortex Innovation Community St. Louis", k=5)
    assert len(hits) == 5
    assert hits[0].score >= hits[-1].score
    assert any("cortex" in h.doc_id for h in hits[:3])


def test_llama_index_retriever_and_postprocessor_boundary(bot):
    from llama_index.core.postprocessor import SimilarityPostprocessor

    from assistant.retrieval.llama import hit_from_node, make_retriever

    retriever = make_retriever(bot, k=5)
    nodes = retriever.retrieve("대구 도심융합특구 총사업비")
    assert len(nodes) == 5 and nodes[0].node.metadata["doc_id"]
    kept = SimilarityPostprocessor(similarity_cutoff=0.0).postprocess_nodes(nodes)
    hits = [hit_from_node(n) for n in kept]
    assert hits[0].doc_id == bot.search("대구 도심융합특구 총사업비", k=5)[0].doc_id
