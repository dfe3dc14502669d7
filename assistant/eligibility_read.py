"""Reading an eligibility question: which programme it is about, and the facts it states (population, capital
region through the gazetteer, firm size, years, dates …), so that the checker never asks for them again. The
patterns of the facts the rules file describes live in assistant/data/eligibility.yaml (`readers`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.cues import data_pattern
from assistant.eligibility import Programme, _rules, programmes
from assistant.eligibility_places import (applicant_of, destination_area, in_capital_region_all, places_in,
                                         population_city)
from assistant.evaluation.metrics import canonical_dates


@dataclass(frozen=True)
class Reader:
    """One way a question states a fact (eligibility.yaml `readers`)."""
    pattern: re.Pattern
    value: Any = None
    number: bool = False
    scale: float = 1.0
    part: float = 10.0  # a second group is this fraction of the first's unit: 3억 5천 (10), 2년 6개월 (12)
    undecided: bool = False  # the question says the fact is not settled yet: it stays unknown

    def read(self, question: str) -> Any:
        m = self.pattern.search(question)
        if m is None:
            return None
        if not self.number:
            return self.value
        value = float(m.group(1)) + (float(m.group(2)) / self.part if m.lastindex and m.lastindex >= 2 and m.group(2) else 0)
        value = round(value * self.scale, 4)
        return int(value) if value.is_integer() else value


@lru_cache(maxsize=1)
def readers() -> dict[str, tuple[Reader, ...]]:
    raw = _rules()
    return {key: tuple(Reader(re.compile(r["pattern"], re.I), r.get("value"), bool(r.get("number")),
                              float(r.get("scale", 1.0)), float(r.get("part", 10.0)), bool(r.get("undecided")))
                       for r in rules)
            for key, rules in (raw.get("readers") or {}).items()}


_ISO_DAY = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")  # dates in any language, made ISO
_FULL_DATE = re.compile(r"((?:19|20)\d{2}|['‘’]\d{2})\s*[년.-]\s*(\d{1,2})\s*[월.-]\s*(\d{1,2})\s*일?")


def _full_year(year: str) -> int:
    """'2027' → 2027; "'27" (this century, as spoken) → 2027."""
    return int(year) if year[0].isdigit() else 2000 + int(year[1:])


def _read_data_facts(q: str, programme: Programme, out: dict[str, Any]) -> set[str]:
    """The facts the rules file says how to read, and a date fact from the question's one full date; returns the
    facts the question says are not settled yet."""
    undecided: set[str] = set()
    rules = readers()
    for fact in programme.facts:
        if fact.key in out:
            continue
        for reader in rules.get(fact.key, ()):
            if reader.undecided and reader.pattern.search(q):
                undecided.add(fact.key)
                break
            value = None if reader.undecided else reader.read(q)
            if value is not None:
                out[fact.key] = value
                break
        if fact.key not in out and fact.type == "date":
            found = _FULL_DATE.findall(q) + _ISO_DAY.findall(canonical_dates(q))
            dates = {f"{_full_year(y):04d}-{int(mth):02d}-{int(d):02d}" for y, mth, d in found}
            if len(dates) == 1:
                out[fact.key] = dates.pop()
    return undecided


# --- recognising an eligibility question in chat --------------------------------------------------------------
@lru_cache(maxsize=None)
def question_cue(name: str) -> re.Pattern:
    """One of eligibility.yaml's `question_cues` (asks, situational, personal, fact_asked)."""
    return data_pattern(_rules()["question_cues"][name]["pattern"])


def is_eligibility_question(question: str) -> bool:
    """It asks whether something is possible or can be had, or whether something holds for the asker without
    asking for a fact (how much, when, who …: a passage answers those)."""
    if question_cue("asks").search(question):
        return True
    return bool(question_cue("situational").search(question)) and not question_cue("fact_asked").search(
        asking_part(question))


def asking_part(question: str) -> str:
    """The sentences that ask (those ending in a question mark, else the last): a question that tells its case
    first ("Jeonju, which has 640,000 residents, …") asks for a fact only if its asking sentence does."""
    from assistant.text import split_sentences

    sentences = [question[a:b].strip() for a, b in split_sentences(question)]
    asking = [t for t in sentences if t.rstrip().endswith(("?", "？"))]
    return " ".join(asking) if asking else (sentences[-1] if sentences else question)


def detect_programme(question: str) -> Programme | None:
    """The programme an eligibility question is about, or None when the question is not one."""
    asks = bool(question_cue("asks").search(question))
    situational = asks or is_eligibility_question(question)
    best = _named_programme(question)
    if best is None or asks:
        return best
    # Asked colloquially ("…되나요?"), it is about the asker's own case only when it says whose case it is (저희,
    # our …) or states a fact the programme's conditions use; else it is a question about the rules, for a passage.
    if situational and question_cue("personal").search(question):
        return best
    case = read_case(question, best)
    if situational and case.facts:
        return best
    return best if tells_case(question, case) else None


def _named_programme(question: str) -> Programme | None:
    """Each keyword the question holds counts by its length over the number of programmes sharing it: a programme's
    own name (기회발전특구) outweighs a word several share (법인세 감면, 이전)."""
    low = question.lower()
    spread: dict[str, int] = {}
    for p in programmes().values():
        for k in {k.lower() for k in p.keywords}:
            spread[k] = spread.get(k, 0) + 1
    best, best_score = None, 0.0
    for p in programmes().values():
        score = sum(len(k) / spread[k] for k in {k.lower() for k in p.keywords} if k in low)
        if score > best_score:
            best, best_score = p, score
    return best


def tells_case(question: str, case: Case) -> bool:
    """A case told with two or more of the programme's facts in the asker's own words (`case`, read from the
    question), then a question or a request to look at it ("…됨?", "검토 부탁드립니다"), that asks for no fact: the
    rules applied to the case are the answer, whatever words the asking takes."""
    if sum(key not in case.sources for key in case.facts) < 2:
        return False
    if question_cue("fact_asked").search(asking_part(question)):
        return False
    return "?" in question or "？" in question or bool(question_cue("requests").search(question))


_KO_DIGITS = {c: i for i, c in enumerate("영일이삼사오육칠팔구")}
_KO_SPELLED = re.compile(r"(?<![가-힣\d.])([일이삼사오육칠팔구]?천)?([일이삼사오육칠팔구]?백)?([일이삼사오육칠팔구]?십)?([일이삼사오육칠팔구])?"
                         r"(?=\s*(?:만|억|명|년|개))")
_EN_WORDS = dict(zip("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                     "sixteen seventeen eighteen nineteen twenty thirty forty fifty".split(),
                     [*range(1, 21), 30, 40, 50]))
_EN_SPELLED = re.compile(r"\b(?:(twenty|thirty|forty|fifty)-)?(" + "|".join(_EN_WORDS) + r")\b(?=\s+(?:million|thousand|hundred|years?|months?|people|"
                         r"residents|employees|staff)\b)", re.I)


def spelled_numbers(text: str) -> str:
    """Numbers written in words as figures: "팔십오만" → "85만", "백오십억" → "150억", "eleven years" → "11 years"."""
    def korean(m: re.Match) -> str:
        if not m.group(0):
            return ""
        total = 0
        for part, scale in zip(m.groups(), (1000, 100, 10, 1)):
            if part:
                total += (_KO_DIGITS.get(part[0], 1) if len(part) > 1 or scale == 1 else 1) * scale
        return str(total)

    text = _KO_SPELLED.sub(korean, text)
    return _EN_SPELLED.sub(lambda m: str(_EN_WORDS.get((m.group(1) or "").lower(), 0) + _EN_WORDS[m.group(2).lower()]),
                           text)


_KO_POPULATION = re.compile(r"인구\s*(?:가|는|이|도)?\s*(?:약\s*)?(\d+(?:\.\d+)?)\s*(만|천)?\s*명?|"
                            r"(\d+(?:\.\d+)?)\s*(만|천)?\s*명\s*(?:인|의|규모)?|(?:한|약|대략)\s*(\d+(?:\.\d+)?)\s*(만)\s*(?:정도|쯤|명)")
# A figure the population falls short of ("50만이 조금 안 되는"): a bound, not the population, when another is given.
_SHORT_OF = re.compile(r"\s*(?:이|가)?\s*(?:조금|약간|살짝)?\s*(?:안\s*되|못\s*미치|미만|아래|밑)")


def _population_stated(q: str) -> re.Match | None:
    """The Korean statement of a population: the first figure that is not only a bound the population falls
    short of (that one counts when it is the only figure)."""
    found = list(_KO_POPULATION.finditer(q))
    exact = [m for m in found if not _SHORT_OF.match(q, m.end())]
    return (exact or found or [None])[0]


def _population_fact(q: str) -> int | None:
    """The population the question states, in Korean (62만 명, 인구 약 53만) or English (640,000 residents)."""
    m = _population_stated(q)
    m_en = re.search(r"(?:population\s+(?:of\s+)?)?(\d+(?:\.\d+)?)\s*(million|thousand)?\s*(?:people|residents|inhabitants)|"
                     r"(?:population|city|town)\s+of\s+(?:about\s+|around\s+|roughly\s+|some\s+|nearly\s+)?"
                     r"(\d+(?:\.\d+)?)\s*(million|thousand)?", q, re.I)
    if m:
        num, unit = next((m.group(i), m.group(i + 1)) for i in (1, 3, 5) if m.group(i))
        return int(float(num) * {"만": 10_000, "천": 1_000}.get(unit or "", 1))
    if m_en:
        num, unit = (m_en.group(1), m_en.group(2)) if m_en.group(1) else (m_en.group(3), m_en.group(4))
        return int(float(num) * {"million": 1_000_000, "thousand": 1_000}.get((unit or "").lower(), 1))
    return None


def _years_stated(q: str) -> float | None:
    """A span of years the question states: 3년, 2년 반, 1년 6개월, 30개월, 5 years, 18 months (a calendar year such
    as 2019년 is no span)."""
    m = re.search(r"(?<![\d.])(\d{1,2}|an?)\s+years?\s+and\s+(\d{1,2})\s+months?", q, re.I)
    if m:
        return (int(m.group(1)) if m.group(1).isdigit() else 1) + int(m.group(2)) / 12
    m = re.search(r"(?<![\d.])(\d{1,2}(?:\.\d+)?)\s*년\s*(반|\d{1,2}\s*개월)?\s*(?:이상|간|동안|째)?", q) or re.search(
        r"(?<![\d.])(\d{1,2}(?:\.\d+)?)()\s*years?", q, re.I)
    if m:
        extra = m.group(2) or ""
        return float(m.group(1)) + (0.5 if extra == "반" else int(extra[:-2]) / 12 if extra else 0)
    m = re.search(r"(?<![\d.])(\d{1,3})\s*(?:개월|months?\b)", q, re.I)
    return int(m.group(1)) / 12 if m else None


@dataclass(frozen=True)
class Case:
    """What a question tells the checker: its facts, and for those read from the gazetteer rather than stated (a
    city's population, whether a named place is in the capital region), the place each was read from."""
    facts: dict[str, Any]
    sources: dict[str, Any]  # fact key -> gazetteer Place


def extract_facts(question: str, programme: Programme) -> dict[str, Any]:
    """Facts the question states or the gazetteer gives for the places it names, for this programme's keys."""
    return read_case(question, programme).facts


def read_turns(turns: list[str], programme: Programme) -> Case:
    """The facts of a conversation, later turns first; a fact a turn states outranks one read from the gazetteer."""
    facts: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    for turn in turns:
        case = read_case(turn, programme)
        for key, value in case.facts.items():
            if key in case.sources and key in facts and key not in sources:
                continue
            facts[key] = value
            sources.pop(key, None)
            if key in case.sources:
                sources[key] = case.sources[key]
    return Case(facts, sources)


def read_case(question: str, programme: Programme) -> Case:
    keys = {f.key for f in programme.facts}
    sources: dict[str, Any] = {}
    undecided: set[str] = set()
    out = _stated_facts(question, programme, sources, undecided)
    for key in unknown_facts(question, programme):
        out.pop(key, None)
        sources.pop(key, None)
        undecided.add(key)
    if "population" in keys and "population" not in out:
        city = population_city(question)
        if city is not None:
            out["population"] = city.population
            sources["population"] = city
    if "applicant" in keys and "applicant" not in out and "applicant" not in undecided:
        who, place = applicant_of(spelled_numbers(question), out)
        if who:
            out["applicant"] = who
            if place is not None:
                sources["applicant"] = place
    return Case(out, sources)


@lru_cache(maxsize=1)
def unknown_topics() -> dict[str, re.Pattern]:
    return {key: data_pattern(p) for key, p in (_rules().get("unknown_topics") or {}).items()}


_CLAUSE_END = re.compile(r"[.?!？\n,]")
_SENTENCE_END = re.compile(r"[.?!？\n]")


def unknown_facts(question: str, programme: Programme) -> set[str]:
    """The facts the asker says are not known or not settled: each saying (question_cues `unknown`) is about the
    facts whose topic its clause names, from the clause's start to the sentence's end."""
    topics = unknown_topics()
    keys = {f.key for f in programme.facts} & set(topics)
    out: set[str] = set()
    for m in question_cue("unknown").finditer(question):
        before = [b.end() for b in _CLAUSE_END.finditer(question, 0, m.start())]
        start = max(before[-1] if before else 0, m.start() - 60)
        after = _SENTENCE_END.search(question, m.end())
        window = question[start:after.start() if after else len(question)]
        out |= {key for key in keys if topics[key].search(window)}
    return out


def _stated_facts(question: str, programme: Programme, sources: dict[str, Any], undecided: set[str]) -> dict[str, Any]:
    keys = {f.key for f in programme.facts}
    out: dict[str, Any] = {}
    question = spelled_numbers(question)
    q = re.sub(r"(\d+)\s*만\s*(\d)\s*천(?=\s*명)", lambda m: str(int(m[1]) * 10_000 + int(m[2]) * 1_000),
               question.replace(",", ""))  # 53만 3천 명
    population = _population_fact(q) if "population" in keys else None
    if population is not None:
        out["population"] = population
    if "capital_region" in keys:
        where = programme.fact("capital_region").place
        named = places_in(q, where) if where else []
        in_region = in_capital_region_all(named)
        if re.search(r"비수도권|수도권\s*(?:밖|외|이외|바깥)|outside\s+(?:the\s+)?(?:capital|seoul)|non-capital|provincial", q, re.I):
            out["capital_region"] = False
        elif in_region is not None:
            out["capital_region"] = in_region
            sources["capital_region"] = named[0]
        elif re.search(r"수도권\s*(?:안|내|내부)\S*\s*(?:\S+\s*){0,3}?(?:으로|로)\s*(?:\S+\s*)?(?:이전|옮|이사)|"
                       r"(?:move|relocat)\w*\s+(?:\w+\s+){0,3}?(?:within|inside)\s+the\s+capital\s+region", q, re.I):
            out["capital_region"] = True  # the move stays inside the capital region, wherever exactly
        elif where != "destination" and re.search(r"수도권|서울|경기|인천|capital region|seoul|gyeonggi|incheon", q, re.I):
            out["capital_region"] = True
    if "destination_area" in keys:
        area = destination_area(q)
        if area:
            out["destination_area"] = area
    if "sme" in keys:
        if re.search(r"중견|대기업|중소기업\S*\s*(?:은|이)?\s*아니|large\s+(?:[\w-]+\s+){0,2}(?:firm|company|corporation|"
                     r"manufacturer|maker|producer|group)|mid-sized|not\s+(?:\w+\s+){0,2}?an?\s+SME|non-SME", q, re.I):
            out["sme"] = False
        elif re.search(r"중소기업|\bSME\b|small (?:and medium|business|firm)", q, re.I):
            out["sme"] = True
    if "years_in_overcrowding_zone" in keys:
        years = _years_stated(q)
        if years is not None and re.search(r"과밀|수도권|서울|overcrowd|capital|seoul", q, re.I):
            out["years_in_overcrowding_zone"] = int(years) if years.is_integer() else round(years, 2)
    if "same_industry" in keys:
        if re.search(r"같은\s*업종|동일\s*업종|same (?:industry|business)", q, re.I):
            out["same_industry"] = not re.search(r"다른\s*업종|바꾸|different (?:industry|business)", q, re.I)
        elif re.search(r"다른\s*업종|업종을\s*바꾸|different (?:industry|business)", q, re.I):
            out["same_industry"] = False
    if "in_odz" in keys and re.search(r"기회발전특구\s*(?:안|내|에\s*(?:투자|입주|들어))|inside (?:an|the) (?:opportunity|ODZ)", q, re.I):
        out["in_odz"] = True
    if "years_since_founding" in keys:
        m = re.search(r"(?:창업|설립)\s*(?:한\s*지\s*)?(\d+)\s*년(?!\s*\d{1,2}\s*개월)|(\d+)\s*년\s*(?:차|된)\s*(?:스타트업|창업|기업)|"
                      r"(\d+)[- ]year[- ]old", q, re.I)
        if m:  # with months ("7년 2개월") the rules file's readers take it
            out["years_since_founding"] = int(next(g for g in m.groups() if g))
    undecided |= _read_data_facts(question, programme, out)
    return out
