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


def test_zscore_fusion_keeps_a_confident_leader():
    from assistant.retrieval.fusion import zscore_fusion

    # BM25 is sure of "a" (far ahead); the dense list barely prefers "b". Rank fusion would tie them.
    bm25 = [("a", 30.0), ("b", 10.0), ("c", 9.5), ("d", 9.0)]
    dense = [("b", 0.52), ("a", 0.51), ("c", 0.50), ("d", 0.49)]
    fused = zscore_fusion([bm25, dense], [0.5, 0.5])
    assert [i for i, _ in fused][:2] == ["a", "b"]
    # Weights decide between two confident but disagreeing lists.
    dense2 = [("b", 0.9), ("a", 0.1), ("c", 0.1), ("d", 0.1)]
    assert zscore_fusion([bm25, dense2], [0.2, 0.8])[0][0] == "b"


def test_zscore_fusion_missing_items_get_the_floor_and_ties_are_stable():
    from assistant.retrieval.fusion import zscore_fusion

    fused = dict(zscore_fusion([[("a", 2.0), ("b", 1.0)], [("c", 5.0), ("a", 1.0)]]))
    assert set(fused) == {"a", "b", "c"}
    assert fused["a"] > fused["b"]  # a is in both lists
    same = zscore_fusion([[("x", 1.0), ("y", 1.0)]])  # zero spread: no division by zero, order kept
    assert [i for i, _ in same] == ["x", "y"]
    with pytest.raises(ValueError):
        zscore_fusion([[("a", 1.0)]], [1.0, 2.0])


def test_reserve_slot_places_the_other_language_best_once():
    from assistant.retrieval.fusion import reserve_slot

    ranked = [(i, 10.0 - i) for i in range(8)]
    out = reserve_slot(ranked, [(42, 0.1), (43, 0.05)], position=5)
    assert [i for i, _ in out][:6] == [0, 1, 2, 3, 42, 4]
    assert len(out) == 9
    # Already within the first five: unchanged. Lower down: moved up, not duplicated.
    assert reserve_slot(ranked, [(2, 1.0)], 5) == ranked
    moved = [i for i, _ in reserve_slot(ranked, [(7, 1.0)], 5)]
    assert moved[:5] == [0, 1, 2, 3, 7] and moved.count(7) == 1 and len(moved) == 8
    assert reserve_slot(ranked, [], 5) == ranked and reserve_slot(ranked, [(9, 1.0)], 0) == ranked


def test_bilingual_passages_are_not_the_other_language():
    from assistant.text import is_bilingual as _bilingual

    assert _bilingual("| 도심융합특구 | urban convergence special zone | 비수도권 광역시 |")
    assert not _bilingual("대구 특구의 총사업비는 7,872억 원이며 KTX 역과 가깝다.")
    assert not _bilingual("Daegu's zone costs 7,872억 won.")


def test_distinct_first_lists_documents_before_their_further_passages():
    from assistant.retrieval.fusion import distinct_first

    doc = {"a1": "a", "a2": "a", "a3": "a", "b1": "b", "c1": "c", "c2": "c"}
    items = [(x, 1.0 - i / 10) for i, x in enumerate(["a1", "a2", "a3", "b1", "c1", "c2"])]
    order = [x for x, _ in distinct_first(items, doc.get, 3)]
    assert order == ["a1", "b1", "c1", "a2", "a3", "c2"]
    assert [x for x, _ in distinct_first(items, doc.get, 2)] == ["a1", "b1", "a2", "a3", "c1", "c2"]
    assert distinct_first(items, doc.get, 0) == items
    # fewer documents than places: every item is kept, in order
    assert [x for x, _ in distinct_first(items, doc.get, 10)] == ["a1", "b1", "c1", "a2", "a3", "c2"]


def test_the_last_word_of_an_english_sentence_is_a_word_not_an_abbreviation():
    """Kiwi kept the full stop on a sentence's last Latin word or number ("2008.", "t" + "owers."): the words of a
    sentence's end must match the same words in a question."""
    from assistant.text import tokenize

    assert tokenize("It opened on 17 October 2008.") == tokenize("It opened on 17 October 2008")
    assert tokenize("Phase 1 has two towers.") == ["phase", "1", "two", "tower"]
    assert tokenize('He said "towers."') == tokenize("He said towers")
    # abbreviations and decimals keep their stops
    assert "u.s." in tokenize("U.S. firms") and "2.5" in tokenize("a ratio of 2.5 here.")
