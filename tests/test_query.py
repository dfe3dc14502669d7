from assistant.query import described_head, expansion_terms, find_entities, resolve_followup


def test_followup_carries_the_city_of_the_earlier_turn():
    history = [{"role": "user", "content": "대구 도심융합특구는 어디에 있나요?"}, {"role": "assistant", "content": "..."}]
    q = resolve_followup("그럼 사업비는 얼마인가요?", history)
    assert "대구" in q and q.endswith("그럼 사업비는 얼마인가요?")


def test_followup_naming_another_city_keeps_its_own():
    history = [{"role": "user", "content": "대구 도심융합특구는 어디에 있나요?"}]
    q = resolve_followup("부산은요?", history)
    assert "부산" in q and "대구" not in q


def test_no_history_no_change():
    assert resolve_followup("대구 사업비는?", None) == "대구 사업비는?"


def test_entities_and_cross_language_names():
    assert [e.id for e in find_entities("판교 제2테크노밸리와 22@Barcelona 비교")] == ["pangyo2", "22barcelona"]
    assert "Poblenou" in " ".join(expansion_terms("포블레노우의 22@는 언제 시작했나요?")) or "22@Barcelona" in expansion_terms("포블레노우의 22@는 언제 시작했나요?")
    assert "기회발전특구" in expansion_terms("What does an opportunity development zone offer?")


def test_lexicon_translates_question_words_both_ways():
    from assistant.query import word_translations
    from assistant.text import tokenize

    ko = dict(word_translations(tokenize("착공 후 일자리는 얼마나 생기나요?")))
    assert "jobs" in ko["일자리"] and "groundbreaking" in ko["착공"]
    en = dict(word_translations(tokenize("How many jobs after the groundbreaking?")))
    assert "일자리" in en[tokenize("jobs")[0]] and "착공" in en[tokenize("groundbreaking")[0]]


def test_a_bare_topic_followup_asks_the_earlier_question_about_it():
    """"2단계는요?" swaps its item into the earlier question; "그건 …" carries what the last answer named."""
    history = [{"role": "user", "content": "부산 센텀2지구 1단계 면적이 얼마예요?"},
               {"role": "assistant", "content": "1단계는 110,734㎡입니다."}]
    q = resolve_followup("2단계는요?", history)
    assert "2단계 면적" in q and "1단계" not in q
    q = resolve_followup("What about Gwangju?", [{"role": "user", "content": "How large is the Daegu zone?"}])
    assert "Gwangju zone" in q and "Daegu" not in q
    history = [{"role": "user", "content": "대전 특구에서 제일 먼저 추진하는 사업이 뭐예요?"},
               {"role": "assistant", "content": "지상 49층 규모의 '메가 충청 스퀘어'입니다."}]
    assert "메가 충청 스퀘어" in resolve_followup("그건 정확히 어디에 짓는 거예요?", history)
    # a question that merely ends in 요 is not a bare topic
    from assistant.query import is_bare_topic

    assert is_bare_topic("광주는요?") and not is_bare_topic("거기서 앞으로 구축할 예정인 시설은 뭐예요?")


def test_a_korean_name_starts_a_word():
    """대구 is not in 해운대구 (a district of Busan); particles after a name still match."""
    assert [e.id for e in find_entities("해운대구 반송동 옛 세양물류 부지")] == []
    assert [e.id for e in find_entities("대구시와 부산광역시")] == ["daegu", "busan"]


def test_provinces_have_both_names_and_a_university_is_not_its_province():
    assert [e.id for e in find_entities("How large was South Chungcheong's zone?")] == ["chungnam"]
    assert "충남" in expansion_terms("How large was South Chungcheong's zone?")
    # The longest name wins: 경북대 is Kyungpook National University, not the province 경북.
    assert [e.id for e in find_entities("경북대 캠퍼스혁신파크")] == ["knu"]
    assert [e.id for e in find_entities("경북 도청 이전터")] == ["gyeongbuk"]


def test_described_head_is_the_thing_a_chained_question_recounts():
    # The first fact (an event, told in a clause) describes what the second fact is about.
    assert described_head("부산이 착공 하루 전에 출범시킨 사업협의체는 특별법상 위원을 최대 몇 명까지 둘 수 있나요?") == ["사업", "협의체"]
    assert described_head("2016년 12월에 옮겨 간 단지는 어떤 거점 역할을 맡나요?") == ["단지"]
    # The whole noun phrase, through 의.
    assert described_head("지정 다음 달에 추가 고시된 부산 기회발전특구 부지의 면적은?")[-2:] == ["부지", "면적"]
    # A state narrows the question instead ("광역시가 아닌", "신청할 수 있는"); no clause, no head; English: none.
    assert described_head("광역시가 아닌 일반 시의 시장도 직접 신청할 수 있나요?") == []
    assert described_head("신청할 수 있는 도시는 어디인가요?") == []
    assert described_head("대구 특구의 면적은?") == []
    assert described_head("Which site was chosen at the 38th plenary?") == []


def test_term_aliases_are_other_names_and_the_region_a_place_lies_in():
    from assistant.query import term_aliases
    from assistant.text import tokenize

    aliases = term_aliases("서울이나 인천에 있는 도시도 지정받을 수 있나요?")
    capital = frozenset(tokenize("수도권"))
    assert capital in aliases["서울"] and capital in aliases["인천"]
    assert frozenset(tokenize("지방자치단체")) in term_aliases("지자체가 요청할 수 있나요?")["지자체"]
    # No alias is the word itself (or holds it): only other ways of writing it.
    assert all(t not in r for t, rs in aliases.items() for r in rs)
    assert term_aliases("How large is the site?") == {}


def test_land_is_covered_by_the_clause_on_the_property_it_belongs_to():
    from assistant.answer.features import coverage
    from assistant.query import term_aliases
    from assistant.text import tokenize

    # The statute writes 국유재산·공유재산 where a user says 국유지 or 공유지; the clause on the whole answers for the
    # part, as a clause on the capital region answers for Seoul. In context Kiwi splits 공유재산 into 공유 + 재산.
    question = "국유지나 공유지를 빌려 쓸 경우 사용 기간은?"
    aliases = term_aliases(question)
    sentence = set(tokenize("사업시행자가 국유재산 또는 공유재산을 사용하려는 경우 그 기간은 50년 이내로 한다."))
    terms = {t: 1.0 for t in tokenize(question)}
    assert coverage(terms, sentence, set(), aliases=aliases) > coverage(terms, sentence, set()) + 0.3
    assert frozenset({"국유", "재산"}) in aliases["국유지"] and frozenset({"공유", "재산"}) in aliases["공유지"]
    # Only the part reads as the whole: a question on public property is not answered by a clause on public land.
    assert all(frozenset({"공유지"}) not in rs for rs in term_aliases("공유재산은 누가 관리하나요?").values())


def test_an_alias_in_the_sentence_covers_the_question_word():
    from assistant.answer.features import coverage

    q = {"서울": 2.0, "적용": 1.0}
    sentence = {"수도", "제외", "적용"}
    assert coverage(q, sentence, set()) == 1.0 / 3.0
    assert coverage(q, sentence, set(), aliases={"서울": (frozenset({"수도"}),)}) == 1.0
    # An alias is a whole rendering: all of its tokens must be there.
    assert coverage(q, sentence, set(), aliases={"서울": (frozenset({"수도", "서울시"}),)}) == 1.0 / 3.0


def test_premise_is_the_condition_stated_before_the_question():
    from assistant.query import premise

    assert premise("대구 특구 지정일을 기준으로 하면, 국·공유재산을 우선 처분할 때 재산 평가 기준일은 언제가 되나요?") == \
        "대구 특구 지정일"
    assert premise("The guide says so. If that ODZ lies in a metropolitan city, how long is the relief?") == \
        "that ODZ lies in a metropolitan city"
    assert premise("대구 특구의 총사업비는 얼마인가요?") == ""
    assert premise("What if the city is small?") == ""


def test_a_compound_may_be_written_as_its_parts():
    from assistant.query import compound_aliases

    aliases = compound_aliases(["혁신도시", "도심융합특구", "재단"])
    assert frozenset({"혁신", "도시"}) in aliases["혁신도시"]
    assert frozenset({"도심", "융합", "특구"}) in aliases["도심융합특구"]
    assert "재단" not in aliases  # too short to be a compound
