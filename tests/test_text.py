import numpy as np

from assistant.text import _kiwi_sentences, _sentence_tokens, split_sentences, tokenize, tokenize_many


def test_remembered_sentences_are_bounded():
    # At most 10,000 sentences' tokens and splits are kept (an index build's passages are not kept at all).
    assert _sentence_tokens.cache_info().maxsize == 10_000 and _kiwi_sentences.cache_info().maxsize == 10_000
    before = _sentence_tokens.cache_info().currsize
    tokenize_many(["판교 제2테크노밸리의 면적은 약 43만㎡이다.", "x" * 500])
    assert _sentence_tokens.cache_info().currsize <= before + 1


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


def test_a_bound_suffix_stays_with_its_noun():
    from assistant.text import tokenize

    # 수도권 (the capital region) is not 수도 (water supply): 「수도법」 must not match a question on Seoul.
    assert tokenize("수도권정비계획법")[0] == "수도권"
    assert "수도권" not in tokenize("「수도법」 제5조에 따른 수도정비계획")
    assert tokenize("소유권 외의 권리") == ["소유권", "권리"]


def test_a_prefix_stays_with_a_one_syllable_noun():
    from assistant.text import tokenize

    # Kiwi reads 재결 (adjudication) as 재/XPN 결/NNG after "수용할 때", as one noun elsewhere: one token either way.
    assert "재결" in tokenize("토지를 수용할 때 재결은 어느 기관이 맡나요?")
    assert "재결" in tokenize("수용에 대한 재결은 중앙토지수용위원회가 관장한다.")
    # A longer noun keeps matching without its prefix: 재개발 still holds 개발, 비수도권 수도권.
    assert tokenize("재개발 사업") == ["개발", "사업"]
    assert tokenize("비수도권 도시") == ["수도권", "도시"]


def test_an_english_paragraph_glossing_a_korean_term_is_split_into_its_sentences():
    """Kiwi leaves such a paragraph whole; a mostly Latin line is split by its full stops instead."""
    text = ("The plan for urban convergence special zones (도심융합특구) was reported on 23 September 2020. "
            "Poblenou/22@ was one of three models. This study is as of 31 December 2023.")
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "The plan for urban convergence special zones (도심융합특구) was reported on 23 September 2020.",
        "Poblenou/22@ was one of three models.", "This study is as of 31 December 2023."]


def test_an_abbreviation_ends_no_sentence_and_a_table_row_is_one():
    text = "The Act (Act No. 19767) applies. RSTA Art. 63 gives relief to firms in St. Louis. It ends."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "The Act (Act No. 19767) applies.", "RSTA Art. 63 gives relief to firms in St. Louis.", "It ends."]
    row = "| Gwangju | land in use (~250,000 m², incl. Kim Dae-jung Center). Idle land | 85만㎡ |"
    assert split_sentences(row) == [(0, len(row))]
    # a sentence ending in an abbreviation-like company suffix still ends there
    text = "Its name is 22 ARROBA BCN, S.A.U. The sources do not give its budget."
    assert len(split_sentences(text)) == 2


def test_supplementary_provisions_are_one_word_where_a_question_starts_with_them():
    # Kiwi read "부칙상 언제부터" as 부/칙; the documents' "부칙" is one word.
    assert "부칙" in tokenize("부칙상 언제부터 시행되나요?")
    assert "부칙" in tokenize("법안은 부칙상 언제부터 시행되나요?")
    assert tokenize("부칙") == ["부칙"]
