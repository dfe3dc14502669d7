import pytest

from assistant.retrieval import BM25, dedupe, rrf


def test_rrf_rewards_agreement():
    fused = rrf([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert [d for d, _ in fused][0] == "b"
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_weights_and_ties():
    assert rrf([["x"], ["y"]], k=1)[0][0] == "x"  # tie: first seen wins
    assert rrf([["x"], ["y"]], k=1, weights=[1.0, 2.0])[0][0] == "y"
    with pytest.raises(ValueError):
        rrf([["x"]], weights=[1, 2])


def test_dedupe_keeps_best_of_identical_texts():
    texts = {1: "같은  문장.", 2: "같은 문장.", 3: "다른 문장."}
    out = dedupe([(1, 0.9), (2, 0.8), (3, 0.7)], texts.get)
    assert [d for d, _ in out] == [1, 3]


def test_bm25_ranks_term_matches_and_idf():
    bm = BM25([["대구", "특구", "사업비"], ["광주", "특구"], ["부산", "센텀"]])
    hits = bm.search(["대구", "사업비"], k=3)
    assert hits[0][0] == 0 and len(hits) == 1
    assert bm.idf("특구") < bm.idf("대구") < bm.idf("없는말")
    assert bm.search(["없는말"], k=3) == []
