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
    # What a value of this fact settles about another fact ({other fact: {value: its value}}): a destination in
    # a metropolitan city outside the capital region is not in the capital region.
    implies: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()


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
class Benefit:
    """What a programme gives once its conditions hold (a rate, a period, a cap), with the clause that says so."""
    id: str
    text: dict[str, str]
    figure: str
    doc_id: str
    quote: str
    when: tuple | None = None  # (fact, op, value): the row covers only these cases


@dataclass(frozen=True)
class Programme:
    id: str
    name: dict[str, str]
    basis: str
    keywords: tuple[str, ...]
    facts: tuple[Fact, ...]
    conditions: tuple[Condition, ...]
    benefits: tuple[Benefit, ...] = ()

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
class BenefitResult:
    id: str
    text: str
    citation: dict[str, Any]


@dataclass(frozen=True)
class CheckResult:
    programme: str
    name: str
    verdict: str  # eligible | not_eligible | undetermined
    conditions: tuple[ConditionResult, ...]
    missing_facts: tuple[str, ...]
    questions: tuple[str, ...] = field(default=())  # what to ask for the missing facts
    benefits: tuple[BenefitResult, ...] = ()  # what follows when the conditions hold, none when one fails

    def to_json(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "verdict": self.verdict,
            "conditions": [{"id": c.id, "text": c.text, "status": c.status, "citation": c.citation} for c in self.conditions],
            "missing_facts": list(self.missing_facts),
            "benefits": [{"id": b.id, "text": b.text, "citation": b.citation} for b in self.benefits],
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
                           tuple(f.get("choices", []) or []), f.get("place", "") or "",
                           tuple((k, tuple(v.items())) for k, v in (f.get("implies") or {}).items()))
                      for f in p["facts"])
        conds = tuple(Condition(c["id"], dict(c["text"]), c["fact"], c["op"], c["value"], str(c.get("figure", "") or ""),
                                c["citation"]["doc_id"], c["citation"]["quote"],
                                _when(c))
                      for c in p["conditions"])
        gains = tuple(Benefit(b["id"], dict(b["text"]), str(b.get("figure", "") or ""), b["citation"]["doc_id"],
                              b["citation"]["quote"], _when(b))
                      for b in p.get("benefits", []) or [])
        out[p["id"]] = Programme(p["id"], dict(p["name"]), p.get("basis", ""), tuple(p.get("keywords", [])), facts,
                                 conds, gains)
    return out


def _when(row: dict[str, Any]) -> tuple | None:
    when = row.get("when")
    return (when["fact"], when["op"], when["value"]) if when else None


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


def _cite(c: Condition | Benefit, locate) -> dict[str, Any]:
    if locate:
        return locate(c.doc_id, c.quote)
    return {"doc_id": c.doc_id, "page": None, "section": "", "text": c.quote}


def _variants_agree(c: "Condition", programme: Programme, parsed: dict[str, Any]) -> str | None:
    """"met" or "not_met" when the condition's fact is known and every variant of it (the conditions on the same
    fact that differ by the same unknown fact: 3 years, or 2 for an SME) gives that answer; else None."""
    given = parsed.get(c.fact)
    if given is None:
        return None
    variants = [v for v in programme.conditions if v.fact == c.fact and v.when and v.when[0] == c.when[0]]
    found = {"met" if _compare(v.op, given, v.value) else "not_met" for v in variants}
    return found.pop() if len(found) == 1 else None


def evaluate(programme: Programme, facts: dict[str, Any], lang: str = "ko", locate=None) -> CheckResult:
    """Per condition met / not met / unknown, an overall verdict, and the facts still needed.

    `locate(doc_id, quote)` → {"doc_id", "page", "section", "text"} finds the cited passage in the index.
    """
    unknown_keys = set(facts) - {f.key for f in programme.facts}
    if unknown_keys:
        known = ", ".join(f.key for f in programme.facts)
        raise InputError(f"unknown fact(s) for {programme.id}: {', '.join(sorted(unknown_keys))} (known: {known})")
    parsed = {k: parse_fact(programme.fact(k), v) for k, v in facts.items()}
    for f in programme.facts:  # what a given fact settles is not asked again
        for other, mapping in f.implies:
            settled = dict(mapping).get(parsed.get(f.key))
            if settled is not None and parsed.get(other) is None:
                parsed[other] = parse_fact(programme.fact(other), settled)
    results = []
    missing: list[str] = []

    def row(c: Condition, status: str) -> ConditionResult:
        given = parsed.get(c.fact)
        return ConditionResult(c.id, c.text.get(lang) or c.text.get("ko", ""), status, c.fact,
                               given.isoformat() if isinstance(given, date) else given, _cite(c, locate))

    for c in programme.conditions:
        if c.when is not None:
            w_fact, w_op, w_value = c.when
            w_given = parsed.get(w_fact)
            agreed = _variants_agree(c, programme, parsed) if w_given is None else None
            if agreed is not None:  # every variant gives the same answer: which one applies does not matter
                if not any(r.fact == c.fact for r in results):
                    results.append(row(c, agreed))
                continue
            if w_given is None:
                # Which variant applies is itself unknown: one "unknown" line, and ask for the deciding fact.
                if w_fact not in missing:
                    missing.append(w_fact)
                if any(r.fact == c.fact and r.status == "unknown" for r in results):
                    continue
                results.append(row(c, "unknown"))
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
        results.append(row(c, status))
    if any(r.status == "not_met" for r in results):
        verdict = "not_eligible"
    elif any(r.status == "unknown" for r in results):
        verdict = "undetermined"
    else:
        verdict = "eligible"
    questions = tuple(programme.fact(k).ask.get(lang, k) for k in missing if programme.fact(k))
    gains = () if verdict == "not_eligible" else _benefits(programme, parsed, lang, locate)
    return CheckResult(programme.id, programme.name.get(lang, programme.id), verdict, tuple(results), tuple(missing),
                       questions, gains)


def _benefits(programme: Programme, parsed: dict[str, Any], lang: str, locate) -> tuple[BenefitResult, ...]:
    """The benefit rows for the case: every row whose `when` holds, or whose deciding fact is not known yet."""
    out = []
    for b in programme.benefits:
        if b.when is not None:
            fact, op, value = b.when
            if parsed.get(fact) is not None and not _compare(op, parsed[fact], value):
                continue
        out.append(BenefitResult(b.id, b.text.get(lang) or b.text.get("ko", ""), _cite(b, locate)))
    return tuple(out)


def check(programme_id: str, facts: dict[str, Any] | None = None, lang: str = "ko", locate=None) -> CheckResult:
    """Per-condition verdicts for the programme with that id; InputError for an unknown id."""
    from assistant.errors import InputError

    known = programmes()
    if programme_id not in known:
        raise InputError(f"unknown programme {programme_id!r}; choose one of: {', '.join(known)}")
    return evaluate(known[programme_id], dict(facts or {}), lang=lang, locate=locate)
