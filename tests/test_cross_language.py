"""English questions over documents written only in Korean: the question's words are looked for in Korean (search),
weighed by how common their Korean renderings are there (answer coverage), and found as the head of a compound."""

from __future__ import annotations

from conftest import FakeEmbedder

ARTICLES = {
    "penalty.md": "# 제45조(벌칙)\n\n허가를 받지 아니하고 건축물을 건축한 자는 2년 이하의 징역이나 2천만원 이하의 벌금에 처한다.\n",
    "completion.md": "# 제23조(준공인가)\n\n사업시행자가 특구개발사업을 완료하였을 때에는 국토교통부장관의 준공인가를 받아야 한다.\n",
    "opinion.md": "# 제35조(국유재산의 처분)\n\n협의를 요청받은 관리청은 요청을 받은 날부터 20일 이내에 의견을 제시하여야 한다.\n",
    "plan.md": "# 제7조(종합발전계획)\n\n국토교통부장관은 특구의 발전을 위한 종합발전계획을 10년마다 수립하여야 한다.\n",
}


def _index(tmp_path, settings_for):
    from assistant.index import build_index, load

    corpus = tmp_path / "statute"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    s = settings_for(corpus)
    build_index(s, embedders={"use-m3": FakeEmbedder()}, progress=False)
    return load(s.index_dir, ["use-m3"]), s


def _retriever(index, settings, **overrides):
    from assistant.retrieval import HybridRetriever

    # BM25 alone, so what is found is what the words find.
    return HybridRetriever.from_settings(index, {"use-m3": FakeEmbedder()}, settings, use_dense=False, **overrides)


def _first(retriever, question: str) -> str:
    ranked = retriever.retrieve(question, k=3)
    return retriever.chunks[ranked[0].row].doc_id if ranked else ""


def test_an_english_question_finds_the_korean_article_through_its_translated_words(tmp_path, settings_for):
    index, settings = _index(tmp_path, settings_for)
    retriever = _retriever(index, settings)
    assert _first(retriever, "What is the fine or imprisonment for building without a permit?") == "penalty.md"
    assert _first(retriever, "Whose completion approval does the operator need?") == "completion.md"
    # The same question without translation finds nothing to match: the Korean words are what found it.
    plain = _retriever(index, settings, translate_words=False)
    assert _first(plain, "What is the fine or imprisonment for building without a permit?") != "penalty.md"


def test_a_translated_word_weighs_what_its_most_common_rendering_weighs():
    from assistant.answer.evidence import translated_weight

    idf = {"특구": 0.1, "구역": 0.8, "준공": 3.0, "인가": 2.0, "zone": 1.5}.get
    rarest = 9.0

    def weight(term, renderings):
        return translated_weight(lambda t: idf(t, rarest), term, renderings)

    # A word the documents use keeps its own weight.
    assert weight("zone", (("특구",), ("구역",))) == 1.5
    # Unused ("special" over Korean-only text): the commonest rendering's weight, a rendering weighing its rarest token.
    assert weight("special", (("특구",), ("구역",))) == 0.1
    assert weight("completion", (("준공", "인가"),)) == 3.0
    # A rendering the documents never use does not count; with none used the word stays as rare as any.
    assert weight("approval", (("승인",), ("인가",))) == 2.0
    assert weight("lawsuit", (("소송",),)) == rarest


def test_a_translation_counts_as_the_head_of_a_korean_compound():
    from assistant.answer.features import compound_heads, group_coverage

    terms = {"관리청", "의견", "20", "기간"}
    heads = compound_heads(terms)
    assert {"관리", "관리청", "의견"} <= heads and "20" in heads and "기" not in heads
    groups = [(1.0, (frozenset({"관리"}),)), (1.0, (frozenset({"의견"}),))]
    assert group_coverage(groups, terms, set()) == 0.5
    assert group_coverage(groups, heads, set()) == 1.0
