"""The briefing's data file and the pure functions that read sentences with it: every cue's examples match and its
counter-examples do not; dates, events, plans, figures and the key-facts cells on hand-made sentences. Fast: no
index, no models."""

import re

import pytest

from assistant.briefing_table import (Attribute, Cell, FactTable, Part, _same, attributes, owned_values, quantity,
                                      value_cell)
from assistant.briefing_timeline import Focus, Sentence, briefing_data, chronology, cue, event_of, first_date, plans
from assistant.types import Hit

CUES = briefing_data()["cues"]


@pytest.mark.parametrize("name", sorted(CUES))
def test_every_cue_matches_its_examples_and_not_its_counter_examples(name):
    pattern = cue(name)
    for text in CUES[name]["examples"]:
        assert pattern.search(text), (name, text)
    for text in CUES[name].get("counter", []):
        assert not pattern.search(text), (name, text)


@pytest.mark.parametrize("kind", sorted(briefing_data()["attributes"]))
def test_every_attribute_row_has_labels_words_and_compiled_patterns(kind):
    rows = attributes(kind)
    assert rows and len({a.ko for a in rows}) == len(rows)
    for a in rows:
        assert a.ko and a.en and a.words and isinstance(a.sentence, re.Pattern)
        assert not a.quantity or a.value is not None  # a figure row says which part of the sentence is the figure


def hit(doc="d1", title="부산 도심융합특구 현황", date="2026-02-25", lang="ko") -> Hit:
    return Hit(doc_id=doc, title=title, page=1, section="", text="…", score=1.0, lang=lang, date=date)


def sent(text, score=1.0, **kw) -> Sentence:
    return Sentence(text, hit(**kw), score)


BUSAN = Focus(names=("부산",), others=("대구", "울산", "광주", "대전"))


@pytest.mark.parametrize("text,date", [
    ("2024년 11월 7일 국토교통부는 특구를 지정하였다.", "2024-11-07"),
    ("착공식은 2026. 2. 25. 열렸다.", "2026-02-25"),
    ("The zones were designated on 7 November 2024.", "2024-11-07"),
    ("2022년 4월 ~ 2023년 3월 기본계획 수립", "2022-04"),
    ("사업 기간은 2024~2030년이다.", None),
])
def test_first_date(text, date):
    assert first_date(text) == date


def test_an_event_needs_its_verb_near_the_date_and_not_a_report_date():
    assert event_of("2024년 11월 7일 국토교통부는 부산 특구를 지정하였다.") == ("2024-11-07", "지정")
    assert event_of("착공식 2026년 2월 25일") == ("2026-02-25", "착공")
    assert event_of("Busan was chosen as a pilot site on 24 November 2021.") == ("2021-11-24", "chosen")
    assert event_of("아시아경제 2022년 1월 보도에 따르면 네 곳이 선정되었다.") is None  # the report's date
    # The verb before the date is another event's: the date is the plan's announcement, not the selection.
    assert event_of("울산의 선정으로 2020년 9월 23일 발표된 계획의 대상이 모두 채워졌다.") == ("2020-09-23", "발표")
    assert event_of("2024년 6월 현장 점검에 참여한 기관이 시행자라고 단정할 수 없다.") is None  # 시행자 is no event
    # In a table row the next date's cell, header included, is that date's event.
    assert event_of("도시: 부산 · 2020년 9월 23일 당시 단계: 협의 대상 · 이후 선도사업지 선정: 2021년 11월 24일") is None
    assert event_of("날짜: 2024년 11월 7일 · 내용: 국토교통부, 특구 지정 및 기본계획 승인") == ("2024-11-07", "지정 승인")


def test_the_chronology_is_dated_ordered_about_the_place_and_holds_no_plan_or_forecast():
    events = chronology([
        sent("2026년 2월 25일 부산 센텀2지구 착공식이 열렸다.", 0.5),
        sent("2024년 11월 7일 국토교통부는 부산 특구를 지정하였다.", 0.9),
        sent("2024년 11월 7일 국토교통부는 5개 광역시 특구를 지정하였다.", 0.2, doc="d2", title="개요"),
        sent("2020년 12월 22일 대구 특구가 선정되었다.", 0.9, doc="d3", title="대구 현황"),
        sent("2027년 3월 부산 특구를 준공할 예정이다.", 0.9),
        sent("2027년 3월 부산 특구가 준공되었다.", 0.9),  # dated after its own document: a forecast
        sent("이 문서의 기준일은 2026년 2월 25일 착공일이다.", 0.9),
    ], BUSAN)
    assert [(e.date, e.verb) for e in events] == [("2024-11-07", "지정"), ("2026-02-25", "착공")]
    assert events[0].label == "2024.11.7"
    assert "부산" in events[0].sentence.text  # of two sentences on one day, the one naming the place


def test_plans_come_from_the_newest_document_and_stale_or_past_plans_are_left_out():
    planned = plans([
        sent("부산시는 2030년까지 2단계 구간을 착공할 예정이다.", doc="new", date="2026-02-25"),
        sent("부산시는 2027년 완공을 목표로 사업을 추진할 예정이다.", doc="old", date="2021-11-24"),
        sent("부산시는 2022년 1월 착공할 예정이다.", doc="new", date="2026-02-25"),  # its time has passed
        sent("부산시는 2024년까지 계획을 세운다는 계획이었다.", doc="new", date="2026-02-25"),  # told as history
    ], BUSAN)
    assert [s.text for s in planned.current] == ["부산시는 2030년까지 2단계 구간을 착공할 예정이다."]
    assert planned.superseded == (("부산 도심융합특구 현황", "2021-11-24"),)


def test_a_sentence_naming_a_peer_or_a_rival_programme_is_not_about_the_place():
    focus = Focus(names=("광주",), others=("대구",), programme=("도심융합특구",), rivals=("기회발전특구",))
    assert focus.about(sent("광주 도심융합특구는 상무지구에 있다."))
    assert not focus.about(sent("광주는 기회발전특구 2차 지정에 포함되었다.", title="광주 현황"))
    assert not focus.about(sent("대구는 세 곳을 묶었다.", title="비교"))
    assert focus.about(sent("대구와 달리 광주는 한 권역이다.", title="광주 현황"))
    assert not Focus(names=("대구",)).about(sent("부산 해운대구 반여동 일원이다.", title="부산 현황"))  # 대구 ≠ 해운대구


@pytest.mark.parametrize("a,b,same", [("852,693㎡", "85만㎡", True), ("192만㎡", "193만㎡", False),
                                      ("4조411억 원", "2조411억 원", False), ("200ha", "2,000,000㎡", True)])
def test_figures_that_round_to_one_another_are_one(a, b, same):
    assert _same(a, b) is same


def test_quantities_compare_across_units_and_ignore_article_numbers():
    assert quantity("4조411억 원") == quantity("4조 411억원")
    assert quantity("200ha") == quantity("2,000,000㎡")
    cost = next(a for a in attributes("city") if a.ko == "총사업비")
    assert owned_values("근거는 제4조 원칙이며 부산 총사업비는 1조5,790억 원이다.", cost.value, ["부산"], []) == ["1조5,790억 원"]


def test_a_figure_belongs_to_the_place_named_nearest_before_it():
    area = next(a for a in attributes("city") if a.ko == "면적")
    text = "광주의 852,693㎡처럼 공개된 경우와, 부산 191만㎡·대구 98만㎡처럼 공개된 경우가 있다."
    assert owned_values(text, area.value, ["부산"], ["광주", "대구"]) == ["191만㎡"]


def cite_counter():
    numbers: dict[str, int] = {}
    return lambda s: numbers.setdefault(s.hit.doc_id, len(numbers) + 1)


def cost_row() -> Attribute:
    return next(a for a in attributes("city") if a.ko == "총사업비")


def test_differing_figures_are_shown_once_side_by_side_with_their_sources():
    cell = value_cell(cost_row(), [
        sent("부산 특구의 총사업비는 4조411억 원이다.", doc="a", date="2024-11-07"),
        sent("부산 특구 총사업비 4조411억 원, 1단계 사업비 8천억 원", doc="a", date="2024-11-07"),
        sent("부산도시공사는 총사업비를 2조411억 원으로 제시한다.", doc="b", date="2026-02-25"),
        sent("부산 총사업비 2조411억 원", doc="c", date="2026-03-01"),
    ], ["부산"], [], cite_counter())
    assert cell.differ and [p.text for p in cell.parts] == ["4조411억 원", "2조411억 원"]
    assert cell.shown("ko") == "4조411억 원 (2024-11-07) [1] / 2조411억 원 (2026-02-25) [2] (출처에 따라 다름)"


def test_a_figure_the_documents_disown_is_no_cell_value():
    cell = value_cell(cost_row(), [
        sent("부산 특구 전체의 총사업비는 공개 자료에서 확인되지 않았다.", doc="a"),
        sent("부산 총사업비로 도는 약 1.9조 원은 광고성 페이지에만 나온다.", doc="b"),
        sent("부산 메가 프로젝트의 사업비는 1조900억 원이다.", doc="c"),
    ], ["부산"], [], cite_counter())
    assert not cell.differ and cell.shown("ko").startswith("부산 특구 전체의 총사업비는 공개 자료에서 확인되지 않았다.")


def test_a_table_prints_every_cell_or_says_not_in_the_documents():
    table = FactTable(("항목", "부산"), ("면적", "사업시행자"), ((Cell((Part("191만㎡", 3),)),), (Cell(),)))
    assert table.shown("ko") == [["항목", "부산"], ["면적", "191만㎡ [3]"], ["사업시행자", "문서에 없음"]]
    assert table.figures() == {quantity("191만㎡")}


def test_a_figure_far_from_the_best_placed_sources_is_another_thing_not_a_disagreement():
    area = next(a for a in attributes("city") if a.ko == "면적")
    cell = value_cell(area, [
        sent("울산 특구는 약 193만㎡이다.", doc="a", date="2022-12-19"),
        sent("울산 특구는 KTX역세권 162만㎡와 다운 30만㎡, 합계 192만㎡이다.", doc="b", date="2025-06-17"),
        sent("2차 면적은 울산 126.9만 평이다.", doc="c", date="2025-05-29"),  # another zone's, over double
        sent("울산 특구 가운데 다운지구는 31만㎡이다.", doc="d", date="2025-06-17"),  # a part
    ], ["울산"], [], cite_counter())
    assert cell.differ and [p.text for p in cell.parts] == ["193만㎡", "192만㎡"]


def test_the_whole_is_the_figure_most_sources_give_not_the_best_placed_sources_part():
    area = next(a for a in attributes("city") if a.ko == "면적")
    cell = value_cell(area, [
        sent("대구 특구의 새 산업 공간은 약 14만㎡의 옛 도청 터에 모인다.", doc="a"),  # best placed, a part
        sent("대구 특구는 약 98만㎡이다.", doc="b"),
        sent("대구 도심융합특구 면적 980,000㎡", doc="c"),
    ], ["대구"], [], cite_counter())
    assert [p.text for p in cell.parts] == ["98만㎡"]


def test_a_chronology_item_shows_the_event_without_its_row_headers_or_lead_in():
    from assistant.briefing_timeline import event_text

    assert event_text("날짜: 2024년 11월 7일 · 내용: 국토교통부, 특구 지정 및 기본계획 승인") == "국토교통부, 특구 지정 및 기본계획 승인"
    assert event_text("보도된 진행 상황은 다음과 같다. 2024년 9월: 도시공사가 1단계 조성 공사 업체를 확정.") == \
        "도시공사가 1단계 조성 공사 업체를 확정."
    plain = "2024년 11월 7일 국토교통부는 5개 광역시의 특구 지정과 기본계획을 승인하였다."
    assert event_text(plain) == plain
    assert event_text("구분: 선정 · 대구: 2020년 · 광주: 2020년") == "구분: 선정 · 대구: 2020년 · 광주: 2020년"


def test_a_table_row_gives_the_key_facts_cell_its_value_and_cites_the_row():
    from assistant.briefing import _cells_for
    from assistant.briefing_table import attributes
    from assistant.briefing_timeline import Sentence
    from assistant.types import Hit

    hit = Hit(chunk_id="c", doc_id="d.md", title="t", page=None, section="", text="", score=1.0)
    row = {a.ko: a for a in attributes("city")}

    def cut(text: str, attr: str, own: bool = False) -> str | None:
        s = _cells_for(Sentence(text, hit, 0.0), row[attr], ["대구"], own)
        return None if s is None else (s.text, s.quote)

    comparison = "구분: 위치 · 대구: 기존 도심 (동대구역 인근) · 광주: 상무지구 서편"
    assert cut(comparison, "위치") == ("기존 도심 (동대구역 인근)", comparison)
    assert cut("도시: 대구 · 중점 산업·기능: UAM·로봇물류, · 기간: 2035년", "중점 산업")[0] == "UAM·로봇물류"
    assert cut("항목: 산업 방향 · 내용: ICT 중심 미래 산업 생태계", "중점 산업") is None  # not its own document
    assert cut("항목: 산업 방향 · 내용: ICT 중심 미래 산업 생태계", "중점 산업", own=True)[0] == "ICT 중심 미래 산업 생태계"


def test_a_glossary_row_is_not_an_event_of_the_chronology():
    row = Sentence("부산도시공사 · Busan Urban Corporation · 2024년 11월 7일 부산 특구 시행자로 지정된 공사",
                   Hit(doc_id="g", title="용어집", page=1, section="", text="…", score=1.0, lang="ko",
                       date="2026-09-08", doc_type="glossary"), 1.0)
    report = sent("2024년 11월 7일 국토교통부는 부산 특구를 지정하였다.")
    assert [d.sentence for d in chronology([row, report], BUSAN)] == [report]


def test_a_bullet_reads_alone_and_drops_a_joining_word():
    from assistant.briefing_timeline import bullet_text, reads_alone

    assert not reads_alone("이 가운데 마지막 과제는 당시 법적 근거가 없었다는 점과 맞물려 있었다.")
    assert not reads_alone("부산시가 풀어야 할 과제는 다음과 같이 정리할 수 있다.")
    assert reads_alone("총사업비의 4조 원대와 2조 원대 불일치는 해소되지 않았다.")
    assert bullet_text("또 2단계 구간은 보상이 끝나는 대로 착공할 예정이다.") == "2단계 구간은 보상이 끝나는 대로 착공할 예정이다."
    assert bullet_text("Also, the second phase follows.") == "The second phase follows."


def test_a_cell_value_in_the_other_language_is_given_in_the_briefings_through_the_glossary():
    from assistant.briefing_table import in_language

    pairs = [("부산도시공사", "Busan Urban Corporation"), ("울산도시공사", "Ulsan Urban Corporation")]
    cell = Cell((Part("Busan Urban Corporation", 6),))
    assert in_language(cell, pairs, "ko").shown("ko") == "부산도시공사 (Busan Urban Corporation) [6]"
    assert in_language(Cell((Part("울산도시공사", 2),)), pairs, "en").shown("en") == "Ulsan Urban Corporation (울산도시공사) [2]"
    assert in_language(Cell((Part("191만㎡", 1),)), pairs, "ko").shown("ko") == "191만㎡ [1]"
