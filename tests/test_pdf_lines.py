"""Line repair of extracted PDF text: wrapped lines re-joined, narrow Korean columns by their paragraphs."""

from assistant.ingest.pdf import join_column_lines, join_wrapped_lines

# A two-column page of minutes as pypdf gives it: ~25 syllables a line, wrapped mid-word, paragraphs indented.
COLUMN = [
    "◯위원장",
    " 박정",
    "  그러면 의사일정 제1항 2023년",
    "도 국정감사 결과보고서 채택의 건과 의사일정",
    "제2항부터 제94항까지 이상 93건의 법률안을일",
    "괄하여상정합니다.",
    "  각 안건의 내용은 배부해 드린 유인물과 단말",
    "기를참고하여주시기바랍니다.",
    "  그러면먼저 의사일정제1항 2023년도 국정감",
    "사 결과보고서채택의건부터 의결하도록하겠습",
    "니다.",
    "◯양경규",
    " 의원",
    "  정의당 국회의원 양경규입니다.",
]


def test_a_narrow_korean_column_is_rejoined_by_paragraph():
    out = join_column_lines(COLUMN)
    assert out is not None
    assert ("그러면 의사일정 제1항 2023년도 국정감사 결과보고서 채택의 건과 의사일정제2항부터 제94항까지 이상 "
            "93건의 법률안을일괄하여상정합니다.") in out
    assert "각 안건의 내용은 배부해 드린 유인물과 단말기를참고하여주시기바랍니다." in out
    # Speaker marks and their names stay lines of their own; nothing is lost.
    assert out[:2] == ["◯위원장", "박정"] and "◯양경규" in out
    squash = lambda lines: "".join("".join(lines).split())  # noqa: E731
    assert squash(out) == squash(COLUMN)
    assert join_wrapped_lines(COLUMN) == out


def test_full_width_and_latin_pages_are_not_columns():
    prose = ["도심융합특구는 지방 대도시의 도심에 산업 주거 문화 시설을 복합해 조성하는 혁신 공간으로서 국토교통부"
             "장관이 지정한다."] * 10
    assert join_column_lines(prose) is None
    english = ["The zone is designated by the Minister of Land,", "Infrastructure and Transport after review"] * 5
    assert join_column_lines(english) is None
    assert join_column_lines(COLUMN[:5]) is None  # too few lines to tell


def test_a_bracket_left_open_is_closed_on_the_next_line():
    table = [
        "조문 내용 요약",
        "제3조 국가와 지자체의 예산 확보·시책 추진 책무",
        "제19조 조사·측량을 위한 타인 토지 출입",
        "제45~46조",
        "무허가 행위에 대한 벌칙(2년 이하 징역 또는 2천만 원 이하",
        "벌금)과 과태료",
        "이 법에 없는 것: 국세 감면 조항",
    ]
    out = join_wrapped_lines(table)
    assert "무허가 행위에 대한 벌칙(2년 이하 징역 또는 2천만 원 이하 벌금)과 과태료" in out
    # Closed brackets and lines without one stay as they were.
    assert out[:3] == table[:3] and out[-1] == table[-1] and len(out) == len(table) - 1


def test_a_wrapped_list_of_names_is_one_line():
    proposers = ["의안 번호 25318", "발 의 자 : 이수진(비)ㆍ김성환ㆍ김승남", "김영호ㆍ류호정ㆍ박홍근", "송옥주ㆍ양이원영ㆍ우원식",
                 "주철현의원(10인)", "", "제안이유 및 주요내용"]
    out = join_wrapped_lines(proposers)
    assert "발 의 자 : 이수진(비)ㆍ김성환ㆍ김승남ㆍ김영호ㆍ류호정ㆍ박홍근ㆍ송옥주ㆍ양이원영ㆍ우원식ㆍ주철현의원(10인)" in out
    # A table cell joined by a middle dot (U+00B7) is no list of names: it stays on its own line.
    cells = ["요구사항 분석·설계·검증", "구현·학습", "산출물 목록", "비고"]
    assert join_wrapped_lines(cells) == cells


def test_a_figure_wrapped_at_the_margin_is_one_figure():
    lines = ["그러나 제2기 2050 탄소중립‧녹색성장위원회의 경우 농업계, 노동계 등을 대표하는 위원이 없고, 시민사회와 여성의",
             "비중이 제1기 2050 탄소중립‧녹색성장위원회에 비해 감소한 것으로 나타나는 등 사회계층의 대표성이 약해진 205",
             "0 탄소중립‧녹색성장위원회의 구성을 개선할 필요가 있다는 지적이 있음.",
             "짧은 줄", "다른 문단"]
    out = join_wrapped_lines(lines)
    assert "대표성이 약해진 2050 탄소중립" in out[0]
    assert "여성의 비중이" in out[0]  # words still meet with a space


def test_a_bills_supplementary_provisions_are_a_section_and_a_table_cell_is_not():
    from assistant.ingest.pdf import build_page_segments

    pages = [
        "1. 개정 이유\n위원 후보 추천 단체를 명시함.\n제15조(2050 탄소중립녹색성장 위원회의설치) ① ∼ ④ (현 행과같음)",
        "그러나 제2기 위원회의 경우 여성의 비중이 감소하였음.\n부 칙\n제1조(시행일) 이 법은 공포 후 6개월이 경과한 날부터 시행한다.",
        "부칙 <제19767호,2023.10.24>\n이 법은 공포한 날부터 시행한다.",
    ]
    text, segments = build_page_segments(pages)
    section_at = {text[s.start:s.end].strip().split("\n")[0]: s.section for s in segments}
    # A comparison table's cell ("제15조(…) ① ∼ ④ (현행과 같음)") is no heading: the next page's prose is not 제15조's.
    assert section_at["그러나 제2기 위원회의 경우 여성의 비중이 감소하였음."] == ("1. 개정 이유",)
    # "부 칙", letter-spaced as bills print it, opens the supplementary provisions, written as the documents do.
    assert section_at["부 칙"] == ("부칙",)
    assert section_at["부칙 <제19767호,2023.10.24>"] == ("부칙 <제19767호,2023.10.24>",)
    # An article's title alone is still a heading.
    _, segs = build_page_segments(["제9조(도심융합특구의 지정)\n국토교통부장관은 특구를 지정할 수 있다."])
    assert segs[0].section == ("제9조(도심융합특구의 지정)",)
