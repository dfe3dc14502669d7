"""Query understanding: names recognised in a question, follow-ups resolved from the conversation, and the
other language's names added for the lexical retriever (BM25 cannot match 포블레노우 to Poblenou by itself)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from assistant.cues import cue
from assistant.text import HANGUL, is_korean

# Kinds whose names a follow-up inherits when it names none of that kind itself.
CARRIED_KINDS = ("city", "district", "programme", "law")


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    ko: tuple[str, ...]
    en: tuple[str, ...]
    broader: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return self.ko + self.en


@lru_cache(maxsize=1)
def entities() -> tuple[Entity, ...]:
    raw = json.loads(resources.files("assistant.data").joinpath("entities.json").read_text(encoding="utf-8"))
    return tuple(Entity(e["id"], e["kind"], tuple(e["ko"]), tuple(e["en"]), tuple(e.get("broader", ())))
                 for e in raw["entities"])


@lru_cache(maxsize=None)
def _pattern(name: str) -> re.Pattern:
    if re.search(r"[A-Za-z]", name):
        # Latin names match as whole words, ignoring case ("ODZ", not "modzone").
        return re.compile(r"(?<![A-Za-z])" + re.escape(name) + r"(?![A-Za-z])", re.I)
    # A Korean name starts a word: 대구 is not in 해운대구 (Busan's Haeundae district).
    return re.compile(r"(?<![가-힣])" + re.escape(name))


def find_entities(text: str) -> list[Entity]:
    """Entities named in text, in order of first mention; longest names win (판교 제2테크노밸리 before 판교)."""
    found: list[tuple[int, Entity]] = []
    taken: list[tuple[int, int]] = []
    candidates = sorted(((n, e) for e in entities() for n in e.names), key=lambda ne: -len(ne[0]))
    seen: set[str] = set()
    for name, ent in candidates:
        for m in _pattern(name).finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            if ent.id not in seen:
                seen.add(ent.id)
                found.append((m.start(), ent))
    return [e for _, e in sorted(found, key=lambda p: p[0])]


def _turns(history: list[dict] | None, role: str = "user") -> list[str]:
    return [str(t.get("content", "")) for t in (history or []) if t.get("role") == role and t.get("content")]


def is_elliptical(question: str) -> bool:
    """A follow-up that leans on the earlier turn: starts with 그럼/그중/거기…, ends in 은요/는요, or is very short."""
    q = question.strip()
    if is_korean(q):
        return bool(cue("elliptical_ko").search(q)) or len(q.replace(" ", "")) <= 10
    return bool(cue("elliptical_en").search(q)) or len(q.split()) <= 4


def is_bare_topic(question: str) -> bool:
    """"2단계는요?", "What about Gwangju?": only a topic, asking the earlier question again about it."""
    return bool(cue("only_topic").match(question))


def _parallel(question: str, previous: str) -> str | None:
    """"2단계는요?" after "부산 센텀2지구 1단계 면적이 얼마예요?" asks the earlier question again about another item of
    the same kind: the earlier question with that item swapped in ("부산 센텀2지구 2단계 면적이 얼마예요?")."""
    m = cue("only_topic").match(question)
    if not m:
        return None
    topic = (m.group(1) or m.group(2) or "").strip()
    if not topic or len(topic) > 30:
        return None
    ents = find_entities(topic)
    if ents:
        for old in find_entities(previous):
            if old.kind == ents[0].kind and old.id != ents[0].id:
                return _pattern(_surface(previous, old)).sub(lambda _m: _surface(topic, ents[0]), previous, count=1)
        return None
    new = cue("numbered").search(topic)
    if new:
        for old in cue("numbered").finditer(previous):
            if old.group(3).lower() == new.group(3).lower() and old.group(2) != new.group(2):
                return previous[:old.start()] + new.group(0) + previous[old.end():]
    return None


def _answer_names(history: list[dict] | None) -> list[str]:
    """What the last answer named: quoted names and known entities ("'메가 충청 스퀘어'"), for a follow-up that
    points back at it ("그건 정확히 어디에 짓는 거예요?")."""
    answers = _turns(history, "assistant")
    if not answers:
        return []
    last = answers[-1]
    return list(dict.fromkeys(cue("quoted").findall(last) + [_surface(last, e) for e in find_entities(last)]))


def followup_context(question: str, history: list[dict] | None) -> str:
    """What the follow-up inherits from the conversation: the earlier question with this one's item swapped in
    ("2단계는요?"); the whole previous question when this one is elliptical and names nothing itself (with what the
    last answer named when it points back at it: "그건 …"); else the names of kinds it lacks (its place,
    programme, law) from earlier turns."""
    turns = _turns(history)
    if not turns:
        return ""
    swapped = _parallel(question, turns[-1])
    if swapped is not None:
        return swapped
    present = find_entities(question)
    if cue("refers_back").search(question) and not present:
        named = [n for n in _answer_names(history) if n not in turns[-1]]
        if named:
            return " ".join([turns[-1]] + named)
    if is_elliptical(question) and not any(e.kind in ("city", "district") for e in present):
        return turns[-1]
    kinds_present = {e.kind for e in present}
    carried: list[str] = []
    for kind in CARRIED_KINDS:
        if kind in kinds_present:
            continue
        for turn in reversed(turns):
            ents = [e for e in find_entities(turn) if e.kind == kind]
            if ents:
                carried.extend(_surface(turn, e) for e in ents)
                break
    return " ".join(carried)


def resolve_followup(question: str, history: list[dict] | None) -> str:
    """The question as a self-contained query: "그럼 사업비는 얼마인가요?" after a question about Daegu's zone
    becomes "대구 도심융합특구 그럼 사업비는 얼마인가요?"."""
    context = followup_context(question, history)
    return f"{context} {question}" if context else question


def _surface(text: str, ent: Entity) -> str:
    """The name as the earlier turn wrote it (so the carried query stays in the user's words)."""
    for name in sorted(ent.names, key=len, reverse=True):
        m = _pattern(name).search(text)
        if m:
            return m.group(0)
    return ent.ko[0]


@lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[str, ...]]:
    """Question token -> its renderings in the other language (assistant/data/lexicon.json). Korean keys are the
    tokenizer's base forms; English keys are stemmed as the tokenizer stems them, so "jobs" and "job" meet."""
    from assistant.text import tokenize

    raw = json.loads(resources.files("assistant.data").joinpath("lexicon.json").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for key, values in list(raw["ko_en"].items()) + list(raw["en_ko"].items()):
        toks = tokenize(key)
        if len(toks) != 1:
            continue  # a phrase key ("local government") is not one question token
        out.setdefault(toks[0], [])
        out[toks[0]].extend(v for v in values if v not in out[toks[0]])
    return {k: tuple(v) for k, v in out.items()}


def word_translations(tokens: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(token, its other-language renderings) for the question's tokens the lexicon knows, in question order."""
    lex = lexicon()
    return [(t, lex[t]) for t in dict.fromkeys(tokens) if t in lex]


def expansion_terms(query: str, broader: bool = True) -> list[str]:
    """Names of the recognised entities in the language the query is not written in, and the names (both languages)
    of what they belong to (서울 -> 수도권, capital region)."""
    korean = is_korean(query)
    by_id = {e.id: e for e in entities()}
    out: list[str] = []
    for ent in find_entities(query):
        if ent.broader and not broader:
            continue  # a place named for its region (Seoul -> capital region) helps search, not answer coverage
        out.extend(ent.en[:2] if korean else ent.ko[:2])
        for b in ent.broader if broader else ():
            if b in by_id:
                out.extend(by_id[b].ko[:1] + by_id[b].en[:1])
    return list(dict.fromkeys(out))


@lru_cache(maxsize=None)
def name_tokens(name: str) -> tuple[str, ...]:
    """An entity name's tokens: the names are fixed, so each is tokenised once, not on every question."""
    from assistant.text import tokenize

    return tuple(tokenize(name))


def term_aliases(question: str) -> dict[str, tuple[frozenset[str], ...]]:
    """Question token -> other ways the documents write it in the question's language, as token sets: the other
    names of a place or programme the question names by a one-word name (지자체 -> 지방자치단체, 대구시 -> 대구광역시)
    and the region a place lies in (서울 -> 수도권: a clause on the capital region answers a question on Seoul)."""
    korean = is_korean(question)
    by_id = {e.id: e for e in entities()}
    out: dict[str, set[frozenset[str]]] = {}
    for ent in find_entities(question):
        own = ent.ko if korean else ent.en
        alts = list(own) + [n for b in ent.broader if b in by_id for n in (by_id[b].ko if korean else by_id[b].en)]
        for name in own:
            if not _pattern(name).search(question):
                continue
            toks = name_tokens(name)
            if len(toks) != 1:
                continue
            for alt in alts:
                rendering = frozenset(name_tokens(alt))
                if rendering and toks[0] not in rendering:
                    out.setdefault(toks[0], set()).add(rendering)
    return {t: tuple(sorted(r, key=sorted)) for t, r in out.items()}


_PAREN = re.compile(r"\s*\([^)]*\)")


def glossary_pairs(texts: list[str]) -> list[tuple[str, str]]:
    """(Korean, English) term pairs from glossary tables: rows whose first cell is Korean and second Latin."""
    pairs: list[tuple[str, str]] = []
    for text in texts:
        for line in text.split("\n"):
            if not line.lstrip().startswith("|"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 2:
                continue
            ko, en = _PAREN.sub("", cells[0]).strip(), _PAREN.sub("", cells[1]).strip()
            en = en.split(";")[0].split(" / ")[0].strip()
            if (ko and en and HANGUL.search(ko) and not HANGUL.search(en) and re.search(r"[A-Za-z]{3}", en)
                    and len(ko) <= 30 and len(en) <= 80):
                pairs.append((ko, en))
    return pairs


def glossary_expansion(query: str, pairs: list[tuple[str, str]], limit: int = 6) -> list[str]:
    """The other language's terms for glossary terms named in the query, longest terms first."""
    korean = is_korean(query)
    low = query.lower()
    hits: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for ko, en in pairs:
        term, other = (ko, en) if korean else (en, ko)
        if len(term) < 2 or (not korean and len(term) < 4):
            continue
        at = query.find(term) if korean else low.find(term.lower())
        if at < 0:
            continue
        hits.append((len(term), other))
        taken.append((at, at + len(term)))
    hits.sort(key=lambda h: -h[0])
    out: list[str] = []
    for _, other in hits:
        if other not in out:
            out.append(other)
    return out[:limit]


_NOUNISH = {"NNG", "NNP", "SL", "SN", "XSN", "NR"}


def described_head(question: str) -> list[str]:
    """What a Korean question describes with a clause before it asks about it: "부산이 착공 하루 전에 출범시킨
    **사업협의체**는 특별법상 위원을 최대 몇 명까지 둘 수 있나요?" -> [사업, 협의체]. The clause is the first fact
    of a chained question; the thing it names is what the second fact is about, so the second search needs its
    words even where the first fact's sentence already holds them. [] when no such clause leads to the topic."""
    from assistant.text import morphemes, tokens_from_morphs

    if not is_korean(question):
        return []
    morphs = morphemes(question)
    for i, m in enumerate(morphs):
        # An event the question recounts ("출범시킨", "고시된", "옮겨 간"), not a state ("광역시가 아닌 일반 시",
        # "신청할 수 있는 도시"): those narrow what is asked, they are no first fact.
        if m.tag != "ETM" or i == 0 or morphs[i - 1].tag not in ("VV", "XSV", "VX") or morphs[i - 1].form == "있":
            continue
        run = []
        for n in morphs[i + 1:]:
            if n.tag in _NOUNISH or n.tag == "JKG":  # "부산 기회발전특구 부지의 면적은": the whole noun phrase
                run.append(n)
            elif n.tag in ("JX", "JKS") and run and run[-1].tag != "JKG":
                return tokens_from_morphs([x for x in run if x.tag != "JKG"])
            else:
                break
    return []


# A premise the question sets before it asks: "대구 특구 지정일을 기준으로 하면, …", "If that ODZ lies in …, …".


def premise(question: str) -> str:
    """The condition a question states before it asks ("대구 특구 지정일을 기준으로 하면, …" -> "대구 특구 지정일"):
    a fact to look up on its own, since the words of what is asked lead the search elsewhere. "" when none."""
    m = cue("premise").search(question)
    return (m.group(1) or m.group(2)).strip() if m else ""


_HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")
MAX_COMPOUND = 12


def compound_aliases(tokens: list[str]) -> dict[str, tuple[frozenset[str], ...]]:
    """Kiwi keeps a compound whole in one text and splits it in another ("혁신도시" in a question, "혁신 도시" in
    the statute's "혁신도시 발전지원센터"). A question token of four or more syllables may be written as its parts:
    two or three of at least two syllables each, for tokens of up to MAX_COMPOUND syllables: the splits grow with
    the square of the length, and a 2,000-syllable run cost seconds (the longest word in any question set is 10).
    (Reading a run of the question's tokens as one compound as well lost three questions for one gain.)"""
    out: dict[str, set[frozenset[str]]] = {}
    for t in tokens:
        if 4 <= len(t) <= MAX_COMPOUND and _HANGUL_WORD.match(t):
            n = len(t)
            for i in range(2, n - 1):
                out.setdefault(t, set()).add(frozenset((t[:i], t[i:])))
                for j in range(i + 2, n - 1):
                    out[t].add(frozenset((t[:i], t[i:j], t[j:])))
    return {t: tuple(sorted(r, key=sorted)) for t, r in out.items()}
