"""What a briefing says happened and what is planned: a dated chronology of events about the topic, in order, and
the plans of the newest document that states any (older documents' plans are named as superseded, not repeated).
Pure functions over sentences already retrieved; the cue patterns live in assistant/data/briefing.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from assistant.answer.sentences import row_cells
from assistant.cues import data_pattern
from assistant.evaluation.metrics import canonical_dates
from assistant.types import Hit

_NEXT_DATE = re.compile(r"(?:19|20)\d{2}-\d{2}|(?<!\d)\d{1,2}\s*(?:일|월)(?![가-힣])")
_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})(?:-(\d{2}))?(?!\d)")


@lru_cache(maxsize=1)
def briefing_data() -> dict:
    return yaml.safe_load(resources.files("assistant.data").joinpath("briefing.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def cue(name: str) -> re.Pattern:
    """One of the sentence cues of the data file (event, plan, issue …)."""
    return data_pattern(briefing_data()["cues"][name]["pattern"])


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage, with the passage it came from and how well it fits the topic."""
    text: str
    hit: Hit
    score: float
    terms: frozenset[str] = frozenset()  # its words (morphemes, stems), for telling a restatement
    quote: str = ""  # what a citation quotes when the text shown is cut from it (a table row's cell); else the text


@dataclass(frozen=True)
class Dated:
    """A sentence and the date it reports (YYYY-MM or YYYY-MM-DD)."""
    date: str
    sentence: Sentence
    verb: str = ""  # the event's verbs as the sentence writes them, space-separated

    @property
    def label(self) -> str:
        """2024.11.7 / 2021.11: the form Korean reports write dates in."""
        parts = self.date.split("-")
        return ".".join([parts[0]] + [str(int(p)) for p in parts[1:]])


# A table column that holds an event's date, and a date that leads a list item ("2024년 9월: …", "2024.9.12: …").
_DATE_HEADER = re.compile(r"날짜|일자|일시|시기|연월|date|when", re.I)
_DATE_LEAD = re.compile(r"(?:19|20)\d{2}\s*년(?:\s*\d{1,2}\s*월)?(?:\s*\d{1,2}\s*일)?\s*:\s*|"
                        r"(?:19|20)\d{2}[.-]\s*\d{1,2}(?:[.-]\s*\d{1,2})?\.?\s*:\s*|"
                        r"(?:\d{1,2}\s+)?[A-Z][a-z]+\s+(?:19|20)\d{2}\s*:\s*")


def event_text(text: str) -> str:
    """An event as its chronology item shows it after its date label: a table row's cells without their headers
    or its date column ("날짜: 2024년 11월 7일 · 내용: 특구 지정" → "특구 지정"); a list item without the lead-in and
    date before it ("… 다음과 같다. 2024년 9월: 부산도시공사가 …" → "부산도시공사가 …")."""
    cells = row_cells(text)
    if cells is not None:
        kept = [value for header, value in cells if not _DATE_HEADER.search(header)]
        return " · ".join(kept) if kept and len(kept) < len(cells) else text
    m = _DATE_LEAD.search(text)
    rest = text[m.end():].strip() if m else ""
    return rest if len(rest) >= 10 else text


def first_date(text: str) -> str | None:
    """The first date with at least a month that the sentence gives, as YYYY-MM[-DD]; None for none."""
    found = _dated(text)
    return found[0] if found else None


def _dated(text: str) -> tuple[str, str, str] | None:
    """The first date (YYYY-MM[-DD]) and the sentence before and after it (dates written as YYYY-MM-DD)."""
    canon = canonical_dates(text)
    m = _ISO.search(canon)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return "-".join(g for g in m.groups() if g), canon[:m.start()], canon[m.end():]


# How far from its date the verb of an event may stand, before and after, in characters: "2024년 11월 7일
# 국토교통부는 … 승인하였다" (after), "착공식 2026년 2월" (right before). A verb further before the date is most
# often another event's ("울산의 선정으로 2020년 9월 23일 조성계획이 …"); English puts the verb first.
_BEFORE, _AFTER, _BEFORE_EN = 8, 90, 40


def event_of(text: str) -> tuple[str, str] | None:
    """(date, verbs) when the sentence reports an event on a date: event verbs stand near the first date (all of
    them, space-separated: "심의 선정"), and the date is not that of a report about it ("2022년 1월 보도에 따르면
    …")."""
    found = _dated(text)
    if not found:
        return None
    date, before, after = found
    if cue("reported").match(after):
        return None
    # The verbs up to the next date (or day) the sentence gives belong to this date; later ones to that one. In a
    # table row the next date's whole cell is that date's, its header too ("… · 이후 선정: 2021년 11월 24일").
    head = after[:_AFTER]
    nxt = _NEXT_DATE.search(head)
    window = head[:nxt.start()] if nxt else head
    if nxt and " · " in window:
        window = window[:window.rindex(" · ")]
    verbs = [m.group(0).lower() for m in cue("event").finditer(window)]
    if not verbs:
        verb = _right_before(before)
        verbs = [verb.group(0).lower()] if verb else []
    return (date, " ".join(dict.fromkeys(verbs))) if verbs else None


def _right_before(before: str) -> re.Match | None:
    """A Korean event noun that ends right before the date ("착공식 2026년 2월"), or an English verb shortly
    before it ("was designated on 7 November 2024"); None for neither."""
    if not re.search(r"[가-힣]", before[-_BEFORE_EN:]):
        return next(reversed(list(cue("event").finditer(before[-_BEFORE_EN:]))), None)
    tail = before[-_BEFORE:]
    return next((m for m in cue("event").finditer(tail) if re.fullmatch(r"식?\s*", tail[m.end():])), None)


def is_plan(text: str) -> bool:
    """A plan for what is to come (a plan told as history, "… 계획이었다", is not one)."""
    return bool(cue("plan").search(text)) and not cue("past_plan").search(text)


@lru_cache(maxsize=None)
def _name(name: str) -> re.Pattern:
    # A name starts a word: 대구 is not in 해운대구, nor "ulsan" in "consultant".
    return re.compile(r"(?<![가-힣A-Za-z])" + re.escape(name.lower()))


def last_mention(text: str, names: list[str]) -> int:
    """Where the last mention of any of the names starts in the (lower-cased) text; -1 for none."""
    return max((m.start() for n in names for m in _name(n).finditer(text)), default=-1)


def mentions(text: str, names: list[str]) -> bool:
    return any(_name(n).search(text.lower()) for n in names)


@dataclass(frozen=True)
class Focus:
    """What a briefing is about: a place's names and its peers' (the other cities or districts), and the names of
    the programme it names and of that programme's rivals (another kind of zone). Empty: everything is."""
    names: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    programme: tuple[str, ...] = ()
    rivals: tuple[str, ...] = ()

    def about(self, s: Sentence) -> bool:
        """The sentence names a rival programme only beside the briefing's own; and its document's title names the
        place and the sentence names it or no peer, or the sentence names the place and no peer."""
        if self.rivals and mentions(s.text, self.rivals) and not mentions(s.text, self.programme):
            return False
        if not self.names:
            return True
        own, named = mentions(s.hit.title, self.names), mentions(s.text, self.names)
        peer = mentions(s.text, self.others)
        return (own and (named or not peer)) or (named and not peer)

    def owns(self, s: Sentence) -> bool:
        return mentions(s.hit.title, self.names)


# Documents that define terms: their rows mention dated events only to say what a name stands for.
DEFINING = ("glossary",)


def chronology(sentences: list[Sentence], focus: Focus, limit: int = 8) -> list[Dated]:
    """Dated events about the topic, oldest first: one per day (or per month and kind of event when the day is not
    given; the best-placed sentence wins),
    none dated after its own document (that is a forecast, not an event) and no plans."""
    best: dict[str, Dated] = {}
    for s in sentences:
        if s.hit.doc_type in DEFINING:
            continue  # a glossary row names a term and what it stands for; it does not report the event
        event = event_of(s.text)
        if not event or cue("plan").search(s.text) or cue("about_sources").search(s.text) or not focus.about(s):
            continue
        date, verb = event
        if s.hit.date and date[:7] > s.hit.date[:7]:
            continue
        key = date if len(date) > 7 else f"{date}:{verb.split()[0]}"
        current = best.get(key)
        if current is None or _rank(s, focus) > _rank(current.sentence, focus):
            best[key] = Dated(date, s, verb)
    events = sorted(best.values(), key=lambda d: _rank(d.sentence, focus), reverse=True)[:limit]
    return sorted(events, key=lambda d: d.date)


def _rank(s: Sentence, focus: Focus) -> tuple[bool, bool, float]:
    """A sentence from the topic's own document, with a full date, fitting the topic best, is placed first."""
    return focus.owns(s), len(first_date(s.text) or "") > 7, s.score


@dataclass(frozen=True)
class Plans:
    """The plans of the newest document that states plans about the topic, and the older documents whose plans
    they supersede (title, date)."""
    current: tuple[Sentence, ...]
    superseded: tuple[tuple[str, str], ...]


def plans(sentences: list[Sentence], focus: Focus, limit: int = 5) -> Plans:
    """Plans about the topic from the newest document that states any. A plan whose every year is past by the
    newest document on the topic is stale (its time came and went) and is left out."""
    topical = [s for s in sentences if focus.about(s)]
    as_of = max((s.hit.date or "" for s in topical), default="")
    by_doc: dict[str, list[Sentence]] = {}
    for s in topical:
        if is_plan(s.text) and not _stale(s.text, as_of):
            by_doc.setdefault(s.hit.doc_id, []).append(s)
    if not by_doc:
        return Plans((), ())
    # Undated documents count as the oldest: a plan whose date is unknown cannot supersede a dated one.
    order = sorted(by_doc, key=lambda d: by_doc[d][0].hit.date or "", reverse=True)
    newest_date = by_doc[order[0]][0].hit.date or ""
    # Documents of the same date (a notice and its translation) state the current plans together.
    same = [d for d in order if (by_doc[d][0].hit.date or "") == newest_date]
    current = sorted((s for d in same for s in by_doc[d]), key=lambda s: -s.score)[:limit]
    older = [(by_doc[d][0].hit.title, by_doc[d][0].hit.date or "") for d in order if d not in same]
    return Plans(tuple(current), tuple(older))


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _stale(text: str, as_of: str) -> bool:
    years = [int(y) for y in _YEAR.findall(text)]
    return bool(years and as_of and max(years) < int(as_of[:4]))


# A sentence cut from its start ("및 …", "and …"), a question (an FAQ heading, "… 것인가"), a numbered heading
# ("5.1 …") or a bare date or list of names reads badly as a bullet.
_FRAGMENT = re.compile(r"^(?:및|또는|등)\s|^[a-z]|^\d+(?:\.\d+)*\.?\s+\S.{0,30}$|(?:인가|는가|은가|을까|할까|일까)\s*[.]?$")
_SHORTEST = 20


def is_fragment(text: str) -> bool:
    text = text.strip()
    return (text.endswith(("?", "？")) or len(text) < _SHORTEST or bool(_FRAGMENT.search(text))
            or ("," in text and len(text) < 40 and not re.search(r"\d|[다요]\.?$|[.!]$", text)))


def reads_alone(text: str) -> bool:
    """A bullet of prose: not a fragment, and not leaning on the sentence before it (briefing.yaml needs_context)."""
    return not is_fragment(text) and not cue("needs_context").search(text.strip())


def bullet_text(text: str) -> str:
    """The sentence as a bullet, without the connective that tied it to the one before ("또 …", "Also, …")."""
    text = text.strip()
    m = cue("connective").match(text)
    if not m or m.end() >= len(text):
        return text
    rest = text[m.end():]
    return rest[0].upper() + rest[1:]

