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
from assistant.evaluation.metrics import canonical_dates


@dataclass(frozen=True)
class Reader:
    """One way a question states a fact (eligibility.yaml `readers`)."""
    pattern: re.Pattern
    value: Any = None
    number: bool = False
    scale: float = 1.0

    def read(self, question: str) -> Any:
        m = self.pattern.search(question)
        if m is None:
            return None
        if not self.number:
            return self.value
        value = float(m.group(1)) + (float(m.group(2)) / 10 if m.lastindex and m.lastindex >= 2 and m.group(2) else 0)
        value = round(value * self.scale, 4)
        return int(value) if value.is_integer() else value


@lru_cache(maxsize=1)
def readers() -> dict[str, tuple[Reader, ...]]:
    raw = _rules()
    return {key: tuple(Reader(re.compile(r["pattern"], re.I), r.get("value"), bool(r.get("number")),
                              float(r.get("scale", 1.0))) for r in rules)
            for key, rules in (raw.get("readers") or {}).items()}


_ISO_DAY = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")  # dates in any language, made ISO
_FULL_DATE = re.compile(r"((?:19|20)\d{2})\s*[년.-]\s*(\d{1,2})\s*[월.-]\s*(\d{1,2})\s*일?")


def _read_data_facts(q: str, programme: Programme, out: dict[str, Any]) -> None:
    """The facts the rules file says how to read, and a date fact from the question's one full date."""
    rules = readers()
    for fact in programme.facts:
        if fact.key in out:
            continue
        for reader in rules.get(fact.key, ()):
            value = reader.read(q)
            if value is not None:
                out[fact.key] = value
                break
        if fact.key not in out and fact.type == "date":
            found = _FULL_DATE.findall(q) + _ISO_DAY.findall(canonical_dates(q))
            dates = {f"{int(y):04d}-{int(mth):02d}-{int(d):02d}" for y, mth, d in found}
            if len(dates) == 1:
                out[fact.key] = dates.pop()


def _applicant(q: str, out: dict[str, Any]) -> str | None:
    """Who applies, from the place the question names (gazetteer) and its population: the mayor of a 시 of
    500,000 or more, a metropolitan mayor, a provincial governor."""
    from assistant.gazetteer import resolve

    if not re.search(r"시장|도지사|지사|mayor|governor", q, re.I):
        return None
    kinds = {p.kind for p in resolve(q)}
    if "광역시" in kinds:
        return "광역시장"
    if "시" in kinds and out.get("population", 0) >= 500_000:
        return "인구 50만 이상 대도시 시장"
    if kinds & {"도", "특별자치도"} and re.search(r"도지사|governor", q, re.I):
        return "도지사" if "도" in kinds else "특별자치도지사"
    return None


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
    """The programme an eligibility question is about, or None when the question is not one. Each keyword the
    question holds counts by its length over the number of programmes sharing it: a programme's own name
    (기회발전특구) outweighs a word several share (법인세 감면, 이전)."""
    asks = bool(question_cue("asks").search(question))
    if not asks and not is_eligibility_question(question):
        return None
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
    # Asked colloquially ("…되나요?"), it is about the asker's own case only when it says whose case it is (저희,
    # our …) or states a fact the programme's conditions use; else it is a question about the rules, for a passage.
    if best is not None and not asks and not (question_cue("personal").search(question) or extract_facts(question, best)):
        return None
    return best


# The place something moves to: "대구로 이전", "창원시로 옮기면", "to Daegu".
_DESTINATION = re.compile(r"(\S+?)\s*(?:으로|로)\s*(?:(?:본사|공장|사옥|회사)(?:를|을)\s*|(?:전부|모두|함께|통째로|다)\s*)*"
                          r"(?:이전|옮기|옮겨|이사|이주|내려)|"
                          r"\b(?:move|moving|relocat\w*)\b[^.?]*?\bto\s+((?:[A-Z][\w-]*\s?){1,3})")


def _places(question: str, where: str) -> list:
    """The gazetteer's places the question names ("named") or moves to ("destination": the word before 으로/로,
    or the nearest words before it that name a place, "평택 고덕 쪽으로")."""
    from assistant.gazetteer import resolve

    if where != "destination":
        return resolve(question)
    m = _DESTINATION.search(question)
    if not m:
        return []
    if m.group(2):
        return resolve(m.group(2))
    words = question[:m.end(1)].split()
    for n in range(1, min(3, len(words)) + 1):
        found = resolve(" ".join(words[-n:]))
        if found:
            return found
    return []


def place_in_capital_region(question: str, where: str) -> bool | None:
    """Whether the place the question names ("named") or moves to ("destination") is in the capital region, from
    the gazetteer; None when it names none, or several that disagree."""
    from assistant.gazetteer import in_capital_region

    regions = {in_capital_region(p) for p in _places(question, where)}
    return regions.pop() if len(regions) == 1 else None


# The relocation reliefs' kinds of destination (조세특례제한법 제63조 제1항 제2호 가목), as eligibility.yaml names them.
CAPITAL, METRO_CITY, ELSEWHERE = "수도권", "수도권 밖 광역시", "그 밖의 지역"


def destination_area(question: str) -> str | None:
    """Which kind of area the place something moves to is: the capital region, a metropolitan city outside it (its
    districts and counties included), or elsewhere; None when the question names no single destination."""
    from assistant.gazetteer import in_capital_region, province_of

    areas = {CAPITAL if in_capital_region(p) else METRO_CITY if province_of(p).kind == "광역시" else ELSEWHERE
             for p in _places(question, "destination")}
    return areas.pop() if len(areas) == 1 else None


_KO_DIGITS = {c: i for i, c in enumerate("영일이삼사오육칠팔구")}
_KO_SPELLED = re.compile(r"(?<![가-힣\d.])([일이삼사오육칠팔구]?천)?([일이삼사오육칠팔구]?백)?([일이삼사오육칠팔구]?십)?([일이삼사오육칠팔구])?"
                         r"(?=\s*(?:만|억|명|년|개))")
_EN_WORDS = dict(zip("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                     "sixteen seventeen eighteen nineteen twenty thirty forty fifty".split(),
                     [*range(1, 21), 30, 40, 50]))
_EN_SPELLED = re.compile(r"\b(" + "|".join(_EN_WORDS) + r")\b(?=\s+(?:million|thousand|hundred|years?|people|"
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
    return _EN_SPELLED.sub(lambda m: str(_EN_WORDS[m.group(1).lower()]), text)


def extract_facts(question: str, programme: Programme) -> dict[str, Any]:
    """Facts stated in the question, for the keys this programme uses."""
    keys = {f.key for f in programme.facts}
    out: dict[str, Any] = {}
    question = spelled_numbers(question)
    q = question.replace(",", "")
    if "population" in keys:
        m = re.search(r"인구\s*(?:가|는|이|도)?\s*(?:약\s*)?(\d+(?:\.\d+)?)\s*(만|천)?\s*명?|(\d+(?:\.\d+)?)\s*(만|천)?\s*명\s*(?:인|의|규모)?", q)
        m_en = re.search(r"(?:population\s+(?:of\s+)?)?(\d+(?:\.\d+)?)\s*(million|thousand)?\s*(?:people|residents|inhabitants)|"
                         r"(?:population|city|town)\s+of\s+(?:about\s+|around\s+|roughly\s+|some\s+|nearly\s+)?"
                         r"(\d+(?:\.\d+)?)\s*(million|thousand)?", q, re.I)
        if m:
            num, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            out["population"] = int(float(num) * {"만": 10_000, "천": 1_000}.get(unit or "", 1))
        elif m_en:
            num, unit = (m_en.group(1), m_en.group(2)) if m_en.group(1) else (m_en.group(3), m_en.group(4))
            out["population"] = int(float(num) * {"million": 1_000_000, "thousand": 1_000}.get((unit or "").lower(), 1))
    if "capital_region" in keys:
        where = programme.fact("capital_region").place
        in_region = place_in_capital_region(q, where) if where else None
        if re.search(r"비수도권|수도권\s*(?:밖|외|이외|바깥)|outside\s+(?:the\s+)?(?:capital|seoul)|non-capital|provincial", q, re.I):
            out["capital_region"] = False
        elif in_region is not None:
            out["capital_region"] = in_region
        elif re.search(r"수도권|서울|경기|인천|capital region|seoul|gyeonggi|incheon", q, re.I):
            out["capital_region"] = True
    if "destination_area" in keys:
        area = destination_area(q)
        if area:
            out["destination_area"] = area
    if "sme" in keys:
        if re.search(r"중견|대기업|large (?:firm|company)|mid-sized", q, re.I):
            out["sme"] = False
        elif re.search(r"중소기업|\bSME\b|small (?:and medium|business|firm)", q, re.I):
            out["sme"] = True
    if "years_in_overcrowding_zone" in keys:
        m = re.search(r"(\d+(?:\.\d+)?)\s*년\s*(반|\d{1,2}\s*개월)?\s*(?:이상|간|동안|째)?", q) or re.search(
            r"(\d+(?:\.\d+)?)()\s*years?", q, re.I)
        if m and re.search(r"과밀|수도권|서울|overcrowd|capital|seoul", q, re.I):
            extra = m.group(2) or ""
            years = float(m.group(1)) + (0.5 if extra == "반" else int(extra[:-2]) / 12 if extra else 0)
            out["years_in_overcrowding_zone"] = int(years) if years.is_integer() else round(years, 2)
    if "same_industry" in keys:
        if re.search(r"같은\s*업종|동일\s*업종|same (?:industry|business)", q, re.I):
            out["same_industry"] = not re.search(r"다른\s*업종|바꾸|different (?:industry|business)", q, re.I)
        elif re.search(r"다른\s*업종|업종을\s*바꾸|different (?:industry|business)", q, re.I):
            out["same_industry"] = False
    if "in_odz" in keys and re.search(r"기회발전특구\s*(?:안|내|에\s*(?:투자|입주|들어))|inside (?:an|the) (?:opportunity|ODZ)", q, re.I):
        out["in_odz"] = True
    if "years_since_founding" in keys:
        m = re.search(r"(?:창업|설립)\s*(?:한\s*지\s*)?(\d+)\s*년|(\d+)\s*년\s*(?:차|된)\s*(?:스타트업|창업|기업)|(\d+)[- ]year[- ]old", q, re.I)
        if m:
            out["years_since_founding"] = int(next(g for g in m.groups() if g))
    _read_data_facts(question, programme, out)
    if "applicant" in keys and "applicant" not in out:
        who = _applicant(question, out)
        if who:
            out["applicant"] = who
    return out
