"""The verifier's finer checks with the real sentence embedder: a sentence holding every figure and most words of
its passage still fails when it gives a figure to the wrong thing, names something the statement it rests on does
not, or drops the condition that statement puts; faithful restatements, a carried subject and a rounding said to be
one still stand."""

from __future__ import annotations

import pytest

from assistant.generate.binding import anchors, misbound
from assistant.generate.verify import Source, check_sentence

pytestmark = pytest.mark.slow

PASSAGE = ("시험특구의 면적은 45만㎡이며 총사업비는 1조 2천억 원이다. 입주 지원금은 중소기업에 한하여 지급한다. "
           "동쪽지구는 2022년 선정되었고, 2023년 착공했다. 서쪽지구는 2021년 선정, 남쪽지구는 2024년 착공했다. "
           "특구 안의 의료법인은 부대사업을 할 수 있다. 운영사 투자는 최소 3억 원이어야 한다. "
           "The east block covers 12 hectares. "
           "Which block opens last? The west block.")


@pytest.fixture(scope="module")
def check():
    from assistant.embedders import UseM3

    embed = UseM3(threads=1).embed_queries
    sources = {1: Source(1, "a.md", "A", PASSAGE)}
    return lambda text, lang="ko": check_sentence(text, (1,), sources, lang, embed)


@pytest.mark.parametrize("text", [
    "시험특구의 총사업비는 1조 2천억 원이다 [1].",
    "시험특구의 면적은 45만㎡이다 [1].",
    "시험특구의 면적은 약 45만㎡이다 [1].",
    "입주 지원금은 중소기업에 한하여 지급한다 [1].",
    "동쪽지구는 2023년 착공했다 [1].",  # the subject carried from the clause before
    "남쪽지구는 2024년 착공했다 [1].",
])
def test_faithful_sentences_stand(check, text):
    found = check(text)
    assert found.verified, (found.reason, found.detail)


@pytest.mark.parametrize("text, reason", [
    ("시험특구의 총사업비는 45만㎡이다 [1].", "fact_misbound"),  # a cost given an area
    ("서쪽지구는 2024년 착공했다 [1].", "fact_misbound"),  # one place's date given to another
    ("입주 지원금을 지급한다 [1].", "condition_dropped"),  # who may receive it, dropped
    ("청년 입주 지원금은 중소기업에 한하여 지급한다 [1].", "noun_not_in_statement"),
    ("의료법인은 부대사업을 할 수 있다 [1].", "condition_dropped"),  # where it holds, dropped
    ("운영사 투자는 약 3억 원이어야 한다 [1].", "condition_dropped"),  # a minimum is not an amount
    ("The east block opens last [1].", "words_not_covered"),  # a passage's question is no statement
])
def test_a_misbound_figure_a_foreign_noun_or_a_dropped_condition_is_removed(check, text, reason):
    found = check(text, "ko" if any("\uac00" <= c <= "\ud7a3" for c in text) else "en")
    assert found.reason == reason, (found.reason, found.detail)


def test_binding_reads_the_nearest_nouns_of_each_figure_in_its_clause():
    assert [(a.figure, a.before, a.after) for a in anchors("동쪽지구는 2022년 선정되었고, 2023년 착공했다.")] == [
        ("2022", "동쪽지구", "선정"), ("2023", "", "착공")]
    assert misbound(anchors("서쪽지구는 2021년 선정되었다."), PASSAGE) == []
    assert misbound(anchors("서쪽지구는 2022년 선정되었다."), PASSAGE) == ["2022 (서쪽지구 / 선정)"]
    assert misbound(anchors("북쪽지구는 2030년 착공한다."), PASSAGE) == []  # a figure it does not hold: not this check's


@pytest.mark.parametrize("text", ["[1] 중소기업에 한한 지원", "[1] 시험특구 면적", "45만㎡ [1].", "The east block [1]."])
def test_a_phrase_without_a_predicate_is_not_a_statement(check, text):
    lang = "en" if "east" in text else "ko"
    assert check(text, lang).reason == "not_a_statement"


def test_an_answer_true_of_its_passage_but_not_the_answer_falls_back():
    from assistant.embedders import UseM3
    from assistant.generate.answer import off_answer
    from assistant.generate.verify import SentenceCheck

    embed = UseM3(threads=1).embed_queries
    lead = "동쪽지구는 2023년 착공했다."
    said = lambda text: [SentenceCheck(text, (1,))]  # noqa: E731
    assert not off_answer(lead, said("동쪽지구의 공사는 2023년에 착공했다 [1]."), embed)
    assert off_answer(lead, said("동쪽지구는 2022년 선정되었다 [1]."), embed)  # another date of the same passage
    assert off_answer("입주 지원금은 중소기업에 한하여 지급한다.", said("시험특구는 낡은 공업지역을 바꾸는 사업이다 [1]."), embed)
    assert not off_answer("", said("동쪽지구는 2022년 선정되었다 [1]."), embed)  # nothing to agree with


def test_a_bound_or_a_range_on_a_figure_stays_on_it():
    from assistant.generate.binding import unbounded

    assert unbounded("투자는 약 3억 원이다.", "투자는 최소 3억 원이어야 한다.") == ["3"]
    assert unbounded("보고서는 2018년을 다뤘다.", "보고서는 2002~2018년을 다뤘다.") == ["2018"]
    assert unbounded("It covered 2002-2018.", "It covered the years 2002-2018.") == []
    assert unbounded("지정일은 2024-11-07이다.", "2024-11-07에 지정되었다.") == []  # a date is no range
