"""Briefing drafts on the real corpus: every bullet and table cell is held by its citation; DOCX reads back."""

import re

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
TOPICS = ["2024년 도심융합특구 지정", "22@바르셀로나, 코텍스, 원노스, 판교 제2테크노밸리 비교",
          "도심융합특구로 이전하는 기업에 대한 지원"]
FIG = re.compile(r"\d[\d,.]*")


@pytest.fixture(scope="module")
def bot(corpus_bot):
    return corpus_bot


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize("topic", TOPICS)
def test_every_bullet_is_held_by_its_citation(bot, topic, tmp_path):
    b = bot.brief(topic, lang="ko")
    names = [name for name, _ in b.sections]
    assert names == ["개요", "추진 경과", "주요 내용", "쟁점 및 시사점", "향후 계획"]
    by_n = {c.n: c for c in b.citations}
    bullets = [x for _, bs in b.sections for x in bs]
    assert len(bullets) >= 8
    for x in bullets:
        cited = squash(by_n[x.n].text)
        for fig in FIG.findall(x.text):
            assert squash(fig) in cited, (x.text, by_n[x.n].doc_id)
    md = b.to_markdown()
    assert "참고자료" in md and all(f"[{c.n}]" in md for c in b.citations)

    from docx import Document as Docx

    path = b.to_docx(tmp_path / "b.docx")
    text = "\n".join(p.text for p in Docx(str(path)).paragraphs)
    assert "1. 개요" in text and "참고자료" in text and bullets[0].text in text


def test_comparison_table_cells_are_cited_or_say_not_in_documents(bot):
    b = bot.brief(TOPICS[1], lang="ko")
    t = b.table
    assert t and len(t["columns"]) == 5 and len(t["rows"]) >= 4
    by_n = {c.n: c for c in b.citations}
    for row in t["cells"]:
        for text, n in row:
            if n is None:
                assert text == "문서에 없음"
                continue
            cited = squash(by_n[n].text)
            for fig in FIG.findall(text):
                assert squash(fig) in cited, (text, by_n[n].doc_id)


@pytest.mark.parametrize("topic", ["서울 지하철 9호선 이용객", "Tokyo Olympics budget", "도심융합특구 코로나 방역 지침"])
def test_a_topic_the_documents_do_not_cover_is_refused_with_the_closest_documents(bot, topic):
    from assistant.errors import NotCoveredError

    with pytest.raises(NotCoveredError) as caught:
        bot.brief(topic, lang="ko")
    assert caught.value.closest and all("(" in c for c in caught.value.closest)  # "title (doc_id)"


@pytest.mark.parametrize("topic", ["부산 센텀2지구 도심융합특구", "대구 도심융합특구", "광주 도심융합특구", "대전 도심융합특구",
                                   "울산 도심융합특구", "Cortex innovation district"])
def test_covered_topics_are_still_drafted(bot, topic):
    assert bot.brief(topic, lang="ko").citations


@pytest.mark.parametrize("city", ["부산", "대구", "광주"])
def test_a_zone_briefing_opens_with_its_key_facts_and_an_as_of_date(bot, city):
    b = bot.brief(f"{city} 도심융합특구", lang="ko")
    t = b.table
    assert t and t["columns"] == ["항목", city] and t["rows"][:2] == ["위치", "주요 일정"]
    by_n = {c.n: c for c in b.citations}
    filled = [(text, n) for (text, n), in t["cells"] if n is not None]
    assert len(filled) >= 4  # location, dates, area, cost at least
    for text, n in filled:
        assert city in text or city in by_n[n].title, text  # a cell about this zone
        for fig in FIG.findall(text):
            assert squash(fig) in squash(by_n[n].text)
    assert b.as_of == max(c.date for c in b.citations if c.date)
    md = b.to_markdown()
    assert md.index("| 항목 |") < md.index("## 1. 개요") and f"({b.as_of} 기준)" in md
    assert not any(x.text.rstrip().endswith("?") for _, bs in b.sections for x in bs)
