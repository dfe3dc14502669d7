"""Eligibility rules: each rule's cited passage is in the corpus and holds the rule's figure; verdicts per condition."""

import re
from pathlib import Path

import pytest

from assistant.eligibility import evaluate, programmes
from assistant.eligibility_read import detect_programme, extract_facts
from assistant.errors import InputError

from conftest import ROOT

IDS = ["urban_convergence_zone_designation", "hq_relocation_tax_relief", "factory_relocation_tax_relief",
       "opportunity_development_zone", "local_investment_subsidy", "tips"]


def test_all_programmes_present():
    assert set(IDS) <= set(programmes())


@pytest.mark.parametrize("pid", IDS)
def test_every_rule_cites_a_corpus_passage_holding_its_figure(pid):
    from assistant.ingest import SourceFile, load_file

    for c in programmes()[pid].conditions:
        path = ROOT / "corpus" / c.doc_id
        assert path.is_file(), c.id
        text = load_file(SourceFile(path, ROOT / "corpus", c.doc_id)).text
        assert "".join(c.quote.split()) in "".join(text.split()), c.id
        assert c.figure in c.quote, c.id


def statuses(pid, facts):
    r = evaluate(programmes()[pid], facts)
    return r.verdict, {c.id: c.status for c in r.conditions}, r.missing_facts


UCZ_OK = dict(capital_region="no", applicant="인구 50만 이상 대도시 시장", population="620000",
              plan_conforms_to_comprehensive_plan="yes", basic_plan_complete="yes", residents_consulted="yes")

CASES = [
    # (programme, facts, verdict, {condition: status} that must hold)
    ("urban_convergence_zone_designation", UCZ_OK, "eligible", {"ucz_city_population_500k": "met"}),
    ("urban_convergence_zone_designation", {**UCZ_OK, "population": "40만"}, "not_eligible",
     {"ucz_city_population_500k": "not_met", "ucz_outside_capital_region": "met"}),
    ("urban_convergence_zone_designation", {**UCZ_OK, "capital_region": "yes"}, "not_eligible",
     {"ucz_outside_capital_region": "not_met"}),
    ("urban_convergence_zone_designation", {"capital_region": "no", "population": "62만"}, "undetermined",
     {"ucz_outside_capital_region": "met", "ucz_city_population_500k": "met", "ucz_basic_plan_19_items": "unknown"}),
    ("urban_convergence_zone_designation", {**UCZ_OK, "applicant": "군수·자치구 구청장"}, "not_eligible",
     {"ucz_applicant_is_sido_head": "not_met"}),
    ("hq_relocation_tax_relief", dict(years_in_overcrowding_zone=5, capital_region="no", same_industry="yes",
                                      industry="그 밖의 업종", business_start_date="2027-03-01",
                                      prior_relief_within_10_years="no"), "eligible", {"hq_three_years_in_zone": "met"}),
    ("hq_relocation_tax_relief", dict(years_in_overcrowding_zone=2, capital_region="no"), "not_eligible",
     {"hq_three_years_in_zone": "not_met", "hq_moves_outside_capital_region": "met", "hq_same_industry": "unknown"}),
    ("hq_relocation_tax_relief", dict(years_in_overcrowding_zone=4, industry="부동산업"), "not_eligible",
     {"hq_not_excluded_industry": "not_met"}),
    ("hq_relocation_tax_relief", dict(years_in_overcrowding_zone=4, business_start_date="2029-01-02"), "not_eligible",
     {"hq_start_by_2028": "not_met"}),
    ("factory_relocation_tax_relief", dict(sme="yes", years_in_overcrowding_zone=2), "undetermined",
     {"factory_years_in_zone_sme": "met"}),
    ("factory_relocation_tax_relief", dict(sme="no", years_in_overcrowding_zone=2), "not_eligible",
     {"factory_years_in_zone": "not_met"}),
    ("factory_relocation_tax_relief", dict(sme="no", years_in_overcrowding_zone=3, whole_factory_relocated="no"),
     "not_eligible", {"factory_years_in_zone": "met", "factory_whole_plant_moved": "not_met"}),
    ("opportunity_development_zone", dict(in_odz="yes", new_investment="yes", decree_listed_industry="yes",
                                          business_start_date="2026-06-30"), "eligible", {"odz_site_inside_zone": "met"}),
    ("opportunity_development_zone", dict(in_odz="yes", new_investment="no"), "not_eligible",
     {"odz_new_establishment": "not_met", "odz_decree_industry": "unknown"}),
    ("local_investment_subsidy", dict(capital_region="no", applied_via_local_government="yes", subsidy_per_project=120),
     "eligible", {"lis_project_cap_150": "met"}),
    ("local_investment_subsidy", dict(capital_region="no", subsidy_per_project=200), "not_eligible",
     {"lis_project_cap_150": "not_met", "lis_apply_via_local_government": "unknown"}),
    ("tips", dict(operator_investment="yes", operator_recommendation="yes", years_since_founding=3, capital_region="no",
                  operator_investment_amount=1), "eligible", {"tips_min_operator_investment": "met"}),
    ("tips", dict(operator_investment="yes", operator_recommendation="yes", years_since_founding=3, capital_region="yes",
                  operator_investment_amount=1), "not_eligible", {"tips_min_operator_investment_capital": "not_met"}),
    ("tips", dict(years_since_founding=8), "not_eligible", {"tips_under_seven_years": "not_met"}),
]


@pytest.mark.parametrize("pid, facts, verdict, expected", CASES)
def test_verdicts_per_condition(pid, facts, verdict, expected):
    got_verdict, got, missing = statuses(pid, facts)
    assert got_verdict == verdict
    for cid, status in expected.items():
        assert got[cid] == status, cid
    if verdict == "undetermined":
        assert missing


def test_missing_facts_are_named_and_asked_for():
    r = evaluate(programmes()["hq_relocation_tax_relief"], {}, lang="ko")
    assert r.verdict == "undetermined" and "years_in_overcrowding_zone" in r.missing_facts
    assert r.questions and all(q.endswith("?") for q in r.questions)


def test_bad_facts_are_clear_errors():
    with pytest.raises(InputError, match="unknown fact"):
        evaluate(programmes()["tips"], {"shoe_size": 3})
    with pytest.raises(InputError, match="number"):
        evaluate(programmes()["tips"], {"years_since_founding": "many"})


def test_chat_question_is_recognised_and_its_facts_extracted():
    q = "인구 62만 명인 비수도권 도시도 도심융합특구 지정을 신청할 수 있나요?"
    p = detect_programme(q)
    assert p and p.id == "urban_convergence_zone_designation"
    assert extract_facts(q, p) == {"population": 620000, "capital_region": False}
    assert detect_programme("대구 도심융합특구의 총사업비는 얼마인가요?") is None
    hq = detect_programme("서울에서 5년 동안 본사를 운영한 회사가 지방으로 옮기면 세액감면을 받을 수 있나요?")
    assert hq and hq.id == "hq_relocation_tax_relief"


def test_a_rule_that_depends_on_an_unknown_fact_is_unknown_not_failed():
    verdict, got, missing = statuses("factory_relocation_tax_relief", dict(years_in_overcrowding_zone=2))
    assert verdict == "undetermined" and "sme" in missing
    assert got["factory_years_in_zone"] == "unknown" and "factory_years_in_zone_sme" not in got


def test_a_place_the_question_names_or_moves_to_gives_the_capital_region_fact():
    """Through the gazetteer: 화성시 lies in Gyeonggi (capital region) though the question never says so; for a
    relocation what counts is where the firm moves to, not where it comes from."""
    from assistant.eligibility import programmes
    from assistant.eligibility_read import extract_facts

    p = programmes()
    zone = p["urban_convergence_zone_designation"]
    assert extract_facts("화성시는 인구 90만인데 신청돼요?", zone) == {
        "population": 900000, "capital_region": True, "applicant": "인구 50만 이상 대도시 시장"}
    assert extract_facts("청주시도 특구 지정 신청할 수 있나요?", zone)["capital_region"] is False
    hq = p["hq_relocation_tax_relief"]
    assert extract_facts("서울에서 대구로 본사를 이전하면 감면 받나요?", hq)["capital_region"] is False
    assert extract_facts("We are moving our head office to Daegu from Seoul", hq)["capital_region"] is False
    factory = p["factory_relocation_tax_relief"]
    assert extract_facts("과밀억제권역에서 5년 있던 공장을 화성으로 옮기면?", factory)["capital_region"] is True
    # a place named only as where it comes from is no answer about the destination
    assert "capital_region" not in extract_facts("대구에 있는 본사를 옮기면 감면되나요?", hq)


def test_a_city_named_without_its_population_takes_the_gazetteers_and_says_so():
    """The population and who applies follow from the place the question makes its subject; a figure the asker
    states (in this turn or an earlier one) outranks the gazetteer's; a place named only as a site is not the
    applicant."""
    from assistant.eligibility_read import read_case, read_turns

    zone = programmes()["urban_convergence_zone_designation"]
    case = read_case("청주시도 도심융합특구 신청할 수 있나요?", zone)
    assert case.facts == {"capital_region": False, "population": 856152, "applicant": "인구 50만 이상 대도시 시장"}
    assert {k: p.label for k, p in case.sources.items()} == dict.fromkeys(case.facts, "충청북도 청주시")
    assert read_case("Can Gimhae apply for an urban convergence zone?", zone).facts["population"] == 533035
    small = read_case("경주시도 도심융합특구 지정 신청 가능한가요?", zone).facts
    assert small["applicant"] == "기타" and small["population"] < 500_000
    assert read_case("달성군도 도심융합특구 신청돼요?", zone).facts["applicant"] == "군수·자치구 구청장"
    assert read_case("부산시가 해운대구에 도심융합특구 신청하면 돼요?", zone).facts["applicant"] == "광역시장"
    stated = read_case("청주시는 인구 85만인데 신청돼요?", zone)
    assert stated.facts["population"] == 850000 and "population" not in stated.sources
    turns = read_turns(["저희 시 인구가 53만이에요. 특구 신청 되나요?", "김해시예요"], zone)
    assert turns.facts["population"] == 530000 and "population" not in turns.sources
    verdict, got, _ = statuses("urban_convergence_zone_designation", read_case("화성시는 신청돼요?", zone).facts)
    assert verdict == "not_eligible" and got["ucz_outside_capital_region"] == "not_met"


def test_an_eligibility_answer_opens_with_the_verdict_and_the_condition_that_decides_it():
    from assistant.bot import eligibility_to_answer, merge_answers
    from assistant.eligibility import check
    from assistant.types import Answer, Citation

    result = check("urban_convergence_zone_designation", {"capital_region": "yes", "population": "900000"}, lang="ko")
    ans = eligibility_to_answer("화성시는 인구 90만인데 신청돼요?", result, "ko")
    lines = ans.text.split("\n")
    assert lines[0].endswith("충족하지 못하는 조건이 있습니다.")
    assert lines[1].startswith("- 미충족 — ") and "수도권" in lines[1] and "(질문에서: 예)" in lines[1]
    assert any("(질문에서: 900,000)" in line for line in lines)
    direct = Answer(question="q", text="특구는 수도권 밖에서만 지정받을 수 있다. [1]", abstained=False,
                    citations=(Citation(n=1, doc_id="d.md", title="", page=None, section="", text="t", score=1.0),))
    merged = merge_answers(direct, ans)
    assert merged.text.startswith(lines[0]) and merged.text.endswith(f"[{len(ans.citations) + 1}]")
    assert [c.n for c in merged.citations] == list(range(1, len(merged.citations) + 1))


def test_facts_stated_in_colloquial_korean_are_read_from_the_question():
    """The rules file says how each fact is stated (readers); a date fact takes the question's one full date."""
    from assistant.eligibility import programmes
    from assistant.eligibility_read import detect_programme, extract_facts

    p = programmes()
    q = ("중소 금속가공 업체예요. 서울 금천구에서 2년 반째 공장을 돌렸고, 공장 전부를 익산으로 옮겨서 "
         "2026년 11월 2일부터 가동할 계획입니다. 업종은 계속 금속가공이고 공장 이전 감면은 받아 본 적 없어요. 감면 대상 맞나요?")
    assert detect_programme(q).id == "factory_relocation_tax_relief"
    assert extract_facts(q, p["factory_relocation_tax_relief"]) == {
        "sme": True, "years_in_overcrowding_zone": 2.5, "whole_factory_relocated": True, "capital_region": False,
        "same_industry": True, "business_start_date": "2026-11-02", "prior_relief_within_10_years": False,
        "destination_area": "그 밖의 지역"}  # 익산 is a 시 in 전북, no metropolitan city
    tips = extract_facts("업력 3년 스타트업인데 운영사에서 1억 5천만 원 투자받고 추천도 받았어요", p["tips"])
    assert tips["years_since_founding"] == 3 and tips["operator_investment_amount"] == 1.5
    assert tips["operator_investment"] is True and tips["operator_recommendation"] is True
    # a question that is no eligibility question stays one
    assert detect_programme("대구 도심융합특구의 총사업비는 얼마나 되나요?") is None
    assert detect_programme("도심융합특구는 언제 지정되나요?") is None


@pytest.mark.parametrize("pid", IDS)
def test_every_benefit_cites_a_corpus_passage_holding_its_figure(pid):
    from assistant.ingest import SourceFile, load_file

    for b in programmes()[pid].benefits:
        text = load_file(SourceFile(ROOT / "corpus" / b.doc_id, ROOT / "corpus", b.doc_id)).text
        assert "".join(b.quote.split()) in "".join(text.split()), b.id
        assert b.figure in b.quote, b.id
        assert set(re.findall(r"\d+", b.figure)) <= set(re.findall(r"\d+", b.text["ko"])), b.id  # as the clause says


def test_the_benefit_follows_the_destination_and_none_follows_a_failed_condition():
    from assistant.eligibility import check
    from assistant.eligibility_read import extract_facts

    factory = programmes()["factory_relocation_tax_relief"]
    facts = extract_facts("서울 공장을 대구로 전부 옮기면 감면 받을 수 있나요?", factory)
    assert facts["destination_area"] == "수도권 밖 광역시" and facts["capital_region"] is False
    shown = [b.id for b in check(factory.id, facts).benefits]
    assert shown == ["relief_metro_city", "relief_cap"]
    assert [b.id for b in check(factory.id, {}).benefits][:3] == ["relief_metro_city", "relief_elsewhere",
                                                                 "relief_capital_listed"]  # unknown: every row
    assert check(factory.id, {"destination_area": "그 밖의 지역"}).missing_facts.count("capital_region") == 0
    assert check(factory.id, {"capital_region": "yes", "sme": "no"}).benefits == ()  # not eligible: no benefit


def test_an_eligibility_answer_reads_verdict_deciding_condition_benefit_then_the_rest():
    from assistant.bot import eligibility_to_answer
    from assistant.eligibility import check

    r = check("factory_relocation_tax_relief", {"destination_area": "수도권 밖 광역시", "sme": "yes"})
    lines = eligibility_to_answer("", r, "ko").text.splitlines()
    assert lines[0].endswith("판단에 필요한 사실이 더 필요합니다.")
    assert lines[1].startswith("- 확인 필요") and lines[2].startswith("- 혜택 — 수도권 밖 광역시로 옮기면")
    assert "100% 7년 뒤 50% 4년" in lines[2] and lines[2].endswith("[2]")


def test_every_question_cue_matches_its_examples_and_not_its_counter_examples():
    from assistant.eligibility import _rules
    from assistant.eligibility_read import question_cue

    for name, cue in _rules()["question_cues"].items():
        for text in cue["examples"]:
            assert question_cue(name).search(text), (name, text)
        for text in cue.get("counter", []):
            assert not question_cue(name).search(text), (name, text)


@pytest.mark.parametrize("question,programme", [
    ("기회발전특구 들어가면 법인세 5년 면제라던데 저희 회사도 혜택 받나요?", "opportunity_development_zone"),
    ("경북 기회발전특구 부지 안에 공장을 새로 짓는 제조 법인인데 법인세 감면 받을 수 있나요?", "opportunity_development_zone"),
    ("화성시에 공장 증설하는데 설비 투자 보조금 받을 수 있어요?", "local_investment_subsidy"),
    ("저희는 업력 4년 로봇 회사예요. 팁스 되나요?", "tips"),
    ("기회발전특구도 특별법 제24조가 정한 중첩 지정 우선 검토 목록에 들어 있나요?", None),  # about the rules
    ("대구 도심융합특구의 총사업비는 얼마나 되나요?", None),  # a fact, for a passage
])
def test_a_programme_named_by_its_own_words_outweighs_words_several_share(question, programme):
    from assistant.eligibility_read import detect_programme

    found = detect_programme(question)
    assert (found.id if found else None) == programme


def test_negated_and_english_facts_are_read():
    from assistant.eligibility_read import extract_facts

    p = programmes()
    assert extract_facts("주민 의견을 따로 듣지 않고 바로 특구 지정 신청을 해도 되나요?",
                         p["urban_convergence_zone_designation"])["residents_consulted"] is False
    hq = extract_facts("We're moving the HQ to Iksan and will start operating there on 1 November 2026.",
                       p["hq_relocation_tax_relief"])
    assert hq["business_start_date"] == "2026-11-01"
    assert extract_facts("본사를 평택 고덕 쪽으로 옮기려구요", p["hq_relocation_tax_relief"])["capital_region"] is True


def test_numbers_in_words_and_questions_that_tell_their_case_first():
    from assistant.eligibility import programmes
    from assistant.eligibility_read import asking_part, detect_programme, extract_facts, spelled_numbers

    assert spelled_numbers("인구가 팔십오만 정도, 백오십억 신청, 1억 5천만 원") == "인구가 85만 정도, 150억 신청, 1억 5천만 원"
    assert spelled_numbers("eleven years, about one million residents") == "11 years, about 1 million residents"
    q = ("Our governor will file for an urban convergence zone in downtown Jeonju, which has roughly 640,000 "
         "residents. Are we good to apply?")
    assert asking_part(q) == "Are we good to apply?"  # "which" in the telling is no question for a fact
    assert detect_programme(q).id == "urban_convergence_zone_designation"
    assert extract_facts("Changwon here, a city of about one million.",
                         programmes()["urban_convergence_zone_designation"])["population"] == 1_000_000


def test_a_condition_whose_variants_all_agree_needs_no_fact_to_choose_between_them():
    """6 years in the zone meets both 3 years (a larger firm) and 2 (an SME): firm size is not asked; 1 year meets
    neither; 2.5 years depends on it."""
    from assistant.eligibility import check

    base = {"whole_factory_relocated": True, "capital_region": False, "same_industry": True,
            "business_start_date": "2027-07-01", "prior_relief_within_10_years": False,
            "destination_area": "그 밖의 지역"}
    status = lambda years: {c.id: c.status for c in check("factory_relocation_tax_relief",  # noqa: E731
                                                           {**base, "years_in_overcrowding_zone": years}).conditions}
    assert status(6)["factory_years_in_zone"] == "met" and check(
        "factory_relocation_tax_relief", {**base, "years_in_overcrowding_zone": 6}).verdict == "eligible"
    assert status(1)["factory_years_in_zone"] == "not_met"
    assert status(2.5)["factory_years_in_zone"] == "unknown"


def test_facts_stated_as_months_bounds_spoken_years_or_left_undecided():
    """Spans in months, a calendar year that is no span, a figure the population falls short of, a year spoken as
    '27, a fact the asker says is not settled yet (it stays unknown), and an English 'not an SME'."""
    p = programmes()
    factory, hq, zone = p["factory_relocation_tax_relief"], p["hq_relocation_tax_relief"], p["urban_convergence_zone_designation"]
    assert extract_facts("서울(과밀억제권역)에서 공장 돌린 지 30개월 됐어요. 감면 되나요?", factory)["years_in_overcrowding_zone"] == 2.5
    assert extract_facts("Our head office has been in the Seoul overcrowding control zone for forty-two months. "
                         "Do we qualify for the relief?", hq)["years_in_overcrowding_zone"] == 3.5
    facts = extract_facts("2019년에 감면을 받았었는데 과밀억제권역(안양)에서 4년째 공장을 돌려요. 또 받을 수 있나요?", factory)
    assert facts["years_in_overcrowding_zone"] == 4 and facts["prior_relief_within_10_years"] is True
    assert extract_facts("포항 인구가 50만이 조금 안 되는, 한 49만 정도예요. 신청 돼요?", zone)["population"] == 490000
    assert extract_facts("본사를 대구로 옮기고 업무개시는 '27년 7월 1일이에요. 감면 되나요?", hq)["business_start_date"] == "2027-07-01"
    undecided = extract_facts("본사를 광주광역시로 옮기는데 업종이 그대로 갈지는 아직 미정이에요. 감면 받을 수 있나요?", hq)
    assert "same_industry" not in undecided
    assert extract_facts("We're a large steel-processing company, not an SME. Can we get the factory relocation "
                         "tax relief?", factory)["sme"] is False


def test_a_neighbourhood_named_like_a_city_and_romanized_provinces():
    """성남동 in 울산 중구 is not 성남시; Gyeongnam is 경상남도, so its governor applies."""
    from assistant.gazetteer import resolve

    assert [p.label for p in resolve("울산 중구 성남동 원도심")] == ["울산광역시 중구"]
    zone = programmes()["urban_convergence_zone_designation"]
    facts = extract_facts("Gyeongnam provincial office here. The governor wants to file for a zone in Jinju. "
                          "Can the province apply?", zone)
    assert facts["applicant"] == "도지사" and facts["population"] < 500_000


def test_facts_given_as_a_list_with_months_or_in_english_amounts():
    """A list of "항목: 값" lines, years with months (7년 2개월), amounts in words or in millions, the last of two
    moves told, and a choice the asker says is not agreed yet (who files) stays unknown."""
    p = programmes()
    hq, tips, subsidy = p["hq_relocation_tax_relief"], p["tips"], p["local_investment_subsidy"]
    zone = p["urban_convergence_zone_designation"]
    listed = extract_facts("본사 이전 감면 요건 체크 부탁드려요.\n- 현재 본사: 서울(과밀억제권역), 6년째\n- 이전 예정지: 경주\n"
                           "- 업종: 산업용 소프트웨어 개발, 이전 후에도 동일\n- 본사 이전 감면 받은 이력: 없음\n대상 맞나요?", hq)
    assert listed["destination_area"] == "그 밖의 지역" and listed["same_industry"] is True
    assert listed["prior_relief_within_10_years"] is False
    startup = extract_facts("팁스 자격 확인 부탁드립니다.\n- 업력: 2년 6개월\n- 팁스 운영사 투자: 1억 원 (완료)\n- 운영사 추천: 받음\n"
                            "지원 가능할까요?", tips)
    assert startup["years_since_founding"] == 2.5 and startup["operator_investment_amount"] == 1
    assert startup["operator_recommendation"] is True
    assert extract_facts("설립한 지 7년 2개월 된 회사인데 팁스 신청 가능할까요?", tips)["years_since_founding"] > 7
    assert extract_facts("A project in Yangyang County, 850 million won, through the county office. Would the "
                         "subsidy apply?", subsidy)["subsidy_per_project"] == 8.5
    assert extract_facts("2018년에 본사를 대전으로 옮겼다가 다시 서울로 왔고, 이번에 순천으로 다시 내려가려는데 감면 되나요?",
                         hq)["destination_area"] == "그 밖의 지역"
    facts = extract_facts("광주광역시장 명의로 낼지 북구청장 명의로 낼지 아직 합의가 안 됐어요. 특구 신청 요건은 되나요?", zone)
    assert "applicant" not in facts
