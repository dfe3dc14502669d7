"""English questions over documents written only in Korean: the question's words are looked for in Korean (search),
weighed by how common their Korean renderings are there (answer coverage), and found as the head of a compound."""

from __future__ import annotations

from conftest import FakeEmbedder

ARTICLES = {  # written for this test: a Korean-only corpus of four short rules
    "penalty.md": "# 벌칙\n\n신고 없이 시설을 설치한 사람은 1년 이하의 징역 또는 1천만원 이하의 벌금을 받는다.\n",
    "completion.md": "# 공사 완료\n\n공사를 마친 시행자는 시장의 확인을 받아야 한다.\n",
    "opinion.md": "# 의견 제출\n\n협의회는 요청을 받은 날부터 30일 안에 의견을 낸다.\n",
    "plan.md": "# 기본계획\n\n시장은 5년마다 지역 발전을 위한 기본계획을 세운다.\n",
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
    assert _first(retriever, "What is the fine or prison term for installing a facility?") == "penalty.md"
    assert _first(retriever, "Who must confirm the works are complete?") == "completion.md"
    assert _first(retriever, "In how many days does the council give its opinion?") == "opinion.md"
    # The same question without translation finds nothing to match: the Korean words are what found it.
    plain = _retriever(index, settings, translate_words=False)
    assert _first(plain, "What is the fine or prison term for installing a facility?") != "penalty.md"


def test_a_translated_word_weighs_what_its_most_common_rendering_weighs():
    from assistant.answer.evidence import translated_weight

    idf = {"특구": 0.1, "구역": 0.8, "완공": 3.0, "확인": 2.0, "zone": 1.5}.get
    rarest = 9.0

    def weight(term, renderings):
        return translated_weight(lambda t: idf(t, rarest), term, renderings)

    # A word the documents use keeps its own weight.
    assert weight("zone", (("특구",), ("구역",))) == 1.5
    # Unused ("special" over Korean-only text): the commonest rendering's weight, a rendering weighing its rarest token.
    assert weight("special", (("특구",), ("구역",))) == 0.1
    assert weight("completed", (("완공", "확인"),)) == 3.0
    # A rendering the documents never use does not count; with none used the word stays as rare as any.
    assert weight("confirmed", (("승인",), ("확인",))) == 2.0
    assert weight("lawsuit", (("소송",),)) == rarest


def test_a_translation_counts_as_the_head_of_a_korean_compound():
    from assistant.answer.features import compound_heads, group_coverage

    terms = {"협의회", "의견", "30", "기간"}
    heads = compound_heads(terms)
    assert {"협의", "협의회", "의견"} <= heads and "30" in heads and "기" not in heads
    groups = [(1.0, (frozenset({"협의"}),)), (1.0, (frozenset({"의견"}),))]
    assert group_coverage(groups, terms, set()) == 0.5
    assert group_coverage(groups, heads, set()) == 1.0
