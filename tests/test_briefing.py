"""Briefing drafts on the real corpus: every bullet and table cell is held by its citation; DOCX reads back."""

import re

import pytest

from assistant.evaluation.metrics import canonical_dates
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
        if not x.n:
            continue  # a superseded plan named, no sentence of a document
        cited = squash(by_n[x.n].text)
        sentence = x.text.split(" — ", 1)[-1]  # a chronology item's date label is the sentence's own date
        for fig in FIG.findall(sentence):
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
    assert t and len(t.columns) == 5 and len(t.rows) >= 4
    by_n = {c.n: c for c in b.citations}
    for row in t.cells:
        for cell in row:
            if not cell.parts:
                assert cell.shown("ko") == "문서에 없음"
            for part in cell.parts:
                cited = squash(by_n[part.n].text)
                for fig in FIG.findall(part.text):
                    assert squash(fig) in cited, (part.text, by_n[part.n].doc_id)


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


CITIES = ["부산", "대구", "광주", "대전", "울산"]
DATED = re.compile(r"^(\d{4})\.(\d{1,2})(?:\.(\d{1,2}))? — ")


@pytest.fixture(scope="module")
def zone_briefings(bot):
    return {city: bot.brief(f"{city} 도심융합특구", lang="ko") for city in CITIES}


@pytest.mark.parametrize("city", CITIES)
def test_a_zone_briefing_opens_with_its_key_facts_each_cited_and_an_as_of_date(zone_briefings, city):
    from assistant.query import find_entities

    b = zone_briefings[city]
    names = find_entities(city)[0].names  # 부산, Busan …
    t = b.table
    assert t and t.columns == ("항목", city) and t.rows[:2] == ("위치", "주요 일정")
    by_n = {c.n: c for c in b.citations}
    filled = [cell for (cell,) in t.cells if cell.parts]
    assert len(filled) >= 5  # location, dates, area, cost, industries at least
    for cell in filled:
        for part in cell.parts:
            cited = by_n[part.n]
            about = f"{cited.sentence} {cited.title}".lower()
            assert any(n.lower() in about for n in names), part.text  # a cell about this zone, in either language
            label = DATED.match(part.text.split(" ", 1)[0] + " — ")
            if label:  # a key date: the passage gives that date
                y, m, d = (int(g or 0) for g in label.groups())
                iso = f"{y:04d}-{m:02d}" + (f"-{d:02d}" if d else "")
                assert iso in canonical_dates(cited.text), (part.text, cited.doc_id)
                continue
            for fig in FIG.findall(part.text):
                assert squash(fig) in squash(cited.text), (part.text, cited.doc_id)
    assert b.as_of == max(c.date for c in b.citations if c.date)
    md = b.to_markdown()
    assert md.index("| 항목 |") < md.index("## 1. 개요") and f"({b.as_of} 기준)" in md


@pytest.mark.parametrize("city", CITIES)
def test_a_zone_chronology_is_dated_in_order_and_holds_no_plan(zone_briefings, city):
    b = zone_briefings[city]
    history = dict(b.sections)["추진 경과"]
    assert len(history) >= 3
    dates = []
    for bullet in history:
        m = DATED.match(bullet.text)
        assert m, bullet.text  # every item dated
        dates.append(tuple(int(g or 0) for g in m.groups()))
        assert not re.search(r"예정|계획이다|할 계획", bullet.text), bullet.text
    assert dates == sorted(dates)
    milestones = t_row(b, "주요 일정")
    assert "지정" in milestones  # the 2024 designation is among the key dates


def t_row(b, label: str) -> str:
    return dict(zip(b.table.rows, (cell.shown(b.lang) for (cell,) in b.table.cells)))[label]


@pytest.mark.parametrize("city", CITIES)
def test_a_zone_briefing_states_each_fact_once_and_no_stale_plan_or_fragment(zone_briefings, city):
    b = zone_briefings[city]
    bullets = [x for _, bs in b.sections for x in bs if x.n]
    texts = [x.text.split(" — ", 1)[-1] for x in bullets]
    assert len(texts) == len(set(texts))  # no sentence twice
    as_of_year = int(b.as_of[:4])
    for x in dict(b.sections)["향후 계획"]:
        years = [int(y) for y in re.findall(r"(?<!\d)20\d{2}(?!\d)", x.text)]
        assert not years or max(years) >= as_of_year or not x.n, x.text  # no plan whose time has passed
    for x, text in zip(bullets, texts):
        # A chronology item is its date and the event, which may be short ("실시계획 수립 용역 착수"); other
        # bullets are whole sentences.
        shortest = 6 if DATED.match(x.text) else 20
        assert not text.rstrip().endswith("?") and len(text) >= shortest, text
        if DATED.match(x.text):  # a table row's date column is the item's label, not its text
            assert not re.match(r"(?:날짜|일자|date)\s*:", text, re.I) and " · 내용: " not in text, text


def test_figures_sources_state_differently_are_shown_once_side_by_side(zone_briefings):
    b = zone_briefings["부산"]
    cost = t_row(b, "총사업비")
    assert "4조411억" in cost and "2조411억" in cost and "출처에 따라 다름" in cost
    issues = [x.text for x in dict(b.sections)["쟁점 및 시사점"]]
    assert sum(("사업비" in t) for t in issues) <= 1  # the disagreement is discussed once, beside the table


def test_a_figure_the_documents_call_unreliable_is_not_a_key_fact(zone_briefings):
    cost = t_row(zone_briefings["대전"], "총사업비")
    assert "1.9조" not in cost and "1조900억" not in cost
