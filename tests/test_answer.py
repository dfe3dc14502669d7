import re

from assistant.answer import DECLINE, ComposeSettings, Evidence, analyse
from assistant.answer import candidates as _candidates
from assistant.answer import compose as _compose
from assistant.types import Chunk

_SETTINGS = ("max_sentences", "abstain_below", "min_lexical", "min_dense", "model", "follow_within")


def _evidence(question, query, passages, scores, idf, terms, embed=None, **given):
    fields = {k: tuple(v) for k, v in given.items() if k not in _SETTINGS}
    return Evidence(question=question, query=query, passages=tuple(passages), passage_scores=tuple(scores), idf=idf,
                    query_terms=tuple(terms), embed=embed, **fields)


def compose(*args, **kw):
    """The pipeline's last stages on hand-made evidence: passages as if retrieved, in this order."""
    cfg = ComposeSettings(**{k: v for k, v in kw.items() if k in _SETTINGS})
    return _compose(_evidence(*args, **kw), cfg)


def candidates(*args, **kw):
    ev = _evidence(*args, **kw)
    return _candidates(ev, analyse(ev))


def chunk(i, text, title="문서", section="1. 개요"):
    return Chunk(chunk_id=f"d{i}#0", doc_id=f"d{i}.md", title=title, text=text, section=section, page=i, start=0,
                 end=len(text), doc_type="plan", lang="ko", date="2024-11-07")


def idf(term):
    return 1.0


def test_answer_sentence_first_and_citations_match_markers():
    from assistant.text import tokenize

    passages = [
        chunk(1, "광주 특구는 상무지구에 있다. 광주는 인공지능 산업을 키운다."),
        chunk(2, "대구 특구는 세 거점으로 이루어진다. 대구 특구의 총사업비는 7,872억 원이다."),
    ]
    q = "대구 특구의 총사업비는 얼마인가요?"
    ans = compose(q, q, passages, [0.9, 0.8], idf, tokenize(q), embed=None, abstain_below=0.2)
    assert not ans.abstained
    assert ans.text.startswith("대구 특구의 총사업비는 7,872억 원이다. [1]")
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", ans.text)}
    assert markers == {c.n for c in ans.citations}
    first = ans.citations[0]
    assert first.doc_id == "d2.md" and first.page == 2 and "7,872억" in first.text and "7,872억" in first.sentence


def test_weak_evidence_declines_and_shows_closest_passages():
    from assistant.text import tokenize

    passages = [chunk(1, "광주 특구는 상무지구에 있다."), chunk(2, "부산 특구는 센텀2지구에 있다.")]
    q = "서울의 인구 밀도는 얼마인가요?"
    ans = compose(q, q, passages, [0.5, 0.4], idf, tokenize(q), embed=None)
    assert ans.abstained and ans.text == DECLINE["ko"]
    assert [c.doc_id for c in ans.citations] == ["d1.md", "d2.md"]


def test_english_decline_message():
    from assistant.text import tokenize

    q = "What is the population density of Seoul?"
    ans = compose(q, q, [chunk(1, "Busan's zone is in Centum 2.")], [0.5], idf, tokenize(q), embed=None)
    assert ans.abstained and ans.text == DECLINE["en"]


def test_table_rows_answer_with_column_names():
    from assistant.text import tokenize

    table = "| 도시 | 면적 | 총사업비 |\n|---|---|---|\n| 대구 | 98만㎡ | 7,872억 원 |\n| 광주 | 83만㎡ | 5,000억 원 |"
    q = "대구 총사업비는 얼마인가요?"
    ans = compose(q, q, [chunk(1, table)], [0.9], idf, tokenize(q), embed=None, abstain_below=0.2)
    assert "총사업비: 7,872억 원" in ans.text and not ans.abstained


def test_answer_model_learns_and_loads(tmp_path):
    import json

    from assistant.answer.features import FEATURES, candidate_features
    from assistant.answer.scorer import AnswerModel, fit_logistic

    f_good = candidate_features(0.9, 0.6, 0, 8, 1.0, 3.0, 3.0, False, "총사업비는 7,872억 원이다.")
    f_bad = candidate_features(0.1, 0.2, 7, 8, 0.0, 0.0, 3.0, False, "관련 없는 문장이다.")
    assert len(f_good) == len(FEATURES) and all(-1e-9 <= v <= 2.0 for v in f_good + f_bad)
    w, b = fit_logistic([f_good, f_bad] * 20, [1, 0] * 20, steps=500)
    model = AnswerModel(tuple(w), b, 0.5)
    assert model.score(f_good) > 0.5 > model.score(f_bad)
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"features": list(FEATURES), "weights": w, "bias": b, "threshold": 0.4}))
    assert AnswerModel.load(path).threshold == 0.4
    path.write_text(json.dumps({"features": ["other"], "weights": [1.0], "bias": 0, "threshold": 0.4}))
    assert AnswerModel.load(path) is None  # a model for other features is refused, not misread


def test_statute_answer_names_its_article_and_list_items_keep_their_lead():
    from assistant.answer.compose import article_of
    from assistant.answer.sentences import with_list_leads as _with_list_leads

    assert article_of("특별법 > 제5장 보칙 > 제45조 (벌칙)") == "제45조(벌칙)"
    assert article_of("제35조의2(특례)") == "제35조의2(특례)"
    assert article_of("개요 > 지정 현황") is None
    lead = "다음 각 호의 어느 하나에 해당하는 자는 2년 이하의 징역에 처한다."
    shown = [lead, "거짓으로 허가를 받은 자", "허가 없이 건축한 자", "다른 문장."]
    raws = [lead, "  1. 거짓으로 허가를 받은 자", "  2. 허가 없이 건축한 자", "다른 문장."]
    out = _with_list_leads(shown, raws)
    assert out[1].startswith(lead) and out[2].startswith(lead) and out[3] == "다른 문장."


def en_chunk(i, text, section="1. Overview"):
    return Chunk(chunk_id=f"e{i}#0", doc_id=f"e{i}.md", title="Doc", text=text, section=section, page=None, start=0,
                 end=len(text), doc_type="plan", lang="en", date="2024-11-07")


def test_translated_words_let_an_english_sentence_answer_a_korean_question():
    """A fact written only in English answers the Korean question through the lexicon (일자리 -> jobs), and joins
    the Korean sentence that matches best."""
    from assistant.query import word_translations
    from assistant.text import tokenize

    q = "울산은 일자리가 몇 개 생길 것으로 예상했나요?"
    translations = [(t, tuple(tuple(tokenize(r)) for r in rs)) for t, rs in word_translations(tokenize(q))]
    assert any(t == "일자리" for t, _ in translations)
    passages = [chunk(1, "울산 특구는 수소 산업을 키운다. 울산은 2022년에 선정되었다."),
                en_chunk(2, "Ulsan said it expected about 26,000 jobs on completion.")]
    ans = compose(q, q, passages, [0.9, 0.5], idf, tokenize(q), embed=None, abstain_below=0.2, min_lexical=0.2,
                  translations=translations)
    assert "26,000 jobs" in ans.text
    without = compose(q, q, passages, [0.9, 0.5], idf, tokenize(q), embed=None, abstain_below=0.2, min_lexical=0.2)
    assert "26,000 jobs" not in without.text


def test_english_evidence_for_a_korean_question_keeps_its_figures():
    """When the best evidence is English, its next sentence holding the kind asked follows it, though a Korean
    sentence with the same total leads."""
    from assistant.query import word_translations
    from assistant.text import tokenize

    q = "부산 특구 사업비 가운데 2026년에 투입할 금액은 얼마인가요?"
    translations = [(t, tuple(tuple(tokenize(r)) for r in rs)) for t, rs in word_translations(tokenize(q))]
    passages = [en_chunk(1, "Busan's project cost is 2조411억 원 in the 2026 reports. "
                            "A report gave 6,313억 원 of the project cost planned for 2026."),
                chunk(2, "부산 사업비는 2조411억 원이다.")]
    ans = compose(q, q, passages, [0.9, 0.5], idf, tokenize(q), embed=None, abstain_below=0.2, min_lexical=0.2,
                  translations=translations, other_language_terms=["busan", "2026"])
    assert ans.text.startswith("부산 사업비는") and "6,313억" in ans.text


def test_english_evidence_for_a_korean_yes_no_question_keeps_its_answer():
    """A yes/no question asks for no kind of thing: when the best English sentence only touches the topic, the next
    English sentence, which answers, follows it."""
    from assistant.query import word_translations
    from assistant.text import tokenize

    q = "외국계 기업을 특별법이 국내 기업과 다르게 대우하는 규정이 있나요?"
    translations = [(t, tuple(tuple(tokenize(r)) for r in rs)) for t, rs in word_translations(tokenize(q))]
    passages = [en_chunk(1, "Rules for firms are cited by article of the Special Act. "
                            "The Act does not treat foreign-owned firms differently from Korean-owned ones.")]
    ans = compose(q, q, passages, [0.9], idf, tokenize(q), embed=None, abstain_below=0.1, min_lexical=0.1,
                  translations=translations)
    assert ans.text.startswith("Rules for firms") and "does not treat foreign-owned firms" in ans.text


def test_the_same_figure_in_the_question_language_leads():
    from assistant.answer.candidates import Candidate
    from assistant.answer.select import other_language_second as _other_language_second
    from assistant.answer.select import prefer_question_language as _prefer_question_language

    en = Candidate(passage=0, text="The council may have up to 20 members.", terms=set(), score=0.6)
    ko = Candidate(passage=1, text="사업협의체는 20명 이내로 구성한다.", terms=set(), score=0.5)
    other = Candidate(passage=2, text="2024년에 지정되었다.", terms=set(), score=0.55)
    assert _prefer_question_language([en, other, ko], "ko")[0] is ko
    # only a shared figure counts, and a year is not one
    assert _prefer_question_language([en, other], "ko")[0] is en
    assert _other_language_second([ko, en], [ko], "ko") == [en]
    assert _other_language_second([ko, en], [ko, en], "ko") == []
    weak = Candidate(passage=0, text="Unrelated English sentence.", terms=set(), score=0.1)
    assert _other_language_second([ko, weak], [ko], "ko") == []


def test_followup_is_judged_on_its_own_words_too():
    """The words a follow-up carries from the earlier turn dilute its coverage; its own words decide."""
    from assistant.text import tokenize

    q = "How much did it cost to build?"
    carried = tokenize("Tell me about the Cortex MetroLink station in St. Louis and its opening")
    passages = [en_chunk(1, "The station project cost $15 million, mostly federal money.")]
    ans = compose(q, q, passages, [0.9], idf, tokenize(q), embed=None, carried_terms=carried)
    assert not ans.abstained and "$15 million" in ans.text


def test_rate_words_ask_for_a_percentage():
    from assistant.answer.kinds import question_kinds as question_types

    assert "percent" in question_types("2019년 실제 채용률은 얼마나 나왔어요?")
    assert "percent" in question_types("중소기업 가산율은?")
    assert "percent" not in question_types("특별법의 법률 번호는?")


def test_question_types_name_what_is_asked():
    from assistant.answer.kinds import question_kinds as question_types, type_match

    assert question_types("Which statutory body must deliberate on the plan?") == []  # "rate" is not in "deliberate"
    assert question_types("면제받으려면 어떤 조건을 갖춰야 하나요?") == []  # 조건 is not 조(article)
    assert question_types("감면 기간 중에 추징될 수도 있나요?") == []
    assert question_types("관리청은 며칠 안에 의견을 내야 하나요?") == ["duration"]
    assert question_types("확보한 땅은 얼마나 되나요?") == ["quantity"]
    assert "quantity" not in question_types("대구 총사업비는 얼마인가요?")
    assert type_match(["amount"], "2년 이하의 징역 또는 2천만 원 이하의 벌금") == 1.0
    assert type_match(["quantity"], "전환 토지의 약 10%(145,000㎡)") == 1.0
    assert type_match(["duration"], "관리청은 20일 안에 의견을 내야 한다") == 1.0


def test_question_types_read_words_as_the_question_uses_them():
    from assistant.answer.kinds import question_kinds as question_types, type_match

    # "station-area" names a place; "budgets" asks for money
    assert question_types("Ulsan MBC gave two budgets for the KTX station-area district. What were they?") == ["amount"]
    # "when" inside the question is a conjunction: this asks for a place
    assert question_types("Where was the ceremony held when the committee was launched?") == []
    assert question_types("When did it open?") == ["date"]
    # "규모 / how large" asks for an area, money or a number of units, never for a date
    assert question_types("How large a fund did Shinhan provide?") == ["size"]
    assert question_types("인천 펀드 규모는 얼마인가요?") == ["size"]
    assert type_match(["size"], "a fund of 500억 won") == 1.0 and type_match(["size"], "1단계 110,734㎡") == 1.0
    assert type_match(["size"], "2020년 9월 23일 발표되었다") == -1.0
    # a "when" clause before the main question is a conjunction too
    assert question_types("When Daejeon was selected in 2021, how long did the mayor say it would take?") == ["duration"]
    # "누가 / who" asks for a person, an office or a body
    assert question_types("어떤 심의를 거쳐 누가 지정하나요?") == ["who"]
    assert type_match(["who"], "국가균형발전위원회 심의를 거쳐 산업부 장관이 지정한다") == 1.0
    assert type_match(["who"], "Sam Fiorello took over in 2020") == 1.0
    assert type_match(["who"], "시·도가 육성계획을 세우고 지정을 신청한다") == -1.0
    assert question_types("창업팀은 마지막으로 어디에서 선정되나요?") == ["who"]  # which body decides
    assert question_types("착공식은 어디에서 열렸나요?") == []  # a place
    # "몇 차" asks for an ordinal ("제27차"); "몇 차례" counts times
    assert question_types("조성방안은 몇 차 본회의에 보고됐나요?") == ["ordinal"]
    assert "ordinal" not in question_types("위원회는 몇 차례 열렸나요?")
    assert type_match(["ordinal"], "제27차 국가균형발전위원회 본회의에 보고되었다") == 1.0
    assert type_match(["ordinal"], "옛 국가균형발전위원회에 보고된 조성방안") == -1.0
    # "언제까지 / by when" asks for a date given as an end
    assert question_types("사업은 언제까지 진행되나요?") == ["date", "deadline"]
    assert question_types("By when is the study scheduled to end?") == ["deadline", "date"]
    assert type_match(["date", "deadline"], "사업 기한 2035년") == 1.0
    assert type_match(["date", "deadline"], "2035년까지 7,872억 원이 투입된다") == 1.0
    assert type_match(["date", "deadline"], "2020년 12월 22일 선정되었다") == 0.5
    # a period is not the year or the day of a date, nor "a century ago"
    assert type_match(["duration"], "사업을 구체화하는 데 1년 정도가 걸릴 것") == 1.0
    for dated in ("2021년 상반기 중 재심의를 받을 예정", "2021년 3월 10일 브리핑", "약 100년 전 대전의 중심"):
        assert type_match(["duration"], dated) == -1.0, dated


def test_printed_form_fields_answer_by_their_label():
    """HWP forms print "m 사업금액 : …", "(71) 출원인" with its value on the next line, "일 시 2024년5월7일": the field
    whose label the question names (or whose label holds the kind asked) answers, read with its page."""
    from assistant.answer.kinds import field_match
    from assistant.text import tokenize

    assert field_match("사업금액은 얼마인가요?", "m 사업금액 : 1,062,888천원(국비 / VAT포함)", ["amount"]) == 1.0
    assert field_match("회의는 언제 열렸나요?", "일 시 2024년5월7일(화)", ["date"]) == 1.0
    assert field_match("사업협의체는 몇 명인가요?", "사업협의체: 20명 이내로 구성한다", ["count"]) == 0.0  # prose
    assert field_match("면적은?", "도시: 대구 · 면적: 98만㎡", ["area"]) == 0.0  # a table row
    page = ("(21) 출원번호 10-2021-0175798\n(71) 출원인\n주식회사 한글과컴퓨터\n"
            "(54) 발명의 명칭 전자 문서의 개인 정보를 식별하는 전자 단말 장치")
    q = "전자 문서의 개인 정보를 식별하는 전자 단말 장치 특허의 출원인은 어디인가요?"
    ans = compose(q, q, [chunk(1, page)], [0.9], idf, tokenize(q), embed=None)
    assert ans.text.startswith("(71) 출원인 주식회사 한글과컴퓨터")


def test_a_sentence_saying_the_asked_thing_is_not_stated_declines_with_it_cited():
    """A "not stated" sentence near the top that covers the question declines it, citing that sentence; a "not
    stated" remark about something else, riding on the answering sentence, does not."""
    from assistant.answer import NOT_STATED_LEAD
    from assistant.text import tokenize

    passages = [chunk(1, "대전 특구는 선화·대전역 일대에 있다. 대전 특구의 사업시행자는 사용한 자료에서 확인되지 않는다."),
                chunk(2, "국토교통부장관이 사업시행자를 지정한다.")]
    q = "대전 특구의 사업시행자는 어디인가요?"
    ans = compose(q, q, passages, [0.9, 0.8], idf, tokenize(q), embed=None, abstain_below=0.2)
    assert ans.abstained and ans.text.startswith(NOT_STATED_LEAD["ko"])
    assert "확인되지 않는다" in ans.text and ans.citations[0].doc_id == "d1.md"

    # the remark names the kind asked ("the amounts"); the rest of its sentence says of what
    q = "How much relocation subsidy did the ministry promise in the 2020 plan?"
    passages = [en_chunk(1, "Under the 2020 plan the ministry promised relocation subsidies, but the amounts are "
                            "not published in the sources used."),
                en_chunk(2, "A later subsidy raised the facility rate by 10 points, with a cap of 150억 won.")]
    ans = compose(q, q, passages, [0.9, 0.8], idf, tokenize(q), embed=None)
    assert ans.abstained and "not published" in ans.text

    q = "When did the Cabinet approve the enforcement decree?"
    passages = [en_chunk(1, "The Cabinet approved the enforcement decree on 16 April 2024 "
                            "(no official English title of the decree was found).")]
    ans = compose(q, q, passages, [0.9], idf, tokenize(q), embed=None)
    assert not ans.abstained and "16 April 2024" in ans.text


def test_an_answer_without_the_kind_asked_declines():
    """"몇 호 규모" answered only by sentences that hold no count is no answer: the figure is not in the documents."""
    from assistant.text import tokenize

    q = "경북대 쪽 청년 연구자 타운은 몇 호 규모로 계획되어 있나요?"
    passages = [chunk(1, "경북대 쪽에는 도시첨단산업단지와 청년 연구자 타운이 조성될 계획이다.")]
    ans = compose(q, q, passages, [0.9], idf, tokenize(q), embed=None)
    assert ans.abstained
    passages = [chunk(1, "경북대 쪽 청년 연구자 타운은 500호 규모로 조성될 계획이다.")]
    ans = compose(q, q, passages, [0.9], idf, tokenize(q), embed=None)
    assert not ans.abstained and "500호" in ans.text


def test_sentences_about_another_city_do_not_answer():
    """Asked about Daegu, a sentence about Busan's groundbreaking is no answer; one about Ulsan among Gwangju's
    keeps its place and leads."""
    from assistant.text import tokenize

    q = "대구 특구 착공식은 언제 열렸나요?"
    busan = chunk(1, "2026년 2월 25일 센텀2지구 착공식이 열렸다.", title="부산 도심융합특구 현황")
    ans = compose(q, q, [busan], [0.9], idf, tokenize(q), embed=None, abstain_below=0.1, min_lexical=0.2)
    assert ans.abstained
    q = "울산도시공사는 언제 실시계획 수립과 보상 절차에 들어가나요?"
    passages = [chunk(1, "광주도시공사는 2026년에 실시계획 수립과 보상 절차에 들어간다."),
                chunk(2, "울산도시공사는 2025년 하반기에 실시계획 수립과 보상에 착수할 계획이다.")]
    ans = compose(q, q, passages, [0.9, 0.8], idf, tokenize(q), embed=None, abstain_below=0.1, min_lexical=0.2)
    assert ans.text.startswith("울산도시공사는") and "광주" not in ans.text


def test_a_supported_sentence_scoring_nearly_as_well_leads_an_unsupported_best():
    from assistant.answer.candidates import Candidate
    from assistant.answer.decline import supported_first as _supported_first

    row = Candidate(passage=0, text="Daegu · 98만㎡ · robot logistics", terms=set(), lex=0.29, dense=0.29, score=0.34)
    gold = Candidate(passage=1, text="스마트로봇 물류: 한국로봇산업진흥원과 연계한다.", terms=set(), lex=0.42, dense=0.21,
                     score=0.315)
    far = Candidate(passage=2, text="...", terms=set(), lex=0.5, dense=0.2, score=0.2)
    assert _supported_first([row, gold], 0.3, 0.3)[0] is gold
    assert _supported_first([row, far], 0.3, 0.3)[0] is row  # too far below to lead
    assert _supported_first([gold, row], 0.3, 0.3)[0] is gold


def test_a_chained_question_gets_the_sentence_for_its_second_part():
    """The best sentence settles the first part ("the centre that moved in 2016" -> the complex); the sentence that
    covers most of what is left answers the rest, though it scores lower."""
    from assistant.answer.candidates import Candidate
    from assistant.answer.select import second_hop as _second_hop

    w = {"센터": 1.0, "옮기": 1.0, "2016": 1.0, "거점": 1.0, "역할": 1.0}
    first = Candidate(passage=0, text="센터는 2016년 그 단지로 옮겼다.", terms={"센터", "2016", "옮기"}, score=0.6)
    second = Candidate(passage=1, text="그 단지는 창업·문화 거점 역할을 맡는다.", terms={"거점", "역할"}, score=0.35)
    other = Candidate(passage=2, text="센터는 2014년에 문을 열었다.", terms={"센터"}, score=0.5)
    assert _second_hop([first, other, second], [first], w) is second
    # nothing left to answer, or the rest only weakly covered: no second sentence
    assert _second_hop([first, other, second], [first, second], w) is None
    weak = Candidate(passage=1, text="거점이 있다.", terms={"거점"}, score=0.35)
    assert _second_hop([first, weak], [first], {**w, "맡": 1.0, "단지": 1.0}) is None


def test_the_second_fact_names_what_the_first_fact_named():
    """"The pilot site chosen at the 38th plenary held its groundbreaking on what date?": the first fact names Busan;
    of two sentences covering the rest about as well, the one about Busan's groundbreaking is the second fact."""
    from assistant.answer.candidates import Candidate
    from assistant.answer.select import bridge_terms as _bridge_terms, second_hop as _second_hop
    from assistant.text import tokenize

    q = "The pilot site chosen at the 38th plenary held its groundbreaking ceremony on what date?"
    w = {t: 1.0 for t in tokenize(q)}
    first = Candidate(passage=0, text="Forum: 38th plenary · Result: Busan Centum2 complex", score=0.6,
                      terms=set(tokenize("Forum: 38th plenary · Result: Busan Centum2 complex date")))
    other = Candidate(passage=1, text="Pilot sites were chosen by 2022.", score=0.5,
                      terms=set(tokenize("Pilot sites were chosen by 2022.")))
    linked = Candidate(passage=2, text="On 25 February 2026 the Busan groundbreaking ceremony was held.", score=0.45,
                       terms=set(tokenize("On 25 February 2026 the Busan groundbreaking ceremony was held.")))
    bridge = _bridge_terms(first, q, w)
    assert set(tokenize("Busan")) <= bridge.keys()
    assert _second_hop([first, other, linked], [first], w, bridge) is linked
    assert _second_hop([first, other, linked], [first], w) is other  # without the bridge, the first of equals
    # a sentence naming only the bridge, none of the question's rest, is no second fact
    busan = Candidate(passage=3, text="Busan is a city.", terms=set(tokenize("Busan is a city")), score=0.5)
    assert _second_hop([first, busan], [first], w, bridge) is None


def test_an_english_count_is_a_number_and_the_plural_it_counts():
    from assistant.answer.kinds import question_kinds as question_types, type_match

    types = question_types("울산은 일자리가 얼마나 생길 것으로 예상했나요?")
    assert type_match(types, "Ulsan said it expected about 26,000 jobs on completion.") == 1.0
    assert type_match(["count"], "394 companies sent letters of intent.") == 1.0
    assert type_match(types, "The plan was announced in 2018 reports.") == -1.0


def test_a_count_question_is_half_answered_by_a_bare_figure():
    from assistant.answer.kinds import question_kinds as question_types, type_match

    types = question_types("특별법상 사업협의체 위원은 최대 몇 명까지 둘 수 있나요?")
    assert type_match(types, "시·도지사등은 20명 이내의 사업협의체를 둘 수 있다.") == 1.0
    assert type_match(types, "사업협의체 위원 정수 20 이내.") == 0.5
    assert type_match(types, "사업협의체가 출범했다.") == -1.0


def test_a_count_is_a_figure_with_its_unit_not_an_ordinal():
    from assistant.answer.kinds import type_match

    assert type_match(["count"], "발 의 자 : 이수진(비)ㆍ김성환ㆍ주철현의원(10인)") == 1.0
    assert type_match(["count"], "22@ 보조 주택은 약 3,000호였다.") == 1.0
    # A bill's number and a committee's term are ordinals: no count, and no bare figure either.
    assert type_match(["count"], "▣ 이수진 의원 대표 발의(의안 번호 제2125318호)") == -1.0
    assert type_match(["count"], "제3기 위원회가 출범했다.") == -1.0


def test_a_question_on_one_phase_is_not_answered_by_another():
    from assistant.answer.decline import phase_missing
    from assistant.text import tokenize

    assert phase_missing("부산 센텀2 특구 3단계 구간의 면적은?", ["1단계 구간은 2026년 착공했다.", "특구 면적은 191만㎡다."])
    # Either language, or an ordinal, names the phase; a question naming none is left alone.
    assert not phase_missing("퓨저노폴리스 1단계는 언제 문을 열었나요?", ["Fusionopolis Phase 1 opened in October 2008."])
    assert not phase_missing("What did Phase 2 add?", ["The second phase added two towers."])
    assert not phase_missing("특구 면적은?", ["1단계 구간 면적은 1만㎡"])
    q = "부산 센텀2 특구 3단계 구간의 면적은 몇 ㎡인가요?"
    passages = [chunk(1, "부산 센텀2 특구의 면적은 191만㎡다. 1단계 구간은 2026년 2월 착공했다.")]
    ans = compose(q, q, passages, [0.9], lambda t: 1.0, tokenize(q), embed=None)
    assert ans.abstained and ans.text == DECLINE["ko"]


def test_a_figure_asked_as_of_a_year_is_not_answered_by_another_years_figure():
    from assistant.answer.decline import year_missing

    assert year_missing("What national operating budget did the centres receive in 2023?",
                        ["National operating funds for the 17 centres were 436억 won in 2017."])
    assert year_missing("2023년 말 기준 10개 혁신도시의 전체 인구는 몇 명인가요?", ["인구 224,019명 · 기준 시점: 2020년 말"])
    assert not year_missing("2020년 말 기준 혁신도시 인구는?", ["인구 224,019명 · 기준 시점: 2020년 말"])
    assert not year_missing("대구 특구의 면적은?", ["98만㎡"])  # no year asked
    assert not year_missing("Which university was cited in 2020 as a partner?", ["In 2020 KNU was named."])


def test_an_item_of_a_list_of_what_the_sources_do_not_give_declines_with_it_cited():
    """A bare noun phrase under "이 문서가 확인하지 못한 것" says that thing is missing; an item that names what was
    found ("…만 확인했다") or its exceptions does not."""
    from assistant.answer import NOT_STATED_LEAD
    from assistant.answer.remarks import not_stated_clauses
    from assistant.text import tokenize

    gaps = "10. 이 문서가 확인하지 못한 것"
    passages = [chunk(1, "- 서울 용산 혁신지구의 착공·준공 여부와 현재 사업비.", section=gaps),
                chunk(2, "2019년 12월 서울 용산 등 네 곳이 혁신지구로 선정되었다.")]
    q = "서울 용산 혁신지구는 언제 준공되었나요?"
    ans = compose(q, q, passages, [0.9, 0.8], idf, tokenize(q), embed=None)
    assert ans.abstained and ans.text.startswith(NOT_STATED_LEAD["ko"]) and ans.citations[0].doc_id == "d1.md"

    assert not_stated_clauses("2011년 보도 수치(4,495만㎡, 10조 원)만 확인했다.", gaps) == []
    assert not_stated_clauses("신청 전 해당 지자체와 최신 고시를 확인해야 한다.", "9. 확인되지 않은 사항과 유의점") == []
    assert not_stated_clauses("Official statistics after 2010, other than the t-factor figures above.",
                              "8. What the sources do not give") == []
    assert not_stated_clauses("주요 시설은 다음과 같다.", "2. 개요") == []
    assert not_stated_clauses("판교 제2테크노밸리의 공식 개소 연도는 발표되지 않았다.", "2. 개요")


def test_a_bracketed_aside_belongs_to_its_clause_unless_it_is_the_remark():
    from assistant.answer.remarks import not_stated_clauses, split_remark

    assert not_stated_clauses("부산 총사업비는 두 수치(4조411억 원과 2조411억 원)가 병존하며 해소되지 않았다.") == [
        "부산 총사업비는 두 수치 4조411억 원과 2조411억 원 가 병존하며 해소되지 않았다."]
    # The remark in brackets is its own clause; the opening the sentence states is not said to be missing.
    assert not_stated_clauses("The centre opened in 2014 at KAIST (its present premises are not stated).") == [
        "its present premises are not stated"]
    # A Korean remark ends where its verb does; what follows is the next thing said (here a table row's cell).
    assert split_remark("문화예술허브 사용한 자료에 면적 없음 문화체육관광부가 별도로 추진") == (
        "문화예술허브 사용한 자료에 면적 없음", "문화체육관광부가 별도로 추진")
    assert split_remark("No figure was found for the Daejeon zone.") == ("No figure was found for the Daejeon zone.", "")
    # A table row's remark is about the row's first cell, not the other cells.
    row = "Ulsan · KTX station-area district (reported) · **Not published** in the sources used · Hydrogen"
    assert not_stated_clauses(row) == ["Ulsan · **Not published** in the sources used"]


def test_a_remark_followed_by_what_was_asked_is_no_decline():
    """"문화예술허브: 면적 없음 | 문체부가 별도로 추진" declines a question on its area, not one on who runs it."""
    from assistant.text import tokenize

    passages = [chunk(1, "문화예술허브 사용한 자료에 면적 없음 문화체육관광부가 별도로 추진")]
    for q, declined in (("문화예술허브의 면적은 얼마인가요?", True), ("문화예술허브는 누가 추진하나요?", False)):
        ans = compose(q, q, passages, [0.9], idf, tokenize(q), embed=None)
        assert ans.abstained == declined, (q, ans.text)


def test_a_gap_sentence_covering_the_question_more_fully_than_the_best_sentence_declines():
    """Lower in the ranking, a "not announced" sentence that covers more of the question than the best sentence
    does wins over it; one covering less does not."""
    from assistant.answer.candidates import Candidate
    from assistant.answer.decline import not_stated_remark as _not_stated

    best = Candidate(passage=0, text="대구 특구는 약 98만㎡ 규모다.", terms=set(), lex=0.4, score=0.6)
    mid = [Candidate(passage=1, text=f"문장 {i}", terms=set(), lex=0.3, score=0.5) for i in range(4)]
    gap = Candidate(passage=2, text="선정 당시에는 입주 기업 유치 목표가 발표되지 않았다.", terms=set(), lex=0.7,
                    score=0.4, not_stated=0.7)
    assert _not_stated([best, *mid, gap]) is gap
    assert _not_stated([best, *mid, Candidate(passage=2, text=gap.text, terms=set(), score=0.4,
                                              not_stated=0.42)]) is None
    assert _not_stated([best, *mid, Candidate(passage=2, text=gap.text, terms=set(), score=0.2,
                                              not_stated=0.7)]) is None


def test_a_remark_that_the_asked_figure_is_missing_is_not_the_wrong_kind_of_thing():
    """"울산 총사업비는 사용한 자료에 나오지 않는다" holds no amount, yet it answers "총사업비는 얼마?" as far as the
    sources go: it is not marked down for lacking one, so it can decline the question over a figure about
    something else; and such a remark is never a chained question's second fact."""
    from assistant.answer.candidates import Candidate
    from assistant.answer.select import second_hop as _second_hop
    from assistant.text import tokenize

    text = ("울산 KTX역세권 복합특화단지 개발사업의 사업비는 8,913억 원으로 보도되었다. "
            "울산 도심융합특구 총사업비는 사용한 자료에 나오지 않는다.")
    q = "울산 도심융합특구 총사업비는 얼마로 책정됐나요?"
    cands = {c.text: c for c in candidates(q, q, [chunk(1, text)], [0.9], idf, tokenize(q), embed=None)}
    gap = cands["울산 도심융합특구 총사업비는 사용한 자료에 나오지 않는다."]
    assert gap.not_stated > 0 and gap.tmatch == 0.0
    assert cands["울산 KTX역세권 복합특화단지 개발사업의 사업비는 8,913억 원으로 보도되었다."].tmatch == 1.0

    w = {"센터": 1.0, "거점": 1.0, "역할": 1.0}
    first = Candidate(passage=0, text="센터는 그 단지로 옮겼다.", terms={"센터"}, score=0.6)
    remark = Candidate(passage=1, text="그 단지의 거점 역할은 확인되지 않았다.", terms={"거점", "역할"}, score=0.5,
                       not_stated=0.6)
    assert _second_hop([first, remark], [first], w) is None


def test_a_definition_is_asked_only_of_the_subject_just_before_the_cue():
    """"울산 특구는 무엇인가요?" asks what the zone is; "울산 특구가 … 줄어든 이유는 무엇인가요?" asks for a reason,
    so a sentence opening "울산 특구는 …" is no definition there."""
    from assistant.answer.kinds import definition_match

    sentence = "울산 특구는 KTX역세권융합지구와 다운혁신융합지구로 이루어진다."
    assert definition_match("울산 특구는 무엇인가요?", sentence, ["울산 특구"]) == 1.0
    assert definition_match("울산 특구 두 번째 지구가 31만㎡에서 30만㎡로 줄어든 이유는 무엇인가요?", sentence,
                            ["울산 특구"]) == 0.0


def test_a_sentence_is_read_with_the_one_before_it():
    """"It opened on 17 October 2008" answers a question about the phase the sentence before it names; the
    predecessor's words count less than the sentence's own, and a table row does not inherit them."""
    from assistant.answer.features import coverage, group_coverage
    from assistant.text import tokenize

    text = ("Fusionopolis Phase 1 has two towers. It opened on 17 October 2008. "
            "Biopolis opened in 2003 after two years of building.")
    q = "On what date did Fusionopolis Phase 1 open?"
    cands = {c.text: c for c in candidates(q, q, [chunk(1, text, title="one-north", section="Phases")], [0.9], idf,
                                             tokenize(q), embed=None)}
    it = cands["It opened on 17 October 2008."]
    assert set(tokenize("Fusionopolis Phase 1")) <= it.near
    assert it.lex > cands["Biopolis opened in 2003 after two years of building."].lex
    w = {"a": 1.0, "b": 1.0}
    assert coverage(w, {"a"}, set(), {"b"}, 0.3) == 0.65 and coverage(w, {"a"}, {"b"}, {"b"}, 0.3) == 0.75
    # the same for a sentence in the other language, matched through translations: "Daejeon first announced it
    # on 6 March 2024" after the sentence naming the project
    groups = [(1.0, (frozenset({"a"}),)), (1.0, (frozenset({"b"}), frozenset({"c", "d"})))]
    assert group_coverage(groups, {"a"}, set(), {"c", "d"}, 0.3) == 0.65 and group_coverage(groups, {"a"}, set()) == 0.5
    table = "| 단계 | 개관 |\n|---|---|\n| 1단계 | 2008년 |\n| 2단계 | 2011년 |"
    rows = candidates("2단계 개관?", "2단계 개관?", [chunk(1, table)], [0.9], idf, tokenize("2단계 개관"), embed=None)
    assert all(not c.near for c in rows)


def test_a_passage_heading_printed_as_a_line_is_no_answer():
    from assistant.text import tokenize

    heading = "제26조 (도심융합특구진흥재단의 설립)"
    text = f"{heading}\n시ㆍ도지사는 도심융합특구진흥재단을 둘 수 있다."
    passages = [chunk(1, text, section=f"제4장 지원 > {heading}")]
    q = "도심융합특구진흥재단은 누가 설립할 수 있나요?"
    cands = candidates(q, q, passages, [1.0], idf, tokenize(q), embed=None)
    assert [c.text for c in cands] == ["시ㆍ도지사는 도심융합특구진흥재단을 둘 수 있다."]
    ans = compose(q, q, passages, [1.0], idf, tokenize(q), embed=None)
    assert "시ㆍ도지사는" in ans.text and heading not in ans.text


def test_asked_step_reads_the_place_in_a_sequence():
    from assistant.answer.steps import Step, asked_step

    assert asked_step("지방투자촉진보조금을 신청하기 전에 맨 먼저 무엇을 확인해야 하나요?") == Step("first")
    assert asked_step("What is the final step?") == Step("last")
    assert asked_step("What does the operator do right after investing in the start-up?") == \
        Step("after", ("invest", "start", "up", "start-up"))
    assert asked_step("운영사가 투자한 바로 다음에 무엇을 하나요?").words[0] == "투자"
    # Earliest of several things, a relocation (이전), a report dated right after an event: no step is asked.
    assert asked_step("창조경제혁신센터 가운데 가장 먼저 문을 연 곳은 언제 개소했나요?") is None
    assert asked_step("본사를 이전에 어떤 혜택이 있나요?") is None
    assert asked_step("특구 지정 직후인 2024년 11월 보도 기준으로 부산 특구 총사업비는 얼마였나요?") is None


def test_item_numbers_follow_one_numbered_list():
    from assistant.answer.sentences import item_numbers

    raws = ["절차는 다음과 같다.", "1. 제안한다.", "둘째 문장이다.", "2. 검토한다.", "5. 번호가 튄다.", "1. 새 목록이다."]
    assert item_numbers(raws) == [(0, 0), (1, 1), (0, 0), (1, 2), (0, 0), (2, 1)]


def test_the_step_asked_leads_the_answer():
    from assistant.text import tokenize

    text = ("The sequence set out in the plan was:\n\n1. the start-up proposes its business to an operator;\n"
            "2. the operator invests first;\n3. the operator recommends the start-up to the government;\n"
            "4. a committee makes the final selection.")
    passages = [chunk(1, text, title="TIPS", section="2. Selection")]
    for q, want in [("In the plan's sequence, what does the operator do right after investing in the start-up?",
                     "recommends the start-up"),
                    ("In the plan's sequence, what does the start-up do first?", "proposes its business"),
                    ("In the plan's sequence, what is the final step?", "committee makes the final selection")]:
        ans = compose(q, q, passages, [0.9], idf, tokenize(q), embed=None, abstain_below=0.1, min_lexical=0.1)
        assert want in ans.text.split(" [1]")[0], (q, ans.text)


def test_who_is_not_the_body_the_question_names():
    from assistant.answer.kinds import type_match

    q = "부산 특구 1단계에 들어가는 진흥재단은 특별법상 누가 설립할 수 있나요?"
    assert type_match(["who"], "부산 특구의 1단계 계획에 '도심융합특구 진흥재단'이 들어 있다.", q) == -1.0
    assert type_match(["who"], "특구를 관할하는 시·도지사는 진흥재단을 둘 수 있다.", q) == 1.0
    assert type_match(["who"], "Who chairs it? The Committee does.", "Who chairs the committee?") == -1.0
    assert type_match(["who"], "The Minister chairs it.", "Who chairs the committee?") == 1.0


def test_which_law_asks_for_a_law_other_than_the_one_named():
    from assistant.answer.kinds import question_kinds as question_types, type_match

    q = "부산 특구가 지정 전에 심의를 통과한 위원회는 어떤 법률에 근거해 설치된 기구인가요?"
    assert question_types(q) == ["law"] and question_types("Under which Act was it set up?") == ["law"]
    assert question_types("어떤 법인이 신청할 수 있나요?") == []  # a corporation (법인), not a law
    assert type_match(["law"], "심의 기구는 「기업도시개발 특별법」 제39조에 따른 도시개발위원회이다.", q) == 1.0
    assert type_match(["law"], "부산은 2024년 10월 도시개발위원회 심의를 통과했다.", q) == -1.0
    renamed = "「지방자치분권 및 지역균형발전에 관한 특별법」은 어떤 법률로 이름이 바뀌었나요?"
    assert type_match(["law"], "「지방자치분권 및 지역균형발전에 관한 특별법」이 그 근거다.", renamed) == -1.0


def test_an_article_number_is_not_an_amount():
    from assistant.answer.kinds import type_match

    assert type_match(["amount"], "사업시행자를 지정하는 구조(제14조)이며, 진흥재단(제 26조)을 둘 수 있다.") == -1.0
    assert type_match(["amount"], "총사업비 7,872억 원, 사업 기한 2035년.") == 1.0
    assert type_match(["amount"], "총사업비는 1조5,790억이다.") == 1.0


def test_a_premise_brings_its_own_fact_into_the_answer():
    from assistant.answer.select import premise_fact as _premise_fact
    from assistant.text import tokenize

    passages = [chunk(1, "평가 기준일: 우선 처분하는 재산은 특구 지정일을 기준으로 평가한다. 제35조는 2025년 10월 1일 개정되었다."),
                chunk(2, "국토교통부는 2024년 11월 7일 대구 특구를 지정했다. 광주는 2020년 12월 22일 선정되었다.",
                      title="대구 특구")]
    q = "대구 특구 지정일을 기준으로 하면, 재산을 우선 처분할 때 평가 기준일은 언제가 되나요?"
    cands = candidates(q, q, passages, [0.9, 0.2], idf, tokenize(q), embed=None)
    fact = _premise_fact(cands, [cands[0]], tokenize("대구 특구 지정일"), passages, idf)
    assert fact is not None and fact.text.startswith("국토교통부는 2024년 11월 7일")
    assert _premise_fact(cands, [cands[0]], tokenize("부산 착공일"), passages, idf) is None
    ans = compose(q, q, passages, [0.9, 0.2], idf, tokenize(q), embed=None, abstain_below=0.1,
                  premise_terms=tokenize("대구 특구 지정일"))
    assert "2024년 11월 7일 대구 특구를 지정했다." in ans.text


def test_the_condition_that_limits_the_best_sentence_joins_it():
    from assistant.text import tokenize

    text = ("혁신도시 클러스터에 들어오는 기업에는 임차료의 최대 80%를 3년간 지원한다. 이 지원은 클러스터 용지에 입주하는 경우에만 "
            "해당한다. 혁신도시는 10곳이다. 광주는 상무지구에 있다.")
    q = "혁신도시 밖의 기업도 임차료 지원을 받을 수 있나요?"
    ans = compose(q, q, [chunk(1, text)], [0.9], idf, tokenize(q), embed=None, abstain_below=0.1, max_sentences=1)
    assert ans.text.startswith("혁신도시 클러스터에 들어오는 기업에는")
    assert "클러스터 용지에 입주하는 경우에만 해당한다" in ans.text
    # A table's next row is another item, not a condition on the row before it.
    table = "| 지원 | 내용 |\n|---|---|\n| 임차료 | 최대 80% 지원 |\n| 의제 | 심의를 거친 경우에만 인정 |"
    ans = compose("임차료 지원은?", "임차료 지원은?", [chunk(1, table)], [0.9], idf, tokenize("임차료 지원은?"), embed=None,
                  abstain_below=0.1, max_sentences=1)
    assert "경우에만" not in ans.text


def test_a_year_or_an_ordinal_is_not_a_count():
    from assistant.answer.kinds import type_match

    assert type_match(["count"], "제2기 2050 탄소중립위원회는 시민사회 비중이 줄었다.") == -1.0
    assert type_match(["count"], "여성 위원은 7명이었다.") == 1.0
    assert type_match(["count"], "위촉 위원 33") == 0.5  # a bare figure may still be one
    # The number of an exhibit is a label: "(참고 자료 1)" does not make the sentence hold a count.
    assert type_match(["count"], "여성의 비중이 감소했다는 지적이 있음(참고 자료 1).") == -1.0
    assert type_match(["count"], "표 3 참고") == -1.0
    assert type_match(["count"], "See Table 2 for the members.") == -1.0
    assert type_match(["count"], "대표 3 인") == 1.0


def test_a_compound_matches_its_parts_in_the_sentence():
    from assistant.answer.features import coverage
    from assistant.query import compound_aliases

    q = {"혁신도시": 1.0, "재단": 1.0}
    sentence = {"혁신", "도시", "발전", "지원", "센터", "재단"}
    assert coverage(q, sentence, set()) == 0.5
    assert coverage(q, sentence, set(), aliases=compound_aliases(list(q))) == 1.0


def test_older_years_decades_and_centuries_are_dates():
    from assistant.answer.kinds import type_match

    for sentence in ["The battle took place in 1066.", "Rollo founded it in 911.", "In the 1060s he fought the Turks.",
                     "Normans came in the 10th and 11th centuries."]:
        assert type_match(["date"], sentence) > 0, sentence
    assert type_match(["date"], "사업비는 100억 원이다.") == -1.0


def test_an_area_in_english_is_a_measure_only_when_asked_as_one():
    from assistant.answer.kinds import question_kinds as question_types

    assert "area" in question_types("What was Ulsan's total area when it was designated?")
    assert "area" in question_types("What is the area of the site?")
    assert "area" not in question_types("What area did the Normans conquer?")
    assert "area" not in question_types("Which innovation area in Cambridge did the group visit?")
    assert "area" in question_types("특구 면적은 얼마인가요?")


def test_a_contents_entry_shows_its_title_without_the_page_number():
    from assistant.answer.kinds import type_match
    from assistant.answer.sentences import clean_sentence

    # A contents page lists titles with dot leaders and page numbers; the page number is not a figure to answer with.
    entry = "2050 탄소 중립 위원회 민간 위촉 위원 구성 현황 ···································9"
    assert clean_sentence(entry) == "2050 탄소 중립 위원회 민간 위촉 위원 구성 현황"
    assert type_match(["count"], clean_sentence(entry)) == -1.0
    assert clean_sentence("광역 위원회 위원 구성 현황 ······························1 0") == "광역 위원회 위원 구성 현황"
    assert clean_sentence("Annex: member lists .......... 12") == "Annex: member lists"
    # The title is still what the entry says: an agenda item keeps its bill number.
    assert clean_sentence("기후 위기 대응을 위한 법률안(의안 번호 2125318) ·········8") == "기후 위기 대응을 위한 법률안(의안 번호 2125318)"
    assert clean_sentence("The figures were revised ... twice in 2021.") == "The figures were revised ... twice in 2021."


def test_a_statute_sentence_is_led_by_its_own_article_not_one_it_cites():
    """A sentence of 제35조 that cites "「국유재산법」 제35조제1항" is still led by its own article; one that opens
    with its article is not given it twice."""
    from assistant.text import tokenize

    law = ("이 경우 국가와 지방자치단체는 사용허가 및 대부의 기간을 「국유재산법」 제35조제1항에도 불구하고 50년 이내로 "
           "할 수 있다.")
    passages = [chunk(1, law, section="제4장 지원 > 제35조 (국유재산ㆍ공유재산의 처분 등)"),
                chunk(2, "제20조(토지등의 수용) 사업시행자는 토지를 수용할 수 있다.", section="제4장 지원 > 제20조 (토지등의 수용)")]
    q = "국유재산 사용허가 및 대부의 기간은 얼마인가요?"
    ans = compose(q, q, passages, [0.9, 0.8], idf, tokenize(q), embed=None)
    assert ans.text.startswith("제35조(국유재산ㆍ공유재산의 처분 등): 이 경우")
    q = "사업시행자는 토지를 수용할 수 있나요?"
    ans = compose(q, q, passages[1:], [0.9], idf, tokenize(q), embed=None)
    assert ans.text.startswith("제20조(토지등의 수용) 사업시행자는")


def test_a_passage_holding_the_kind_asked_is_read_from_a_little_further_down(tmp_path, settings_for):
    """The question asks when; the best passage holds no date. One passage from the next top_k that gives a date
    and covers the question joins the evidence; one about a place the question does not name does not."""
    from assistant import Assistant
    from conftest import FakeEmbedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "report.md").write_text(
        "---\ntitle: 검토보고서\nlang: ko\n---\n\n# 검토보고서\n\n## 1. 주요내용\n\n"
        "위원 후보 추천 단체를 명시하는 개정안은 위원 후보 추천 단체 명시로 위원 후보 추천 단체의 대표성을 높이며, "
        "위원회에 회부되어 심사된다.\n\n"
        "## 2. 제안경위\n\n위원 후보 추천 단체 명시 개정안은 2023년 11월 10일 회부되었음.\n",
        encoding="utf-8")
    settings = settings_for(corpus, top_k=1)
    emb = {"use-m3": FakeEmbedder()}
    bot = Assistant.from_index(settings.index_dir, settings=settings, progress=False, embedders=emb)
    q = "위원 후보 추천 단체를 명시하는 개정안은 언제 회부되었나요?"
    from dataclasses import replace

    from assistant.answer.plan import kind_step

    planner = bot._planner(bot.retriever, None)
    evidence = bot.evidence(q)
    first = [p.section for p in evidence.passages][:1]
    assert first and "주요내용" in first[0]
    more = kind_step(planner, replace(evidence, passages=evidence.passages[:1],
                                      passage_scores=evidence.passage_scores[:1]), analyse(evidence))
    assert any("2023년 11월 10일" in p.text for p in more.passages[1:])
    # A question without a kind asked is left as it is.
    plain = bot.evidence("위원 후보 추천 단체를 명시하는 개정안의 취지")
    assert kind_step(planner, plain, analyse(plain)) is plain


def test_a_year_that_names_something_is_no_date():
    from assistant.answer.kinds import type_match

    # "2050 탄소중립위원회" is a committee's name; Korean writes a year as "2023년".
    assert type_match(["date"], "개정안은 2050 탄소 중립 녹색 성장 위원회 위원 위촉 시 대표성을 반영하려는 것임.") == -1.0
    assert type_match(["date"], "개정안은 2023년 11월 10일 위원회에 회부되었음.") == 1.0
    assert type_match(["date"], "The plan runs to 2050 and beyond.") == 0.5


def test_a_part_of_a_document_the_question_names_answers_it():
    """"부칙상 언제부터 시행": the 부칙's sentence of the kind asked leads, though the report's referral date covers
    the question's description of the bill better."""
    from assistant.text import tokenize

    report = chunk(1, "2023년 11월 9일 발의된 탄소중립 기본법 일부개정법률안은 2023년 11월 10일 위원회에 회부되었음.",
                   section="Ⅰ. 제안경위")
    # As the bill's PDF prints it: "제1 조", after the 부칙 heading.
    bill = chunk(2, "부칙\n제1 조(시행일) 이 법은 공포 후 6개월이 경과한 날부터 시행한다.", section="부칙 > 제1조 (시행일)")
    q = "위원 후보 추천 단체를 명시하는 탄소중립 기본법 일부개정법률안은 부칙상 언제부터 시행되나요?"
    ans = compose(q, q, [report, bill], [0.9, 0.8], idf, tokenize(q), embed=None)
    assert ans.text.startswith("제1 조(시행일) 이 법은 공포 후 6개월이 경과한 날부터 시행한다.")
    # Naming no part, the question is answered as before.
    q = "위원 후보 추천 단체를 명시하는 탄소중립 기본법 일부개정법률안은 언제 회부되었나요?"
    ans = compose(q, q, [report, bill], [0.9, 0.8], idf, tokenize(q), embed=None)
    assert ans.text.startswith("2023년 11월 9일")
