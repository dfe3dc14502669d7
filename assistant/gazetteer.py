"""Korean local governments (assistant/data/gazetteer.yaml) and the places a free-text question names.

Pure lookup: the 17 시·도 and the 226 시·군·자치구 with their short and English names and their population (주민등록인구
at the file's `population_as_of`), plus a few well-known districts (`areas`: 송도, 판교, ...) that resolve to the local
government they lie in.
`import assistant` does not import this module; pyyaml loads on the first call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

PROVINCE_KINDS = ("특별시", "광역시", "특별자치시", "도", "특별자치도")
LOCAL_KINDS = ("시", "군", "자치구")
_HANGUL = re.compile(r"[가-힣]")
# A form followed by 동/읍/면 that ends the word names a neighbourhood of that name ("성남동"), not the place.
_NEIGHBOURHOOD = r"[동읍면](?:[^가-힣]|$|의|에|은|는|이|가|을|를|과|와|쪽|일대|주변)"
# What may stand between a 시·도 and the place it qualifies: "부산 중구", "Jung-gu, Busan", "Gyeonggi-do Hwaseong".
_GAP = re.compile(r"(?:-do\b|\s+province\b)?[\s,·()]*", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    province: str | None  # the 시·도 a 시·군·자치구 belongs to; None for a 시·도
    capital_region: bool  # 수도권 (서울·인천·경기, 수도권정비계획법 제2조)
    en: str
    short: tuple[str, ...] = ()
    population: int | None = None  # 주민등록인구 at population_as_of()

    @property
    def label(self) -> str:
        """'부산광역시 중구' for a 시·군·자치구, the name alone for a 시·도: unique across the gazetteer."""
        return self.name if self.province is None else f"{self.province} {self.name}"


@lru_cache(maxsize=1)
def _data() -> dict:
    import yaml

    text = resources.files("assistant.data").joinpath("gazetteer.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """Every row of the gazetteer, 시·도 first, in file order."""
    rows = tuple(
        Place(name=r["name"], kind=r["kind"], province=r["province"], capital_region=bool(r["capital_region"]),
              en=r["en"], short=tuple(r.get("short") or ()), population=r.get("population"))
        for r in _data()["places"]
    )
    _check_rows(rows)
    return rows


def _check_rows(rows: tuple[Place, ...]) -> None:
    provinces = {p.name: p for p in rows if p.province is None}
    labels = [p.label for p in rows]
    if len(set(labels)) != len(labels):
        raise ValueError("gazetteer: a name occurs twice in one 시·도")
    for p in rows:
        kinds = PROVINCE_KINDS if p.province is None else LOCAL_KINDS
        if p.kind not in kinds:
            raise ValueError(f"gazetteer: {p.label} has kind {p.kind!r}")
        if p.province is not None and p.province not in provinces:
            raise ValueError(f"gazetteer: {p.label} names an unknown 시·도")
        if p.province is not None and p.capital_region != provinces[p.province].capital_region:
            raise ValueError(f"gazetteer: {p.label} disagrees with its 시·도 on capital_region")


def population_as_of() -> tuple[str, str]:
    """The date and source of every row's population figure."""
    return str(_data()["population_as_of"]), str(_data()["population_source"])


@lru_cache(maxsize=1)
def _by_label() -> dict[str, Place]:
    return {p.label: p for p in places()}


@lru_cache(maxsize=1)
def _forms() -> dict[str, tuple[Place, ...]]:
    """Every form a question may use (lower-cased) -> the rows it names; more than one row means ambiguous."""
    forms: dict[str, list[Place]] = {}
    for p in places():
        for form in dict.fromkeys((p.name, *p.short, p.en)):
            forms.setdefault(form.lower(), []).append(p)
    shared = {f: sorted(p.label for p in ps) for f, ps in forms.items() if len(ps) > 1}
    listed = {f.lower(): sorted(c) for f, c in (_data().get("ambiguous") or {}).items()}
    if shared != listed:
        raise ValueError(f"gazetteer: `ambiguous` does not list the shared forms {sorted(set(shared) ^ set(listed))}")
    for area in _data().get("areas") or []:
        target = _by_label().get(area["in"])
        if target is None:
            raise ValueError(f"gazetteer: area {area['name']} is in unknown {area['in']}")
        if forms.setdefault(area["name"].lower(), [target]) != [target]:
            raise ValueError(f"gazetteer: area {area['name']} clashes with a place name")
    return {f: tuple(ps) for f, ps in forms.items()}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    """Longest form first; Korean forms only at a word start, English ones only as whole words."""
    alternatives = []
    for form in sorted(_forms(), key=len, reverse=True):
        if _HANGUL.search(form):
            alternatives.append(rf"(?<![가-힣]){re.escape(form)}(?!{_NEIGHBOURHOOD})")
        else:
            alternatives.append(rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])")
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _qualify(candidates: tuple[Place, ...], at: int, named: list[tuple[int, Place]]) -> Place | None:
    """The candidate whose 시·도 the text names, the nearest mention winning (one before the form first)."""
    by_province = {c.province: c for c in candidates}
    mentions = [(start, p) for start, p in named if p.name in by_province]
    if not mentions:
        return None
    _, province = min(mentions, key=lambda m: (m[0] > at, abs(m[0] - at)))
    return by_province[province.name]


def _qualifiers(text: str, hits: list[tuple[int, int, Place | None]]) -> set[int]:
    """Indexes of 시·도 mentions that only qualify an adjacent place inside them ("부산 중구", "Jung-gu, Busan")."""
    out = set()
    for i, (start, end, place) in enumerate(hits):
        if place is None or place.province is not None:
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(hits) or hits[j][2] is None or hits[j][2].province != place.name:
                continue
            gap = text[end:hits[j][0]] if j > i else text[hits[j][1]:start]
            if _GAP.fullmatch(gap):
                out.add(i)
    return out


def resolve(text: str) -> list[Place]:
    """The places `text` names, longest match first (then by position). An ambiguous form (중구, 고성) counts only
    when the text also names the 시·도 that tells its rows apart; a 시·도 named only to qualify a place in it
    ("부산 중구") is not returned itself."""
    return [p for p, _, _ in mentions(text)]


def mentions(text: str) -> list[tuple[Place, int, int]]:
    """What `resolve` returns, each place with the span of its longest (then first) mention in `text`."""
    matches = [(m.start(), m.end(), _forms()[m.group(0).lower()]) for m in _pattern().finditer(text or "")]
    named = [(start, ps[0]) for start, _, ps in matches if len(ps) == 1 and ps[0].province is None]
    hits = [(start, end, ps[0] if len(ps) == 1 else _qualify(ps, start, named)) for start, end, ps in matches]
    skip = _qualifiers(text, hits)
    best: dict[Place, tuple[int, int, int]] = {}  # the longest, then first, mention: (-length, start, end)
    for i, (start, end, place) in enumerate(hits):
        if place is None or i in skip:
            continue
        key = (-(end - start), start, end)
        best[place] = min(best.get(place, key), key)
    return [(p, best[p][1], best[p][2]) for p in sorted(best, key=best.__getitem__)]


def province_of(place: Place) -> Place:
    """The 시·도 `place` belongs to; a 시·도 is its own."""
    return place if place.province is None else _by_label()[place.province]


def in_capital_region(place: Place) -> bool:
    """Whether `place` is in 수도권 (서울특별시, 인천광역시, 경기도: 수도권정비계획법 제2조)."""
    return province_of(place).capital_region
