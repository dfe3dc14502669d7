import numpy as np

from assistant.text import _Memo, split_sentences, tokenize, tokenize_many


def test_memo_is_bounded_and_keeps_the_most_recently_used():
    made = []
    memo = _Memo(size=2)
    make = lambda k: made.append(k) or k.upper()
    assert memo.get("a", make) == "A" and memo.get("b", make) == "B"
    assert memo.get("a", make) == "A"  # remembered, and now the most recent
    memo.get("c", make)  # evicts b, the least recently used
    assert list(memo.items) == ["a", "c"] and made == ["a", "b", "c"]


def test_remembered_tokens_and_sentences_are_the_same_as_fresh_ones():
    texts = ["도심융합특구는 지방 대도시 도심에 조성한다.", "It opened on 17 October 2008.", "x" * 500 + " 특구"]
    first = tokenize_many(texts)
    again = tokenize_many(texts)
    assert first == again == [tokenize(t) for t in texts]
    again[0].append("changed")  # callers get their own lists, never the memo's
    assert tokenize_many(texts[:1])[0] == first[0]
    line = "부산 특구는 2022년에 지정되었다. 면적은 1.9㎢이다."
    assert split_sentences(line) == split_sentences(line) and len(split_sentences(line)) == 2


def test_use_gives_one_query_the_same_vector_as_in_a_batch():
    # One text runs on one BLAS thread, a batch on all: the vectors must not depend on it.
    from assistant.embedders import UseM3

    use = UseM3(threads=2)
    texts = ["도심융합특구의 면적은?", "How large is the zone?", "판교 제2테크노밸리"]
    batch = use.embed_queries(texts)
    single = np.stack([use.embed_queries([t])[0] for t in texts])
    assert np.allclose(batch, single, atol=1e-5)
