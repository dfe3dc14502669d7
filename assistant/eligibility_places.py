"""Places in an eligibility question, through the gazetteer: which place applies (and so who: 광역시장, 도지사, a
대도시's mayor …), the city whose population counts, and where something moves to (capital region, a metropolitan
city outside it, elsewhere)."""

from __future__ import annotations

import re
from typing import Any


# Who heads each kind of local government, in the applicant fact's choices (eligibility.yaml). A 시's mayor depends
# on its population (the 50만 line), so it is not here.
_HEAD_OF = {"광역시": "광역시장", "특별자치시": "특별자치시장", "도": "도지사", "특별자치도": "특별자치도지사",
            "군": "군수·자치구 구청장", "자치구": "군수·자치구 구청장", "특별시": "기타"}
_CITY_LINE = 500_000
# A place the question makes its subject, the one that would apply: "청주시도 …", "김해시청에서 …", "Can Cheonan …".
_SUBJECT_AFTER_KO = re.compile(r"(?:시|군|구|도)?(?:청|시청|군청|구청|도청)?\s*(?:은|는|이|가|도|에서|에선|쪽에서|측에서|측은)(?![가-힣])")
_SUBJECT_BEFORE_EN = re.compile(r"\b(?:can|could|may|does|is|would)\s+(?:the\s+)?(?:city\s+of\s+)?$", re.I)
_SUBJECT_AFTER_EN = re.compile(r"(?:\s+(?:city|county|district|metropolitan city|province))?(?:'s\s+mayor)?\s+"
                               r"(?:can|could|may|wants?|plans?|is|would|will|intends?|hopes?|applies|apply|files?)\b", re.I)


def _subject_place(q: str):
    """The first place the question names as the one that acts (applies), or None."""
    from assistant.gazetteer import mentions

    for place, start, end in sorted(mentions(q), key=lambda m: m[1]):
        if (_SUBJECT_AFTER_KO.match(q, end) or _SUBJECT_BEFORE_EN.search(q[:start])
                or _SUBJECT_AFTER_EN.match(q, end)):
            return place
    return None


def _city_head(population: int | None) -> str | None:
    if population is None:
        return None
    return "인구 50만 이상 대도시 시장" if population >= _CITY_LINE else "기타"


def applicant_of(q: str, out: dict[str, Any]) -> tuple[str | None, Any]:
    """Who applies: from a head named (시장, 도지사) and the place the question names, else the head of the place the
    question makes its subject (returned too, as where the applicant was read from); a 시's mayor by its
    population (stated, else the gazetteer's)."""
    from assistant.gazetteer import resolve

    kinds = {p.kind for p in resolve(q)}
    if kinds & {"군", "자치구"} and re.search(r"구청장|군수|district\s+(?:head|mayor)|county\s+(?:head|executive)", q, re.I):
        return "군수·자치구 구청장", None
    if re.search(r"시장|도지사|지사|mayor|governor", q, re.I):
        if "광역시" in kinds:
            return "광역시장", None
        if kinds & {"도", "특별자치도"} and re.search(r"도지사|governor", q, re.I):
            return ("도지사" if "도" in kinds else "특별자치도지사"), None
        own_city = not kinds and re.search(r"시장\s*님?\s*(?:명의|이름|께서)|(?:our|the)\s+mayor", q, re.I)
        return (_city_head(out.get("population")) if "시" in kinds or own_city else None), None
    place = _subject_place(q)
    if place is None:
        return None, None
    return (_city_head(out.get("population")) if place.kind == "시" else _HEAD_OF.get(place.kind)), place


def population_city(q: str):
    """The one city the question names (a 시, 광역시 or 특별자치시) whose population the gazetteer holds, or None."""
    from assistant.gazetteer import resolve

    cities = [p for p in resolve(q) if p.kind in ("시", "광역시", "특별자치시") and p.population]
    return cities[0] if len(cities) == 1 else None


# The place something moves to: "대구로 이전", "창원시로 옮기면", "to Daegu", a list's "이전 예정지: 경주".
_DESTINATION = re.compile(r"(\S+?)\s*(?:으로|로)\s*(?:(?:본사|공장|사옥|회사)(?:를|을|\s+(?=옮|이사|내려))\s*|(?:전부|모두|함께|통째로|다시|다)\s*)*"
                          r"(?:이전|옮기|옮겨|옮깁|옮길|옮긴|이사|이주|내려)|"
                          r"\b(?:move|moving|relocat\w*)\b[^.?]*?\bto\s+((?:[A-Z][\w-]*\s?){1,3})|"
                          r"(?:이전\s*(?:예정)?\s*지|이전할\s*곳|옮길\s*곳|destination)\s*[:：]\s*([^\n,(]+)")


_OWN_AREA = re.compile(r"(?:(?:우리|저희|당)\s*(?:시|군|구)|관내\S*)$")


def places_in(question: str, where: str) -> list:
    """The gazetteer's places the question names ("named") or moves to ("destination": the word before 으로/로, or
    the nearest words before it that name a place, "평택 고덕 쪽으로"). Of several moves the last told is the one
    asked about ("2018년에 대전으로 옮겼다가 … 이번에 순천으로")."""
    from assistant.gazetteer import resolve

    if where != "destination":
        return resolve(question)
    for m in reversed(list(_DESTINATION.finditer(question))):
        if _OWN_AREA.search(question[:m.end(1)]):
            # "우리 군으로", "관내로": the writer's own local government, the first the message names.
            found = [p for p in resolve(question) if p.province is not None][:1]
        elif m.group(2) or m.group(3):
            found = resolve(m.group(2) or m.group(3))
        else:
            words = question[:m.end(1)].split()
            found = next((f for n in range(1, min(3, len(words)) + 1) if (f := resolve(" ".join(words[-n:])))), [])
        if found:
            return found
    return []


def in_capital_region_all(places: list) -> bool | None:
    """Whether the places (those a question names or moves to) are in the capital region, from the gazetteer; None
    for none, or several that disagree."""
    from assistant.gazetteer import in_capital_region

    regions = {in_capital_region(p) for p in places}
    return regions.pop() if len(regions) == 1 else None


# The relocation reliefs' kinds of destination (조세특례제한법 제63조 제1항 제2호 가목), as eligibility.yaml names them.
CAPITAL, METRO_CITY, ELSEWHERE = "수도권", "수도권 밖 광역시", "그 밖의 지역"


def destination_area(question: str) -> str | None:
    """Which kind of area the place something moves to is: the capital region, a metropolitan city outside it (its
    districts and counties included), or elsewhere; None when the question names no single destination."""
    from assistant.gazetteer import in_capital_region, province_of

    areas = {CAPITAL if in_capital_region(p) else METRO_CITY if province_of(p).kind == "광역시" else ELSEWHERE
             for p in places_in(question, "destination")}
    return areas.pop() if len(areas) == 1 else None
