"""Sentence-level evidence scoring: which sentence of the retrieved passages answers the question.

Pure functions over plain data; the composer feeds them tokens, IDF weights and similarities.
A sentence scores by how much of the question's (IDF-weighted) content it covers, how close it is in meaning,
how well its passage ranked, and whether it holds the kind of thing asked for (an amount, a date, an area ...).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

# Question cue → pattern the answering sentence should contain.
# "7,872억", "1조5,790억"; not an article ("제14조").
_AMOUNT = r"\d[\d,.]*\s*(?:조|억|만|천|백)*\s*(?:원|달러|유로)|(?<![제\d,.])(?<!제\s)\d[\d,.]*\s*(?:조|억)|(?:won|KRW|US\$|\$|€|SGD|S\$)\s*\d|\d\s*(?:billion|million|trillion)"
_AREA = r"㎡|m2|m²|㎢|km2|km²|만\s*평|\d\s*평|hectare|\bha\b|acre"
# A count is a figure with its unit ("20명", "10인"), not an ordinal ("제2125318호", "제3기") nor part of a longer figure.
_COUNT = (r"(?<![제\d,.])\d[\d,]*\s*(?:개|곳|명|개사|개소|건|군데|호|호실|표|인(?![가-힣]))|다섯|네 곳|세 곳|\b(?:five|four|three|ten|seventeen)\b|"
          # English counts a number by the plural it counts ("26,000 jobs", "221 housing units"); not a year
          r"\b(?!(?:19|20)\d\d\b)\d[\d,]*\s+(?:[a-z-]+\s+)?[a-z]+s\b")
_EXHIBIT_BEHIND = r"(?<!자료\s)(?<!별표\s)(?<!그림\s)(?<!부록\s)(?<!붙임\s)(?<!\b표\s)(?<!Table\s)(?<!Figure\s)(?<!Annex\s)"
_PERCENT = r"\d\s*%|퍼센트|percent"
# A period, not a point in time: "1년 정도", "30일 이내", "6개월"; not the year of "2021년 상반기", the day of
# "3월 10일" (every dated sentence holds those) nor "100년 전" (a century ago).
_DURATION = (r"(?<![\d.,])(?!(?:19|20)\d\d\s*년)\d{1,3}\s*(?:년|개월|주)(?!\s*(?:\d|전))|"
             r"(?<!월\s)(?<!월)(?<![\d.,])\d{1,3}\s*일|\d+\s*(?:years?|months?|weeks?|days?)\b")

# Question cue → pattern the answering sentence should contain. English cues are whole words ("rate" is not in
# "deliberate"); Korean yes/no questions that merely mention a period or a rate are not typed by that word alone.
QUESTION_TYPES: dict[str, tuple[re.Pattern, re.Pattern]] = {
    "amount": (
        re.compile(r"사업비|금액|예산|비용|투자액|지원액|벌금|과태료|보조금.*(?:규모|한도)|\b(?:costs?|budgets?|funding|amounts?)\b", re.I),
        re.compile(_AMOUNT, re.I),
    ),
    # "얼마나 / how much" alone asks for a quantity of any kind: money, area, a count, a share, a period.
    "quantity": (
        re.compile(r"얼마|\bhow much\b", re.I),
        re.compile("|".join([_AMOUNT, _AREA, _COUNT, _PERCENT, _DURATION]), re.I),
    ),
    "date": (
        # English "when" asks only where it opens a clause: "Where was it held when the committee was launched?"
        # asks for a place; so does "When X was selected, how long did …?", whose main question follows the comma.
        re.compile(r"언제|날짜|몇 년도|몇년도|어느 해|연도|시기|(?:^|[,;:]\s*|\b(?:and|since|until)\s+)when\b(?![^,?]*,\s*(?:how|what|which|who|where|why|did|does|do|is|are|was|were|can|must)\b)|what date|which year|what year", re.I),
        # A statute's commencement is relative: "공포 후 6개월이 경과한 날부터".
        # Older years, decades and centuries too, for documents beyond this corpus ("in 911", "the 1060s", "the
        # 11th century"): with only 19xx/20xx, 113 of SQuAD 2.0's 285 answerable "when" questions were declined.
        # A bare year set before a Korean word names something ("2050 탄소중립위원회"); Korean writes a year as 2023년.
        re.compile(r"(?:19|20)\d{2}\s*년|(?:19|20)\d{2}[-./]\d{1,2}|\d{1,2}\s*월\s*\d{1,2}\s*일|\b(?:19|20)\d{2}\b(?!\s*[가-힣])|"
                   r"공포\s*(?:후|한\s*날)|\b1\d{3}s?\b|\b20\d0s\b|\b\d{1,2}(?:st|nd|rd|th)[- ]centur|"
                   r"\b(?:in|of|from|since|by|until|around|c\.)\s+\d{3}\b|\d{3,4}\s*년", re.I),
    ),
    # "언제까지 / by when" asks for an end: a date the sentence gives as a limit ("2035년까지", "사업 기한 2035년",
    # "within 2 years"), not any date it holds.
    "deadline": (
        re.compile(r"언제까지|\b(?:by|until|till)\s+when\b|\bby\s+what\s+(?:year|date)\b", re.I),
        re.compile(r"까지|기한|마감|만료|이내|\d\s*(?:년|개월|일)\s*안에|\b(?:by|until|till|through|deadline|ends?|ending|within)\b",
                   re.I),
    ),
    # "규모 / how large" asks for an area ("부지 규모") as often as for money ("펀드 규모", "how large a fund") or a
    # number of units, not for a date or a period.
    "size": (
        re.compile(r"규모는|\bhow (?:large|big)\b", re.I),
        re.compile("|".join([_AREA, _AMOUNT, r"\d[\d,]*\s*(?:개|곳|명|개사|개소|세대|가구|호실)"]), re.I),
    ),
    "area": (
        # English "area" is as often a place ("station-area", "What area did they conquer?", "a growth-promotion
        # area") as a measure: only "total / floor / site … area", "the area of", "how large … area" ask for one.
        re.compile(r"면적|넓이|\b(?:total|combined|floor|site|land|gross|surface)\s+area\b(?!-)|\barea\s+of\b|"
                   r"\bwhat\s+(?:is|was)\s+the\s+area\b|\bhow\s+(?:large|big)\b[^?]*\barea\b|\bsize\b", re.I),
        re.compile(_AREA, re.I),
    ),
    "count": (
        re.compile(r"몇\s*(?:개|곳|명|군데|개사|개소|건|호|표)|how many|number of", re.I),
        # A bare figure may be a count; a year ("2050 탄소중립위원회", "2024"), an ordinal ("제2기") or the number of
        # an exhibit ("(참고 자료 1)", "표 3", "Table 2") is not.
        re.compile(_COUNT + r"|(?<![제\d,.])(?<!제\s)" + _EXHIBIT_BEHIND +
                   r"\b(?!(?:19|20)\d\d\b)\d+\b(?!\s?(?:기|차|조|항)(?![가-힣]))", re.I),
    ),
    "article": (
        re.compile(r"(?:몇|어느|어떤)\s*조(?!건|성|치|사|정|직|합|례|세|달|기|율)|조항|근거\s*조문|which article|what article|which clause|which provision", re.I),
        re.compile(r"제\s*\d+\s*조|Art(?:icle|\.)\s*\d+", re.I),
    ),
    "percent": (
        # A "-률/-율" word (채용률, 가산율, 출석률) asks for a percentage.
        re.compile(r"비율은|비율이\s*(?:얼마|몇|어떻게)|퍼센트|몇\s*%|(?!법률|자율|규율|조율)[가-힣](?:률|율)(?:은|는|이|을)?\s*(?:얼마|몇|어떻게|[?？]|$)|\b(?:rate|percentage|share)\b", re.I),
        re.compile(_PERCENT, re.I),
    ),
    # "누가 / who" asks for a person, an office or a body: "시·도지사", "산업부 장관", "문화체육관광부", "Sam Fiorello".
    "who": (
        # "어디에서 선정되나요" asks which body decides. (Counting "which organisation" as well lost a question
        # whose firm is named without a title.)
        re.compile(r"누가|누구|\bwho\b|어디(?:에)?서\s*(?:최종\s*)?(?:선정|지정|심의|결정|승인|의결)", re.I),
        re.compile(r"장관|지사|시장|군수|구청장|청장|교육감|위원장|대통령|총리|의장|이사장|센터장|원장|실장|국장|정책관|"
                   r"위원회|협의체|공사|공단|재단|기관|진흥원|연구원|교수|건축가|시행자|[가-힣]{2,}부(?=[가는이의와에\s.,·]|$)|"
                   r"\b[A-Z][a-z]+(?:-[a-z]+)? [A-Z][a-z]+\b|\b(?:Minister|Mayor|Governor|President|Chair\w*|Director|"
                   r"Committee|Corporation|Ministry|MOLIT|agency|council|implementer|developer)\b"),
    ),
    # "어떤 법률에 근거해", "which Act" ask for a law: "「기업도시개발 특별법」", "the Enterprise City Development Act".
    "law": (
        re.compile(r"(?:어떤|어느|무슨)\s*법(?:률|령)?(?:[을를에이가으로]|\s|$)|\b(?:which|what)\s+(?:law|act|statute)\b", re.I),
        re.compile(r"「[^」]*법[^」]*」|[가-힣]{2,}법(?:률)?(?=[은는이가의에을과로,\s」)]|$)|\b[A-Z][A-Za-z]+(?: [A-Za-z]+){0,8} Act\b"),
    ),
    # "몇 차 본회의", "which plenary" ask for an ordinal: "제27차", "the 38th". (몇 차례 counts times.)
    "ordinal": (
        re.compile(r"몇\s*차(?!례)|몇\s*번째|\bwhich\s+(?:round|plenary|session)\b|\bwhat\s+round\b", re.I),
        re.compile(r"제\s*\d+\s*차|\d+\s*차\s*(?:회의|본회의|지정|계획)|\d+\s*번째|\b\d+(?:st|nd|rd|th)\b|"
                   r"\b(?:first|second|third|fourth|fifth)\b|(?:첫|두|세|네|다섯)\s*번째", re.I),
    ),
    "duration": (
        re.compile(r"기간은|기간이\s*(?:얼마|몇|어떻게)|몇\s*년간|몇\s*년\s*동안|얼마\s*동안|며칠|몇\s*개월|how long|for how many years|duration", re.I),
        re.compile(_DURATION, re.I),
    ),
}

# "What is X?": the answering sentence defines X — it opens with the subject and a topic marker.
DEFINITION_CUE = re.compile(r"어떤\s*곳|무엇인가|무엇입니까|뭔가요|무엇이|(?:이)?란\s*(?:무엇|뭐)|이란\??$|란\??$|what\s+(?:is|are)\s+(?:an?\s+|the\s+)?[\w@ -]+\??$|define", re.I)


def definition_match(question: str, sentence: str, subjects: list[str]) -> float:
    """1 when the question asks what something is and the sentence opens by saying what one of its subjects is."""
    cue = DEFINITION_CUE.search(question.strip())
    if not cue:
        return 0.0
    # The subject must be what is asked about, just before the cue: "울산 특구는 무엇인가요?", not "울산 특구가
    # 줄어든 이유는 무엇인가요?" (that asks for a reason).
    asked = question.strip()[max(0, cue.start() - 24):cue.end()].lower()
    subjects = [n for n in subjects if n.lower() in asked]
    head = sentence[:60]
    for name in subjects:
        i = head.lower().find(name.lower())
        if 0 <= i <= 20:
            rest = head[i + len(name):i + len(name) + 14]
            if re.match(r"\s*(?:\([^)]*\)\s*)?(?:은|는|이란|란|(?:이)?라\s*함은)\s", rest) or re.match(
                r"\s*(?:\([^)]*\)\s*)?,?\s*(?:is|are|refers to|means)\b", rest, re.I
            ):
                return 1.0
    return 0.0


# A sentence that says the sources do not give something: it answers "the documents do not say".
NOT_STATED = re.compile(
    r"공개되지\s*않|확인되지\s*않|찾지\s*못했|나오지\s*않는다|확인하지\s*못|확인할\s*수\s*없|명시되지\s*않|"
    r"알\s*수\s*없다|적혀\s*있지\s*않|밝혀지지\s*않|제시되지\s*않|나와\s*있지\s*않|알려지지\s*않|자료가\s*없|수치가\s*없|"
    r"(?:not|never)\s+(?:been\s+)?(?:published|disclosed|stated|given|found|confirmed|reported)|"
    r"no\s+(?:published|official|public)\s+(?:figure|source|data|total|number|date|breakdown)|"
    r"do(?:es)?\s+not\s+(?:give|state|publish|report|say)|sources?\b[^.]{0,30}\b(?:give|gives|contain|contains|mention|mentions)\s+no\b|"
    r"확인하지\s*않았|알려져\s*있지\s*않|공개된\s*(?:자료|수치)가?\s*없|"
    r"\bno\b[^.]{0,120}\b(?:was|were)\s+found|\b(?:is|are)\s+unknown|unknown\s+here|"
    r"발표되지\s*않|확정(?:해\s*주지|하지|되지)\s*않|설명(?:되|하)지\s*않|미발표|미확인|공개\s*자료에\s*없|"
    r"not\s+(?:in|given\s+in|found\s+in)\s+the\s+sources|(?:was|were)\s+not\s+(?:found|announced|checked)|"
    r"(?:do|does)\s+not\s+(?:address|explain)|not\s+explained|해소되지\s*않|"
    # a table cell or list item: "사용한 자료에 면적 없음", "도시별 운영사 목록은 참고한 자료에 없다"
    r"자료에\s*(?:[^\s.]+\s+){0,2}없(?:음|다)",
    re.I,
)
# A section that lists what the sources do not give ("이 문서가 확인하지 못한 것", "What the sources do not give"):
# each of its sentences is such a statement, though most are bare noun phrases ("서울 용산 혁신지구의 착공·준공
# 여부와 현재 사업비.").
GAP_SECTION = re.compile(r"확인하지\s*못한|확인되지\s*않은\s*사항|do(?:es)?\s+not\s+give|gaps\s+in\s+the\s+sources", re.I)
# An item of such a list that says what was found ("2011년 보도 수치만 확인했다") or names its exceptions ("other
# than the t-factor figures above") does not say that what it names is missing.
GAP_EXCEPT = re.compile(r"만\s*확인했|other\s+than|except|apart\s+from|외에는|를\s*제외한", re.I)
# A Korean item that ends in a verb ("최신 고시를 확인해야 한다.") is a remark of its own (such a section often
# holds cautions too); the missing things are listed as bare noun phrases.
_KO_CLAUSE_END = re.compile(r"[가-힣]다[.」”\"')]*\s*$")
# Clauses of a sentence: a "not stated" remark often rides on a sentence that also states something else
# ("opened in 2014 at KAIST; its present premises are not stated"), and only its own clause says what is missing.
CLAUSE = re.compile(r"(?<=[.!?;:])\s+|\s*[(（]|[)）]\s*|;\s*|,\s*(?:but|while|and)\s+|지만\s+|으나\s+|는데\s+")
_ASIDE = re.compile(r"\s*[(（]([^()（）]*)[)）]")
_SPACE = re.compile(r"\s")


def not_stated_clauses(text: str, section: str = "") -> list[str]:
    """The clauses of a sentence that say the sources do not give something; the whole sentence in a section
    that lists what is missing."""
    if (GAP_SECTION.search(section.split(" > ")[-1]) and not GAP_EXCEPT.search(text)
            and not _KO_CLAUSE_END.search(text)):
        return [text]
    if not NOT_STATED.search(text):
        return []
    if is_table_row(text):
        # A table row's remark is about the row's first cell: "Ulsan · … · **Not published** in the sources used ·
        # Hydrogen …" says Ulsan's cost is missing, not its site or industries.
        head, *cells = text.split(" · ")
        return [f"{head} · {c}" for cell in cells for c in _remark_clauses(cell)] + _remark_clauses(head)
    return _remark_clauses(text)


def _remark_clauses(text: str) -> list[str]:
    # A bracketed aside is a clause of its own, and the text around it is one clause that includes it (unless the
    # aside is the remark): "부산 총사업비는 두 수치(4조411억 원과 2조411억 원)가 병존하며 해소되지 않았다" says the
    # two figures are unsettled, not "가 병존하며 해소되지 않았다"; "opened in 2014 (its premises are not
    # stated)" says nothing is missing about the opening.
    asides = _ASIDE.findall(text)
    main = _ASIDE.sub(lambda m: " " if NOT_STATED.search(m.group(1)) else f" {m.group(1)} ", text)
    return [c for c in CLAUSE.split(main) + asides if c and len(c) > 3 and NOT_STATED.search(c)]


def split_remark(clause: str) -> tuple[str, str]:
    """(the remark, what follows it). A Korean remark ends its clause (the verb comes last), so words after it
    are the next thing said: "사용한 자료에 면적 없음 | 문화체육관광부가 별도로 추진" (a table row). English
    names what is missing after the remark ("no figure was found for …"): it is kept whole."""
    m = NOT_STATED.search(clause)
    if m is None or not re.search(r"[가-힣]", m.group()):
        return clause, ""
    end = _SPACE.search(clause, m.end())
    return (clause[:end.start()], clause[end.start():].strip()) if end else (clause, "")


# A numbered phase of a project: "3단계 구간", "Phase 3"; an ordinal ("38th", "the second phase", "두 번째") may
# be one. Rounds and terms (제1차 종합발전계획, 제414회 제1차 회의) are left alone: a question names them as where
# its fact was said, and the answering sentence seldom repeats that ("제1차" was asked, "회의록 제1호" printed).
_PHASE = re.compile(r"(?<![\d.,])(\d{1,3})\s*단계|\bphase\s*(\d{1,3})\b", re.I)
_ORDINAL = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\b|(첫|두|세|네|다섯)\s*번째|(첫|둘|셋|넷)째|\b(first|second|third|fourth|fifth)\b",
                      re.I)
_ORDINAL_VALUE = {w: str(i + 1) for words in (("첫", "두", "세", "네", "다섯"), ("첫", "둘", "셋", "넷"),
                                              ("first", "second", "third", "fourth", "fifth"))
                  for i, w in enumerate(words)}


def phases(text: str) -> set[str]:
    """The phase numbers a text names: "센텀2 3단계 구간" -> {"3"}; "Phase 1 and Phase 2" -> {"1", "2"}."""
    return {m.group(1) or m.group(2) for m in _PHASE.finditer(text)}


def ordinals(text: str) -> set[str]:
    """Numbers a text gives as ordinals: "38th plenary" -> {"38"}; "두 번째 지정", "the second phase" -> {"2"}."""
    out = set()
    for m in _ORDINAL.finditer(text):
        word = next(g for g in m.groups() if g)
        out.add(word if word.isdigit() else _ORDINAL_VALUE[word.lower()])
    return out


def phase_missing(question: str, answer_texts: Sequence[str]) -> bool:
    """The question names a phase ("3단계 구간의 면적") that no sentence of the answer names: the answer is about
    another phase or the whole ("특구 면적은 191만㎡"), not what was asked."""
    asked = phases(question)
    if not asked:
        return False
    given = set().union(*(phases(t) | ordinals(t) for t in answer_texts))
    return not asked <= given


# A figure asked as of a year: "2023년 말 기준 …", "2025년 한 해 동안 …", "… in 2023?", "as of 2024".
_AS_OF_YEAR = re.compile(r"((?:19|20)\d{2})\s*년\s*(?:\d{1,2}\s*월\s*)?(?:말\s*)?(?:기준|한\s*해|동안)|"
                         r"\b(?:in|as of|at the end of|by the end of)\s+((?:19|20)\d{2})\b(?!\s*[-–])", re.I)


def year_missing(question: str, answer_texts: Sequence[str]) -> bool:
    """The question asks for a figure as of a year ("2023년 말 기준 인구는?", "What budget did they receive in
    2023?") and no sentence of the answer names that year: the answer is another year's figure ("436억 won in
    2017"), not what was asked."""
    m = _AS_OF_YEAR.search(question)
    if not m:
        return False
    year = m.group(1) or m.group(2)
    return not any(year in t for t in answer_texts)


def question_types(question: str) -> list[str]:
    types = [name for name, (cue, _) in QUESTION_TYPES.items() if cue.search(question)]
    if "deadline" in types and "date" not in types:
        types.append("date")  # "by when" asks for a date too
    # "quantity" is the fallback for a bare 얼마 / how much; a named kind (사업비 얼마, 면적은 얼마) is stricter.
    return [t for t in types if t != "quantity"] if len(types) > 1 else types


# What a bare "얼마 / how much" may be asking for: any of the kinds a quantity can be.
_QUANTITY_KINDS = ("amount", "area", "count", "percent", "duration", "size")


def names_kind(types: list[str], remark: str) -> bool:
    """A "not given" remark names the kind of thing asked: "금액은 공개 자료에서 확인되지 않음" for "얼마", "the
    amounts are not published" for a cost question. It answers the question as far as the sources go."""
    kinds = {k for t in types for k in (_QUANTITY_KINDS if t == "quantity" else (t,))}
    return any(QUESTION_TYPES[k][0].search(remark) for k in kinds)


_COUNTED = re.compile(_COUNT, re.I)
_FULL_DATE = re.compile(r"\d{1,2}\s*월\s*\d{1,2}\s*일|(?:19|20)\d{2}[-./]\s*\d{1,2}[-./]\s*\d{1,2}|"
                        r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|"
                        r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2}\b|"
                        r"공포\s*(?:후|한\s*날)", re.I)


def _holds(kind: str, sentence: str, question: str) -> bool:
    pattern = QUESTION_TYPES[kind][1]
    if kind not in ("who", "law") or not question:
        return bool(pattern.search(sentence))
    # "진흥재단은 누가 설립할 수 있나요?": the foundation the question names is not who sets it up. A body or
    # office (or a law: "「…특별법」은 어떤 법률로 바뀌었나요") counts only when its word is not the question's own.
    asked = _SPACE.sub("", question).lower()
    for m in pattern.finditer(sentence):
        start = m.start()
        while start > 0 and (sentence[start - 1].isalnum() or sentence[start - 1] == "·"):
            start -= 1
        if _SPACE.sub("", sentence[start:m.end()]).lower() not in asked:
            return True
    return False


def type_match(types: list[str], sentence: str, question: str = "") -> float:
    """+1 when the sentence holds what one of the question types asks for, 0 when there is no type, -1 otherwise.
    A date question is only half answered by a bare year ("2050 탄소중립" holds a year, not a date)."""
    if not types:
        return 0.0
    if not any(_holds(t, sentence, question) for t in types):
        return -1.0
    if types == ["date"] and not _FULL_DATE.search(sentence):
        return 0.5
    if "deadline" in types and not QUESTION_TYPES["deadline"][1].search(sentence):
        return 0.5  # a date, but not given as an end
    # Likewise a count question is only half answered by a bare figure: "몇 명" wants "20명", not "표 3".
    if types == ["count"] and not _COUNTED.search(sentence):
        return 0.5
    return 1.0


# A form field ("m 사업금액 : 1,062,888천원", "(71) 출원인 주식회사 …", "일 시 2024년5월7일"): its label names what
# it holds. A label is followed by a colon, numbered like a patent field, letter-spaced, or followed by a figure.
_FIELD_HEAD = re.compile(r"^(?:[^\w\s(]|[a-z](?=\s)|\s){0,4}(\(\d{1,3}\)\s*)?")
FIELD_LABELS = {
    "date": ("일시", "일자", "날짜", "기간", "시행일", "출원일자", "등록일자", "공고일"),
    "amount": ("금액", "사업비", "예산", "추정가격", "사업금액", "계약금액"),
    "quantity": ("금액", "사업비", "예산", "추정가격", "사업금액", "면적", "인원", "규모"),
}


def _field_label(sentence: str) -> tuple[str, bool] | None:
    """(label, form-like): form-like when numbered or letter-spaced, as on a printed form (patent, minutes)."""
    head = _FIELD_HEAD.match(sentence)
    numbered = bool(head.group(1))
    words = sentence[head.end():].split()
    for k in (1, 2, 3):
        if len(words) <= k:
            break
        label_words, rest = words[:k], words[k]
        if not all(re.fullmatch(r"[가-힣]{1,8}", w) for w in label_words):
            break
        spaced = k >= 2 and all(len(w) == 1 for w in label_words)
        if k >= 2 and not spaced:
            break
        if rest in (":", "：") or numbered or spaced or rest[0].isdigit():
            # "사업금액 : …" (a colon set apart, as forms print it) is form-like; "사업협의체: …" is prose.
            return "".join(label_words), numbered or spaced or rest in (":", "：")
    m = re.match(r"([가-힣]{2,8})\s*[:：]", sentence[head.end():])
    return (m.group(1), False) if m else None


def is_table_row(sentence: str) -> bool:
    """A table row as candidates show it: "column: cell · column: cell"."""
    return " · " in sentence


def field_match(question: str, sentence: str, types: list[str]) -> float:
    """1 when the sentence is a form field whose label the question names ("사업금액은 얼마") or whose label holds
    the kind of thing asked (a date question and "일 시 2024년5월7일")."""
    if is_table_row(sentence):
        return 0.0  # matched by its cells
    found = _field_label(sentence)
    if not found or len(found[0]) < 2:
        return 0.0
    label, form = found
    # Only printed forms (numbered, letter-spaced or "label : value" fields): in prose and tables a leading
    # "X:" is a heading or a column name, which coverage already counts. Measured on our test set, counting
    # those too cost 0.023 accuracy.
    if not form:
        return 0.0
    if label in "".join(question.split()):
        return 1.0
    return 1.0 if any(label in FIELD_LABELS.get(t, ()) for t in types) else 0.0


def coverage(query_terms: dict[str, float], sentence_terms: set[str], context_terms: set[str],
             near_terms: set[str] = frozenset(), near: float = 0.0,
             aliases: dict[str, Sequence[frozenset[str]]] | None = None) -> float:
    """Share of the question's IDF weight found in the sentence (full), only in its passage's title/heading (half),
    or only in the sentence before it (`near` of its weight; none unless given). A term with aliases (another way
    the documents write it, as tokens) also counts where all tokens of one alias are."""
    total = sum(query_terms.values())
    if total <= 0:
        return 0.0
    got = 0.0
    for term, w in query_terms.items():
        alts = aliases.get(term, ()) if aliases else ()
        if term in sentence_terms or any(a <= sentence_terms for a in alts):
            got += w
        elif term in context_terms or any(a <= context_terms for a in alts):
            got += 0.5 * w
        elif term in near_terms or any(a <= near_terms for a in alts):
            got += near * w
    return got / total


def group_coverage(groups: Sequence[tuple[float, Sequence[frozenset[str]]]], sentence_terms: set[str],
                   context_terms: set[str], near_terms: set[str] = frozenset(), near: float = 0.0) -> float:
    """coverage() when a question word may be written several ways (a translation: 착공 -> "groundbreaking" or
    "start construction"): a group counts when all tokens of any one of its renderings are there (in the sentence
    before it, `near` of its weight)."""
    total = sum(w for w, _ in groups)
    if total <= 0:
        return 0.0
    got = 0.0
    for w, renderings in groups:
        if any(r and r <= sentence_terms for r in renderings):
            got += w
        elif any(r and r <= context_terms for r in renderings):
            got += 0.5 * w
        elif near and any(r and r <= near_terms for r in renderings):
            got += near * w
    return got / total


@dataclass(frozen=True)
class Weights:
    # Measured on eval/testset.jsonl (answerable, top-8 passages): accuracy 0.587-0.637 over the grid tried;
    # the question-type signal helps most, dense-heavy mixes least.
    lexical: float = 0.50
    dense: float = 0.30
    rank: float = 0.10
    qtype: float = 0.20


def sentence_score(lex: float, dense: float, rank: int, n_ranked: int, tmatch: float, w: Weights = Weights()) -> float:
    """Combine the evidence signals into one score in about [0, 1]."""
    dense01 = min(1.0, max(0.0, (dense - 0.1) / 0.6))
    rank01 = 1.0 - rank / max(n_ranked, 1)
    return w.lexical * lex + w.dense * dense01 + w.rank * rank01 + w.qtype * tmatch


_BULLET = re.compile(r"^\s*(?:[-*•·▪◦]|\d+[.)]|[①-⑳]|[가-하][.)])\s+")
_HEADING = re.compile(r"^\s*#+\s*")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}")


# A contents entry's dot leader and page number ("위원 구성 현황 ·····9", "현황 ···1 0" as PDFs space it): the page
# number would pass for a figure ("몇 명" answered with "…현황 ·····9"); the title is what the entry says.
_CONTENTS_LEADER = re.compile(r"\s*(?:[·.…‧ㆍ・]\s?){4,}\s*\d[\d\s]*$")


def clean_sentence(text: str) -> str:
    """A sentence as shown in an answer: no bullet or heading marks, no contents leader; a table row as 'cell ·
    cell'."""
    s = _CONTENTS_LEADER.sub("", text.strip())
    if s.startswith("|") or s.count("|") >= 2:
        cells = [c.strip() for c in s.strip("|").split("|")]
        s = " · ".join(c for c in cells if c)
    s = _HEADING.sub("", s)
    s = _BULLET.sub("", s)
    return s.strip()


def is_content_sentence(text: str) -> bool:
    s = text.strip()
    if _TABLE_SEP.match(s):
        return False
    return len(clean_sentence(s)) >= 6


FEATURES = ("lexical", "dense", "rank", "top_passage", "type", "passage_gap", "retrieval_confidence",
            "other_language", "length", "has_number", "not_stated", "lexical_x_type")


def candidate_features(lex: float, dense: float, rank: int, n_ranked: int, tmatch: float, passage_score: float,
                       top_score: float, other_language: bool, text: str) -> tuple[float, ...]:
    """The evidence of one sentence as numbers in about [0, 1], in FEATURES order (the answer model's input).
    passage_score/top_score are fused retrieval scores (standardised-score fusion: a few units apart)."""
    dense01 = min(1.0, max(0.0, (dense - 0.1) / 0.6))
    return (
        lex,
        dense01,
        1.0 - rank / max(n_ranked, 1),
        1.0 if rank == 0 else 0.0,
        min(tmatch, 2.0),
        min(max(top_score - passage_score, 0.0), 3.0) / 3.0,
        min(max(top_score, -1.0), 5.0) / 5.0,
        1.0 if other_language else 0.0,
        min(len(text), 400) / 400,
        1.0 if re.search(r"\d", text) else 0.0,
        1.0 if NOT_STATED.search(text) else 0.0,
        lex * min(tmatch, 1.0),
    )


@dataclass(frozen=True)
class AnswerModel:
    """Logistic regression over candidate_features: the probability that a sentence holds the answer.
    Trained by scripts/train_answer_model.py on questions written from the corpus (eval/train/), never the test set;
    `threshold` (decline below it) is calibrated on eval/heldout.jsonl."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def score(self, features: Sequence[float]) -> float:
        z = self.bias + sum(w * f for w, f in zip(self.weights, features))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    @classmethod
    def load(cls, path=None) -> "AnswerModel | None":
        """The shipped model (assistant/data/answer_model.json), or None when absent or for other features."""
        import json
        from importlib import resources

        try:
            raw = (json.loads(open(path, encoding="utf-8").read()) if path else
                   json.loads(resources.files("assistant.data").joinpath("answer_model.json").read_text(encoding="utf-8")))
        except (FileNotFoundError, ValueError):
            return None
        if tuple(raw.get("features", ())) != FEATURES:
            return None
        return cls(tuple(raw["weights"]), float(raw["bias"]), float(raw["threshold"]))


def fit_logistic(X: Sequence[Sequence[float]], y: Sequence[int], l2: float = 1e-2, steps: int = 3000,
                 lr: float = 0.5) -> tuple[list[float], float]:
    """Plain L2-regularised logistic regression by gradient descent (numpy only); classes weighted to balance."""
    import numpy as np

    Xa = np.asarray(X, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    pos = max(ya.sum(), 1.0)
    neg = max(len(ya) - ya.sum(), 1.0)
    sw = np.where(ya > 0, len(ya) / (2 * pos), len(ya) / (2 * neg))
    w = np.zeros(Xa.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(Xa @ w + b)))
        g = sw * (p - ya)
        w -= lr * (Xa.T @ g / len(ya) + l2 * w)
        b -= lr * g.mean()
    return [float(v) for v in w], float(b)
