"""Reading a case as people tell it: a case told with its facts and then a plain question or request is an
eligibility question; a fact the asker says is not known stays unknown; "우리 군으로" is the writer's own county."""

import pytest

from assistant.eligibility import programmes


@pytest.mark.parametrize("question,programme", [
    # facts in a list, then a one-word ask
    ("본사 이전 감면 문의\n- 현 본사: 서울 구로구(과밀억제권역) 6년째\n- 이전지: 광주 북구\n- 업종: 의료기기 제조, 이전 후 동일\n됨?",
     "hq_relocation_tax_relief"),
    # an official's request, no question mark
    ("지방투자촉진보조금 관련 검토 요청드립니다. 해당 기업은 전북 익산시청을 통해 10억 원을 신청하려 하며 익산에 설비를 새로 들입니다.",
     "local_investment_subsidy"),
])
def test_a_case_told_with_its_facts_then_asked_is_an_eligibility_question(question, programme):
    from assistant.eligibility_read import detect_programme

    found = detect_programme(question)
    assert found is not None and found.id == programme


@pytest.mark.parametrize("question", [
    "지방투자촉진보조금은 익산시청을 통해 10억 원을 신청할 때 서류가 몇 가지인지 알려 주세요.",  # asks a fact
    "본사 이전 감면 제도가 언제 생겼는지 알려 주세요.",  # no fact of a case
    "저희 회사는 서울 구로구에 본사를 6년째 둔 중소기업인데 본사 이전 감면 서류 목록을 알려 주세요.",  # a request for a fact
])
def test_a_request_for_a_fact_is_not_an_eligibility_question(question):
    from assistant.eligibility_read import detect_programme, read_case, tells_case

    programme = programmes()["local_investment_subsidy" if "보조금" in question else "hq_relocation_tax_relief"]
    assert not tells_case(question, read_case(question, programme))
    assert detect_programme(question) is None


def test_a_fact_the_asker_says_is_unknown_stays_unknown_even_where_a_reader_would_take_it():
    from assistant.eligibility_read import read_case

    factory = programmes()["factory_relocation_tax_relief"]
    told = "서울에서 5년 공장을 돌린 부품 회사인데 공장 전부를 충남 예산으로 옮깁니다. 중소기업인지는 아직 확답을 드리기 어렵습니다."
    facts = read_case(told, factory).facts
    assert "sme" not in facts and facts["whole_factory_relocated"] is True
    stated = "서울에서 5년 공장을 돌린 중소기업인데 공장 전부를 충남 예산으로 옮깁니다."
    assert read_case(stated, factory).facts["sme"] is True
    odz = programmes()["opportunity_development_zone"]
    waiting = "공장을 새로 짓는데 부지가 기회발전특구 구역 안에 들어가는지는 답을 기다리는 중입니다."
    assert "in_odz" not in read_case(waiting, odz).facts
    assert read_case("The amount isn't fixed yet; we apply through the county office.",
                     programmes()["local_investment_subsidy"]).facts == {"applied_via_local_government": True}


def test_our_own_county_as_destination_is_the_county_the_writer_names():
    from assistant.eligibility_places import destination_area

    q = "전남 곡성군 투자유치 담당입니다. 서울 성동구에서 공장을 돌리던 기업이 공장을 우리 군으로 이전합니다."
    assert destination_area(q) == "그 밖의 지역"
    q = "대구 달서구청 기업지원과입니다. 서울 강서구 본사를 저희 구로 옮기는 회사가 있습니다."
    assert destination_area(q) == "수도권 밖 광역시"
