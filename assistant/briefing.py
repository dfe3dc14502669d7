"""Briefing drafts in the Korean government report structure, every bullet a sentence from the corpus with its
citation (numbers exactly as in the source), and a cited comparison table when the topic compares several
districts, cities or programmes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answer.features import coverage
from assistant.answer.sentences import is_content_sentence, row_cells, shown_sentences
from assistant.briefing_table import (NOT_IN_DOCS, Attribute, FactTable, attributes, fills, in_language, milestone_cell,
                                      names_of, peers, quantities, value_cell)
from assistant.briefing_timeline import (Dated, Focus, Plans, Sentence, bullet_text, chronology, cue, event_of,
                                         event_text, is_fragment, is_plan, mentions, plans, reads_alone)
from assistant.errors import NotCoveredError
from assistant.query import Entity, find_entities
from assistant.retrieval.fusion import text_key
from assistant.text import split_sentences, tokenize, tokenize_many
from assistant.types import Citation, Hit

SECTIONS = {
    "ko": ["개요", "추진 경과", "주요 내용", "쟁점 및 시사점", "향후 계획", "참고자료"],
    "en": ["Overview", "Background and progress", "Key points", "Issues and implications", "Next steps", "References"],
}

_FIGURE = re.compile(r"\d[\d,.]*\s*(?:조|억|만|천)?\s*(?:원|㎡|m²|m2|평|ha|hectares?|acres?|%|명|개|곳|년)|"
                     r"(?:US\$|\$|€|S\$)\s*\d[\d,.]*\s*(?:billion|million)?|\d[\d,.]*\s*(?:billion|million)", re.I)


@dataclass
class Bullet:
    text: str
    n: int  # its citation; 0 for a line of the briefing's own (a superseded plan named)
    prose: bool = False  # a paragraph (a section written by a language model, its markers in its text)

    def shown(self) -> str:
        return f"{self.text} [{self.n}]" if self.n else self.text


@dataclass
class Briefing:
    topic: str
    lang: str
    sections: list[tuple[str, list[Bullet]]]
    citations: list[Citation]
    table: FactTable | None = None
    notes: list[str] = field(default_factory=list)
    drafts: list = field(default_factory=list)  # assistant.generate.brief.SectionDraft: each model-written attempt
    as_of: str = ""  # the newest date of the documents cited (YYYY-MM-DD)

    def as_of_line(self) -> str:
        if not self.as_of:
            return ""
        return f"({self.as_of} 기준)" if self.lang == "ko" else f"(as of {self.as_of})"

    def title(self) -> str:
        return f"{self.topic} — 검토 보고 (초안)" if self.lang == "ko" else f"{self.topic} — briefing (draft)"

    def to_markdown(self) -> str:
        out = [f"# {self.title()}", ""]
        if self.as_of:
            out += [self.as_of_line(), ""]
        if self.table:  # the key facts come first
            rows = self.table.shown(self.lang)
            out += ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
            out += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows[1:]] + [""]
        for i, (name, bullets) in enumerate(self.sections, 1):
            out += [f"## {i}. {name}", ""]
            out += [b.shown() if b.prose else f"- {b.shown()}" for b in bullets] or [f"- {NOT_IN_DOCS[self.lang]}"]
            out.append("")
        out += [f"## {len(self.sections) + 1}. {SECTIONS[self.lang][-1]}", ""]
        out += [reference(c) for c in self.citations]
        return "\n".join(out) + "\n"

    def to_docx(self, path: str | Path) -> Path:
        from docx import Document as Docx

        doc = Docx()
        doc.add_heading(self.title(), level=0)
        if self.as_of:
            doc.add_paragraph(self.as_of_line())
        if self.table:
            rows = self.table.shown(self.lang)
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for cells, texts in zip(table.rows, rows):
                for cell, text in zip(cells.cells, texts):
                    cell.text = text
        for i, (name, bullets) in enumerate(self.sections, 1):
            doc.add_heading(f"{i}. {name}", level=1)
            for b in bullets or [Bullet(NOT_IN_DOCS[self.lang], 0)]:
                doc.add_paragraph(b.shown(), style=None if b.prose else "List Bullet")
        doc.add_heading(f"{len(self.sections) + 1}. {SECTIONS[self.lang][-1]}", level=1)
        for c in self.citations:
            doc.add_paragraph(reference(c))
        path = Path(path)
        doc.save(path)
        return path


def reference(c: Citation) -> str:
    where = f"p. {c.page}" if c.page else c.section
    return f"[{c.n}] {c.title} (`{c.doc_id}`{', ' + where if where else ''}; {c.date})"


def _split(hits: list[Hit]) -> list[tuple[str, Hit]]:
    """Every content sentence of the passages that can stand as a bullet, with its passage. A sentence that speaks
    to a language model (planted in a document) says nothing about the topic."""
    from assistant.generate.verify import is_instruction

    pool: list[tuple[str, Hit]] = []
    for h in hits:
        spans = [s for s in split_sentences(h.text) if is_content_sentence(h.text[s[0]:s[1]])]
        pool += [(t, h) for t in shown_sentences(h.text, spans)
                 if 12 <= len(t) <= 400 and not t.endswith(":") and not is_instruction(t)]
    return pool


def _sentences(hits: list[Hit], prior: dict[str, float], qterms: dict[str, float]) -> list[Sentence]:
    """Every content sentence of the passages, once, scored by how much of the topic it (with its passage's title
    and heading) holds, whether it states a figure, and how high the topic's own search ranked its passage."""
    pool = _split(hits)
    out: list[Sentence] = []
    seen: set[str] = set()
    for (text, h), toks in zip(pool, tokenize_many([t for t, _ in pool])):
        key = text_key(text)
        if key in seen:
            continue
        seen.add(key)
        ctx = set(tokenize(f"{h.title} {h.section}"))
        score = (coverage(qterms, set(toks), ctx) + 0.2 * bool(_FIGURE.search(text))
                 + 0.3 * coverage(qterms, set(tokenize(h.title)), set())
                 + prior.get(h.chunk_id or text_key(h.text), 0.0))
        out.append(Sentence(text, h, score, frozenset(toks)))
    return sorted(out, key=lambda s: -s.score)


# Least share of a topic's (IDF-weighted) words that one of its best passages must hold for the documents to cover
# it. Measured on the shipped corpus: the pilot zones, programmes and districts reach 0.90-1.00; topics the corpus
# does not cover (transport, farming, public health, another Act) 0.12-0.53.
MIN_TOPIC_COVERAGE = 0.6


def topic_coverage(bot, topic: str) -> tuple[float, list[Hit]]:
    """The best share of the topic's words any of its ten best passages (with title and heading) holds, and those
    passages (one per document first)."""
    hits = bot.search(topic, k=10)
    weights = {t: bot.retriever.bm25.idf(t) for t in set(tokenize(topic))}
    best = max((coverage(weights, set(tokenize(h.text)), set(tokenize(f"{h.title} {h.section}"))) for h in hits),
               default=0.0)
    return best, hits


_QUERIES = {"ko": ("추진 경과 발표 선정 지정 착공", "주요 내용 사업비 면적", "쟁점 과제 차이", "향후 계획 예정"),
            "en": ("history announced selected designated", "key figures", "issues differ", "next steps plan")}


def _pool(bot, topic: str, lang: str) -> list[Sentence]:
    queries = [topic] + [f"{topic} {w}" for w in _QUERIES[lang]]
    hits: dict[str, Hit] = {}
    prior: dict[str, float] = {}  # passages the topic itself ranks high lead the draft
    for qi, q in enumerate(queries):
        for rank, h in enumerate(bot.search(q, k=12)):
            key = h.chunk_id or text_key(h.text)
            hits.setdefault(key, h)
            prior[key] = max(prior.get(key, 0.0), (0.4 if qi == 0 else 0.2) * (1 - rank / 12))
    qterms = {t: bot.retriever.bm25.idf(t) for t in set(tokenize(topic))}
    return _sentences(list(hits.values()), prior, qterms)


class _Citer:
    """Numbers the passages in the order the briefing first cites them."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._index: dict[str, int] = {}

    def __call__(self, s: Sentence) -> int:
        h = s.hit
        key = h.chunk_id or text_key(h.text)
        if key not in self._index:
            self._index[key] = len(self.citations) + 1
            self.citations.append(Citation(n=self._index[key], doc_id=h.doc_id, title=h.title, page=h.page,
                                           section=h.section, text=h.text, score=h.score, sentence=s.quote or s.text,
                                           chunk_id=h.chunk_id, doc_type=h.doc_type, lang=h.lang, date=h.date))
        return self._index[key]


def build_briefing(bot, topic: str, lang: str = "ko", per_section: int = 5) -> Briefing:
    """A draft on topic; NotCoveredError (naming the closest documents) when the documents do not cover it, rather
    than a draft written from unrelated passages."""
    topic = topic.strip()
    covered, nearest = topic_coverage(bot, topic)
    if covered < MIN_TOPIC_COVERAGE:
        closest = tuple(dict.fromkeys(f"{h.title} ({h.doc_id})" for h in nearest))[:3]
        raise NotCoveredError(f"the documents do not cover {topic!r}; closest documents: {'; '.join(closest)}",
                              closest)
    ents = find_entities(topic)
    focus = _focus(ents)
    pool = [s for s in _pool(bot, topic, lang) if s.score >= 0.25 and not is_fragment(s.text)
            and s.text.count(" · ") < 3 and not s.text.startswith(("항목", "Item", "구분")) and focus.about(s)]
    own = [s for s in pool if (s.hit.lang or lang) == lang]
    cite = _Citer()
    events = chronology(own, focus)
    table = comparison_table(bot, ents, lang, cite, events) or key_facts_table(bot, ents, lang, cite, events, focus)
    # A chronology item is rewritten from its event; a plan or a bullet of prose is the sentence as written.
    planned = plans([s for s in own if reads_alone(s.text)], focus, limit=per_section)
    sections = _sections(pool, events, planned, table, lang, per_section, cite)
    dates = [c.date for c in cite.citations if c.date]
    return Briefing(topic=topic, lang=lang, sections=sections, citations=cite.citations, table=table,
                    as_of=max(dates) if dates else "")


def _focus(ents: list[Entity]) -> Focus:
    """A briefing on a place (a zone's city, a district) keeps to sentences about it, and, when it names a
    programme, to that programme: a peer's figures and events, or another kind of zone's, are not this place's. A
    topic on a programme or a theme keeps everything its searches found."""
    place = [e for e in ents if e.kind in PLACES]
    if not place:
        return Focus()
    names = tuple(n for e in place for n in names_of(e))
    others = tuple(o for o in peers(place[0]) if o not in names) if len(place) == 1 else ()
    programme = [e for e in ents if e.kind == "programme"][:1]
    own = tuple(n for e in programme for n in names_of(e))
    rivals = tuple(o for e in programme for o in peers(e) if o not in own)
    return Focus(names, others, own, rivals)


def _sections(pool: list[Sentence], events: list[Dated], planned: Plans, table: FactTable | None, lang: str,
              per_section: int, cite: _Citer) -> list[tuple[str, list[Bullet]]]:
    """개요 … 향후 계획: the chronology and the current plans, then the other sentences by what they state. One
    statement per fact: a sentence whose figures the table or an earlier bullet already gives is left out."""
    history = [Bullet(f"{d.label} — {event_text(d.sentence.text)}", cite(d.sentence)) for d in events]
    upcoming = [Bullet(bullet_text(s.text), cite(s)) for s in planned.current]
    upcoming += [Bullet(f"{SUPERSEDED[lang]}: {title} ({date})" if date else f"{SUPERSEDED[lang]}: {title}", 0)
                 for title, date in planned.superseded[:3]]
    used = {text_key(d.sentence.text) for d in events} | {text_key(s.text) for s in planned.current}
    stated = set(table.figures()) if table else set()
    disputed = table.differing_words() if table else set()  # one sentence on a disagreement the table shows
    said: set[str] = set()
    kept: list[Sentence] = []
    buckets: dict[str, list[Sentence]] = {"overview": [], "content": [], "issues": []}
    for s in sorted(pool, key=lambda s: (s.hit.lang or lang) != lang):  # stable: the briefing's language first
        if text_key(s.text) in used or is_plan(s.text) or event_of(s.text) or not reads_alone(s.text):
            continue  # events and plans have their own sections
        issue = bool(cue("issue").search(s.text))
        if cue("about_sources").search(s.text) and not issue:
            continue  # a note on the documents, not on the topic
        figures = quantities(s.text)
        if (figures and figures <= stated) or any(_restates(s, k) for k in kept):
            continue
        words = {w for w in disputed if w in s.text.lower()}
        if issue and words:
            if not words <= disputed - said:
                continue
            said |= words
        kind = "issues" if issue else "content" if _FIGURE.search(s.text) else "overview"
        # A sentence in the other language only where the briefing's own language has none for the section.
        foreign = (s.hit.lang or lang) != lang
        if foreign and any((k.hit.lang or lang) == lang for k in buckets[kind]):
            continue
        if len(buckets[kind]) < per_section:
            buckets[kind].append(s)
            kept.append(s)
            stated |= figures
    made = {k: [Bullet(bullet_text(s.text), cite(s)) for s in v] for k, v in buckets.items()}
    names = SECTIONS[lang]
    return [(names[0], made["overview"]), (names[1], history), (names[2], made["content"]),
            (names[3], made["issues"]), (names[4], upcoming)]


PLACES = ("city", "district")
# Share of the shorter sentence's words that another sentence holding them all but a few restates: "총사업비는
# 확인되지 않았다" said twice in other words is one statement.
_RESTATES = 0.6


def _restates(s: Sentence, earlier: Sentence) -> bool:
    shorter = min(len(s.terms), len(earlier.terms))
    return shorter >= 4 and len(s.terms & earlier.terms) >= _RESTATES * shorter


SUPERSEDED = {"ko": "이전 계획(최신 문서로 대체됨)", "en": "Earlier plans (superseded by the newest document)"}

def key_facts_table(bot, ents: list[Entity], lang: str, cite: _Citer, events: list[Dated],
                    focus: Focus) -> FactTable | None:
    """The key facts of the one place or district the topic names (location, dates, area, cost …), each cell
    cited: what a briefing on a single zone opens with."""
    ent = next((e for e in ents if attributes(e.kind)), None)
    return None if ent is None else _attribute_table(bot, ent.kind, [ent], lang, cite, events, focus)


def comparison_table(bot, ents: list[Entity], lang: str, cite: _Citer, events: list[Dated]) -> FactTable | None:
    by_kind: dict[str, list[Entity]] = {}
    for e in ents:
        by_kind.setdefault(e.kind, []).append(e)
    kind, group = next(((k, v) for k, v in by_kind.items() if len(v) >= 2 and attributes(k)), (None, None))
    return None if not group else _attribute_table(bot, kind, group, lang, cite, [], Focus())


def _attribute_table(bot, kind: str, group: list[Entity], lang: str, cite: _Citer, events: list[Dated],
                     focus: Focus) -> FactTable:
    """One column per entity, one row per attribute of their kind, every cell cited or "not in the documents"."""
    columns = [("항목" if lang == "ko" else "Item")] + [(e.ko[0] if lang == "ko" else e.en[0]) for e in group]
    rows, cells = [], []
    for attr in attributes(kind):
        rows.append(attr.ko if lang == "ko" else attr.en)
        row = []
        for e in group:
            if attr.milestones and events:
                row.append(milestone_cell(attr, events, cite))
                continue
            names, others = names_of(e), [o for o in peers(e) if o not in names_of(e)]
            cell = value_cell(attr, _filling(bot, e, attr, lang, names, focus), names, others, cite)
            row.append(in_language(cell, bot.retriever.glossary, lang))
        cells.append(tuple(row))
    return FactTable(tuple(columns), tuple(rows), tuple(cells))


def _filling(bot, entity: Entity, attr: Attribute, lang: str, names: list[str], focus: Focus) -> list[Sentence]:
    """Sentences naming the entity that fill the row, best first: the briefing's language, then the entity's own
    documents, then the search rank. A table row naming the entity gives its cells under the row's words ("시·도:
    대전 · 분야: ICT융합"); a sentence on a rival programme (another kind of zone) gives nothing."""
    first, second = (entity.ko[0], entity.en[0]) if lang == "ko" else (entity.en[0], entity.ko[0])
    found: list[tuple[tuple, Sentence]] = []
    for name in (first, second):
        for rank, h in enumerate(bot.search(f"{name} {attr.query}", k=8)):
            own = mentions(h.title, names)
            for s in _plain(h):
                row = _cells_for(s, attr, names, own)
                if row is not None:
                    s = row
                elif not (mentions(s.text, names) and fills(attr, s.text) and s.text.count(" · ") < 3
                          and not is_fragment(s.text)):
                    continue
                if focus.rivals and mentions(s.text, focus.rivals) and not mentions(s.text, focus.programme):
                    continue
                # A row without a value pattern shows its cell as it is: a table's value reads better than prose.
                prose_for_cell = attr.value is None and row is None
                found.append(((-(2 * ((h.lang or "") == lang) + own), prose_for_cell, rank), s))
    found.sort(key=lambda p: p[0])
    ordered = list(dict.fromkeys(s for _, s in found))
    # The briefing's language first, and only it when it fills the row: a translation's rounding is not a
    # disagreement between sources.
    same = [s for s in ordered if (s.hit.lang or lang) == lang]
    return same or ordered


def _plain(h: Hit) -> list[Sentence]:
    """The passage's sentences, once each, those stating a figure first, unscored: a key-facts cell needs neither a
    score against the topic nor the sentence's words, so nothing is tokenized here."""
    texts: dict[str, str] = {}
    for t, _ in _split([h]):
        texts.setdefault(text_key(t), t)  # the first of two alike
    ordered = sorted(texts.values(), key=lambda t: not _FIGURE.search(t))
    return [Sentence(t, h, 0.2 * bool(_FIGURE.search(t))) for t in ordered]


def _cells_for(s: Sentence, attr: Attribute, names: list[str], own: bool = False) -> Sentence | None:
    """A table row ("header: cell · …") cut to the values that fill the key-facts row, without headers: in a
    comparison row with a column per place ("구분: 위치 · 대구: … · 광주: …"), the entity's column; in a row naming
    the entity in a cell, the cells whose headers hold the row's words; in the entity's own document, the value of
    a label/value row whose label holds them ("항목: 산업 방향 · 내용: …"). None for another sentence or row."""
    pairs = row_cells(s.text)
    if pairs is None:
        return None

    def holds_words(text: str) -> bool:
        return any(w in text.lower() for w in attr.words)

    column = [v for h, v in pairs if mentions(h, names)]
    if column and any(holds_words(v) for h, v in pairs if not mentions(h, names)):
        return _cut(s, column[0])
    naming = [v for _, v in pairs if mentions(v, names)]
    matched = [(h, v) for h, v in pairs if holds_words(h)]
    if len(pairs) >= 3 and naming and matched and fills(attr, " · ".join(f"{h}: {v}" for h, v in matched)):
        return _cut(s, " · ".join(dict.fromkeys(v for _, v in matched)))
    if own and len(pairs) == 2 and holds_words(pairs[0][1]):
        return _cut(s, pairs[1][1])
    return None


def _cut(s: Sentence, text: str) -> Sentence | None:
    text = text.strip().rstrip(",;")
    return Sentence(text, s.hit, s.score, s.terms, quote=s.text) if len(text) >= 2 else None
