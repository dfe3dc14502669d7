"""Eligibility checks: programme conditions as data (assistant/data/eligibility.yaml), each tied to the corpus
passage that states it, evaluated against the facts a user gives. Pure logic apart from locating citations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from assistant.errors import InputError


@dataclass(frozen=True)
class Fact:
    key: str
    type: str  # number | bool | choice | date
    ask: dict[str, str]
    unit: str = ""
    choices: tuple[str, ...] = ()
    # For a place fact (in the capital region or not): "named" reads it from the place the question names,
    # "destination" from the place something moves to ("대구로 이전"); both through the gazetteer.
    place: str = ""


@dataclass(frozen=True)
class Condition:
    id: str
    text: dict[str, str]
    fact: str
    op: str
    value: Any
    figure: str
    doc_id: str
    quote: str
    when: tuple | None = None  # (fact, op, value): the condition applies only to cases that meet this


@dataclass(frozen=True)
class Programme:
    id: str
    name: dict[str, str]
    basis: str
    keywords: tuple[str, ...]
    facts: tuple[Fact, ...]
    conditions: tuple[Condition, ...]

    def fact(self, key: str) -> Fact | None:
        return next((f for f in self.facts if f.key == key), None)


@dataclass(frozen=True)
class ConditionResult:
    id: str
    text: str
    status: str  # met | not_met | unknown
    fact: str
    given: Any
    citation: dict[str, Any]


@dataclass(frozen=True)
class CheckResult:
    programme: str
    name: str
    verdict: str  # eligible | not_eligible | undetermined
    conditions: tuple[ConditionResult, ...]
    missing_facts: tuple[str, ...]
    questions: tuple[str, ...] = field(default=())  # what to ask for the missing facts

    def to_json(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "verdict": self.verdict,
            "conditions": [{"id": c.id, "text": c.text, "status": c.status, "citation": c.citation} for c in self.conditions],
            "missing_facts": list(self.missing_facts),
        }


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    """assistant/data/eligibility.yaml, read once: the programmes and the readers of their facts."""
    import yaml

    return yaml.safe_load(resources.files("assistant.data").joinpath("eligibility.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def programmes() -> dict[str, Programme]:
    raw = _rules()
    out = {}
    for p in raw["programmes"]:
        facts = tuple(Fact(f["key"], f["type"], dict(f.get("ask", {})), f.get("unit", "") or "",
                           tuple(f.get("choices", []) or []), f.get("place", "") or "")
                      for f in p["facts"])
        conds = tuple(Condition(c["id"], dict(c["text"]), c["fact"], c["op"], c["value"], str(c.get("figure", "") or ""),
                                c["citation"]["doc_id"], c["citation"]["quote"],
                                (c["when"]["fact"], c["when"]["op"], c["when"]["value"]) if c.get("when") else None)
                      for c in p["conditions"])
        out[p["id"]] = Programme(p["id"], dict(p["name"]), p.get("basis", ""), tuple(p.get("keywords", [])), facts, conds)
    return out


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
            dates = _FULL_DATE.findall(q)
            if len(dates) == 1:
                y, mth, d = dates[0]
                out[fact.key] = f"{int(y):04d}-{int(mth):02d}-{int(d):02d}"


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


def parse_fact(fact: Fact, raw: Any) -> Any:
    """A user-given value in the fact's type ("620000", "62만", "yes", "2025-12-31")."""
    if raw is None or raw == "":
        return None
    if fact.type == "bool":
        if isinstance(raw, bool):
            return raw
        s = str(raw).strip().lower()
        if s in ("true", "yes", "y", "1", "예", "네", "o", "참"):
            return True
        if s in ("false", "no", "n", "0", "아니오", "아니요", "x", "거짓"):
            return False
        raise InputError(f"{fact.key} takes yes or no, not {raw!r}")
    if fact.type == "number":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return raw
        value = parse_korean_number(str(raw))
        if value is None:
            raise InputError(f"{fact.key} takes a number, not {raw!r}")
        return value
    if fact.type == "date":
        try:
            return date.fromisoformat(str(raw).strip())
        except ValueError:
            raise InputError(f"{fact.key} takes a date as YYYY-MM-DD, not {raw!r}") from None
    s = str(raw).strip()
    if fact.choices and s not in fact.choices:
        raise InputError(f"{fact.key} is one of: {', '.join(fact.choices)}")
    return s


_UNITS = {"억": 100_000_000, "만": 10_000, "천": 1_000}


def parse_korean_number(text: str) -> float | None:
    """'62만' → 620000, '1,200,000' → 1200000, '3년' → 3, '1.5억' → 150000000."""
    s = text.replace(",", "").replace(" ", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(억|만|천)?(?:명|년|원|개월|개|곳)?", s)
    if not m:
        return None
    value = float(m.group(1)) * _UNITS.get(m.group(2) or "", 1)
    return int(value) if value.is_integer() else value


def _compare(op: str, given: Any, value: Any) -> bool:
    if isinstance(given, date) and not isinstance(value, date):
        value = date.fromisoformat(str(value))
    if op == "==":
        return given == value
    if op == "!=":
        return given != value
    if op in (">=", "on_or_after"):
        return given >= value
    if op in ("<=", "on_or_before"):
        return given <= value
    if op == ">":
        return given > value
    if op == "<":
        return given < value
    if op == "in":
        return given in value
    if op == "not_in":
        return given not in value
    raise ValueError(f"unknown operator {op}")


def _cite(c: Condition, locate) -> dict[str, Any]:
    if locate:
        return locate(c.doc_id, c.quote)
    return {"doc_id": c.doc_id, "page": None, "section": "", "text": c.quote}


def evaluate(programme: Programme, facts: dict[str, Any], lang: str = "ko", locate=None) -> CheckResult:
    """Per condition met / not met / unknown, an overall verdict, and the facts still needed.

    `locate(doc_id, quote)` → {"doc_id", "page", "section", "text"} finds the cited passage in the index.
    """
    unknown_keys = set(facts) - {f.key for f in programme.facts}
    if unknown_keys:
        known = ", ".join(f.key for f in programme.facts)
        raise InputError(f"unknown fact(s) for {programme.id}: {', '.join(sorted(unknown_keys))} (known: {known})")
    parsed = {k: parse_fact(programme.fact(k), v) for k, v in facts.items()}
    results = []
    missing: list[str] = []
    for c in programme.conditions:
        if c.when is not None:
            w_fact, w_op, w_value = c.when
            w_given = parsed.get(w_fact)
            if w_given is None:
                # Which variant applies is itself unknown: one "unknown" line, and ask for the deciding fact.
                if w_fact not in missing:
                    missing.append(w_fact)
                if any(r.fact == c.fact and r.status == "unknown" for r in results):
                    continue
                cite = _cite(c, locate)
                results.append(ConditionResult(c.id, c.text.get(lang) or c.text.get("ko", ""), "unknown", c.fact,
                                               parsed.get(c.fact), cite))
                continue
            if not _compare(w_op, w_given, w_value):
                continue  # the variant for other cases
        given = parsed.get(c.fact)
        if given is None:
            status = "unknown"
            if c.fact not in missing:
                missing.append(c.fact)
        else:
            status = "met" if _compare(c.op, given, c.value) else "not_met"
        cite = _cite(c, locate)
        results.append(ConditionResult(c.id, c.text.get(lang) or c.text.get("ko", ""), status, c.fact,
                                       given.isoformat() if isinstance(given, date) else given, cite))
    if any(r.status == "not_met" for r in results):
        verdict = "not_eligible"
    elif any(r.status == "unknown" for r in results):
        verdict = "undetermined"
    else:
        verdict = "eligible"
    questions = tuple(programme.fact(k).ask.get(lang, k) for k in missing if programme.fact(k))
    return CheckResult(programme.id, programme.name.get(lang, programme.id), verdict, tuple(results), tuple(missing), questions)


# --- recognising an eligibility question in chat --------------------------------------------------------------
ELIGIBILITY_CUE = re.compile(
    r"신청할\s*수\s*있|받을\s*수\s*있|대상이\s*(?:되|될)|대상인가|대상에\s*해당|자격이\s*있|요건을\s*(?:충족|갖추)"
    # colloquial: a benefit, an application or a requirement, then whether it is possible ("감면 되나요",
    # "신청 가능한가요", "요건이 되나요", "대상 맞나요", "신청돼요")
    r"|(?:감면|신청|대상|자격|요건|혜택)\s*(?:이|을|를|은|도)?\s*(?:돼|되나|될까|되는지|가능|맞)"
    r"|(?:들어갈|참여할|지정받을|선정될)\s*수\s*있"
    r"|eligib|qualif|can\s+(?:we|i|a|an|the|our)\b.*\b(?:apply|get|receive|claim|enter|join)\b", re.I)


def check(programme_id: str, facts: dict[str, Any] | None = None, lang: str = "ko", locate=None) -> CheckResult:
    """Per-condition verdicts for the programme with that id; InputError for an unknown id."""
    from assistant.errors import InputError

    known = programmes()
    if programme_id not in known:
        raise InputError(f"unknown programme {programme_id!r}; choose one of: {', '.join(known)}")
    return evaluate(known[programme_id], dict(facts or {}), lang=lang, locate=locate)


def detect_programme(question: str) -> Programme | None:
    """The programme an eligibility question is about, or None when the question is not one."""
    if not ELIGIBILITY_CUE.search(question):
        return None
    low = question.lower()
    best, best_hits = None, 0
    for p in programmes().values():
        hits = sum(1 for k in p.keywords if k.lower() in low)
        if hits > best_hits:
            best, best_hits = p, hits
    return best


# The place something moves to: "대구로 이전", "창원시로 옮기면", "to Daegu".
_DESTINATION = re.compile(r"(\S+?)\s*(?:으로|로)\s*(?:본사를\s*|공장을\s*)?(?:이전|옮기|옮겨|이사|이주|내려)|"
                          r"\b(?:move|moving|relocat\w*)\b[^.?]*?\bto\s+((?:[A-Z][\w-]*\s?){1,3})")


def place_in_capital_region(question: str, where: str) -> bool | None:
    """Whether the place the question names ("named") or moves to ("destination") is in the capital region, from
    the gazetteer; None when it names none, or several that disagree."""
    from assistant.gazetteer import in_capital_region, resolve

    if where == "destination":
        m = _DESTINATION.search(question)
        found = resolve(m.group(1) or m.group(2)) if m else []
    else:
        found = resolve(question)
    regions = {in_capital_region(p) for p in found}
    return regions.pop() if len(regions) == 1 else None


def extract_facts(question: str, programme: Programme) -> dict[str, Any]:
    """Facts stated in the question, for the keys this programme uses."""
    keys = {f.key for f in programme.facts}
    out: dict[str, Any] = {}
    q = question.replace(",", "")
    if "population" in keys:
        m = re.search(r"인구\s*(?:가\s*)?(?:약\s*)?(\d+(?:\.\d+)?)\s*(만|천)?\s*명?|(\d+(?:\.\d+)?)\s*(만|천)?\s*명\s*(?:인|의|규모)?", q)
        m_en = re.search(r"(?:population\s+(?:of\s+)?)?(\d+(?:\.\d+)?)\s*(million|thousand)?\s*(?:people|residents|inhabitants)|population\s+(?:of\s+)?(\d+(?:\.\d+)?)\s*(million|thousand)?", q, re.I)
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
