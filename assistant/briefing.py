"""Briefing drafts in the Korean government report structure, every bullet a sentence from the corpus with its
citation (numbers exactly as in the source), and a cited comparison table when the topic compares several
districts, cities or programmes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer.features import coverage
from assistant.answer.sentences import clean_sentence, is_content_sentence, shown_sentences
from assistant.errors import NotCoveredError
from assistant.query import find_entities
from assistant.retrieval.fusion import text_key
from assistant.text import split_sentences, tokenize, tokenize_many
from assistant.types import Citation, Hit

SECTIONS = {
    "ko": ["개요", "추진 경과", "주요 내용", "쟁점 및 시사점", "향후 계획", "참고자료"],
    "en": ["Overview", "Background and progress", "Key points", "Issues and implications", "Next steps", "References"],
}
NOT_IN_DOCS = {"ko": "문서에 없음", "en": "not in the documents"}

_DATE = re.compile(r"(?:19|20)\d{2}\s*년\s*\d{1,2}\s*월|\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|"
                   r"September|October|November|December)\s+(?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}", re.I)
_FUTURE = re.compile(r"예정|계획이다|할 계획|계획했|목표|추진한다|추진할|이르면|향후|앞으로|2026년\s*상반기|2030년까지|2035년까지|"
                     r"\bwill\b|\bplans? to\b|\bis to\b|\bscheduled\b|\btarget", re.I)
_ISSUE = re.compile(r"다르다|차이|논란|우려|과제|한계|쟁점|불확실|확인되지|엇갈|그러나|다만|반면|"
                    r"discrepan|differ|conflict|risk|challenge|criticis|however|unclear|not confirmed", re.I)
_FIGURE = re.compile(r"\d[\d,.]*\s*(?:조|억|만|천)?\s*(?:원|㎡|m²|m2|평|ha|hectares?|acres?|%|명|개|곳|년)|"
                     r"(?:US\$|\$|€|S\$)\s*\d[\d,.]*\s*(?:billion|million)?|\d[\d,.]*\s*(?:billion|million)", re.I)

# Comparison attributes per kind of entity: (label ko, label en, query words, pattern the cell must match)
ATTRIBUTES = {
    "district": [
        ("위치", "Location", "위치 location located", re.compile(r"위치|에 있|일대|located|lies in|\bin the\b.*district", re.I)),
        ("시작", "Launched", "시작 조성 착공 출범 launched began started founded", re.compile(
            r"(?:19|20)\d{2}.{0,40}(?:조성|출범|시작|착공|설립|승인|발표|launched|founded|approved|began|started)|"
            r"(?:조성|출범|시작|착공|설립|launched|founded|approved|began|started).{0,40}(?:19|20)\d{2}", re.I)),
        ("면적", "Area", "면적 규모 area hectares", re.compile(r"\d\s*(?:만\s*)?(?:㎡|m²|m2|평)|\d\s*(?:ha|hectares?|acres?)\b|에이커", re.I)),
        ("투자·사업비", "Investment", "사업비 투자 investment cost", re.compile(
            r"\d\s*(?:조|억)\s*원?|\d[\d,.]*\s*원|(?:US\$|\$|€|S\$)\s*\d|\d\s*(?:billion|million)", re.I)),
        ("주력 산업", "Industries", "산업 분야 industries sectors", re.compile(r"산업|바이오|ICT|IT|media|biomedical|tech|science|research", re.I)),
    ],
    "city": [
        ("위치", "Location", "위치 일원 일대 location located", re.compile(r"위치|일원|일대|located in|lies in", re.I)),
        ("주요 일정", "Key dates", "선정 지정 착공 발표 selected designated", re.compile(
            r"(?:19|20)\d{2}\s*년\s*\d{1,2}\s*월.{0,40}(?:선정|지정|착공|승인|발표)|"
            r"(?:선정|지정|착공|승인|발표|selected|designated|approved).{0,40}(?:19|20)\d{2}", re.I)),
        ("면적", "Area", "면적 area", re.compile(r"㎡|m²|m2|평", re.I)),
        ("총사업비", "Total cost", "총사업비 사업비 cost", re.compile(r"\d\s*(?:조|억)|\d\s*(?:billion|trillion)? ?won", re.I)),
        ("중점 산업", "Industries", "산업 industries", re.compile(r"산업|industr", re.I)),
        ("사업시행자", "Implementer", "사업시행자 시행자 implementer", re.compile(r"공사|LH|corporation", re.I)),
    ],
    "programme": [
        ("근거", "Legal basis", "근거 법률 조 basis act article", re.compile(r"법|제\s*\d+\s*조|Act|Article", re.I)),
        ("지원 내용", "Support", "지원 감면 혜택 benefits support", re.compile(r"감면|지원|보조|%|원|relief|subsid", re.I)),
        ("대상", "Who", "대상 요건 eligible", re.compile(r"기업|법인|대상|firm|compan|startup", re.I)),
    ],
}


@dataclass
class Bullet:
    text: str
    n: int


@dataclass
class Briefing:
    topic: str
    lang: str
    sections: list[tuple[str, list[Bullet]]]
    citations: list[Citation]
    table: dict[str, Any] | None = None  # {"columns": [...], "rows": [[label, cell...]], "cells": [[(text, n|None)]]}
    notes: list[str] = field(default_factory=list)
    as_of: str = ""  # the newest date of the documents cited (YYYY-MM-DD)

    def as_of_line(self) -> str:
        if not self.as_of:
            return ""
        return f"({self.as_of} 기준)" if self.lang == "ko" else f"(as of {self.as_of})"

    def to_markdown(self) -> str:
        title = f"{self.topic} — 검토 보고 (초안)" if self.lang == "ko" else f"{self.topic} — briefing (draft)"
        out = [f"# {title}", ""]
        if self.as_of:
            out += [self.as_of_line(), ""]
        if self.table:  # the key facts come first
            out += self._table_markdown() + [""]
        for i, (name, bullets) in enumerate(self.sections, 1):
            out += [f"## {i}. {name}", ""]
            out += [f"- {b.text} [{b.n}]" for b in bullets] or [f"- {NOT_IN_DOCS[self.lang]}"]
            out.append("")
        refs = SECTIONS[self.lang][-1]
        out += [f"## {len(self.sections) + 1}. {refs}", ""]
        for c in self.citations:
            where = f"p. {c.page}" if c.page else c.section
            out.append(f"[{c.n}] {c.title} (`{c.doc_id}`{', ' + where if where else ''}; {c.date})")
        return "\n".join(out) + "\n"

    def _table_markdown(self) -> list[str]:
        t = self.table
        lines = ["| " + " | ".join(t["columns"]) + " |", "|" + "---|" * len(t["columns"])]
        for label, cells in zip(t["rows"], t["cells"]):
            shown = [f"{text} [{n}]" if n else text for text, n in cells]
            lines.append("| " + " | ".join([label] + [s.replace("|", "/") for s in shown]) + " |")
        return lines

    def to_docx(self, path: str | Path) -> Path:
        from docx import Document as Docx

        doc = Docx()
        doc.add_heading(self.to_markdown().split("\n", 1)[0].lstrip("# "), level=0)
        if self.as_of:
            doc.add_paragraph(self.as_of_line())
        if self.table:
            t = self.table
            table = doc.add_table(rows=1, cols=len(t["columns"]))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, t["columns"]):
                cell.text = text
            for label, cells in zip(t["rows"], t["cells"]):
                row = table.add_row().cells
                row[0].text = label
                for cell, (text, n) in zip(row[1:], cells):
                    cell.text = f"{text} [{n}]" if n else text
        for i, (name, bullets) in enumerate(self.sections, 1):
            doc.add_heading(f"{i}. {name}", level=1)
            for b in bullets or [Bullet(NOT_IN_DOCS[self.lang], 0)]:
                doc.add_paragraph(f"{b.text} [{b.n}]" if b.n else b.text, style="List Bullet")
        doc.add_heading(f"{len(self.sections) + 1}. {SECTIONS[self.lang][-1]}", level=1)
        for c in self.citations:
            where = f"p. {c.page}" if c.page else c.section
            doc.add_paragraph(f"[{c.n}] {c.title} ({c.doc_id}{', ' + where if where else ''}; {c.date})")
        path = Path(path)
        doc.save(path)
        return path


@dataclass
class _Sent:
    text: str
    hit: Hit
    score: float
    terms: set


def _sentences(hits: list[Hit]) -> list[tuple[str, Hit]]:
    out = []
    for h in hits:
        spans = [s for s in split_sentences(h.text) if is_content_sentence(h.text[s[0]:s[1]])]
        for text in shown_sentences(h.text, spans):
            if 12 <= len(text) <= 400 and not text.endswith(":"):
                out.append((text, h))
    return out


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


def build_briefing(bot, topic: str, lang: str = "ko", per_section: int = 5) -> Briefing:
    """A draft on topic; NotCoveredError (naming the closest documents) when the documents do not cover it, rather
    than a draft written from unrelated passages."""
    topic = topic.strip()
    covered, nearest = topic_coverage(bot, topic)
    if covered < MIN_TOPIC_COVERAGE:
        closest = tuple(dict.fromkeys(f"{h.title} ({h.doc_id})" for h in nearest))[:3]
        raise NotCoveredError(f"the documents do not cover {topic!r}; closest documents: {'; '.join(closest)}",
                              closest)
    queries = [topic] + [f"{topic} {w}" for w in (("추진 경과 발표 선정", "주요 내용 사업비 면적", "쟁점 과제 차이", "향후 계획 예정")
                                                 if lang == "ko" else ("history announced", "key figures", "issues differ", "next steps plan"))]
    hits: dict[str, Hit] = {}
    prior: dict[str, float] = {}  # passages the topic itself ranks high lead the draft
    for qi, q in enumerate(queries):
        for rank, h in enumerate(bot.search(q, k=12)):
            key = h.chunk_id or text_key(h.text)
            hits.setdefault(key, h)
            prior[key] = max(prior.get(key, 0.0), (0.4 if qi == 0 else 0.2) * (1 - rank / 12))
    pool = _sentences(list(hits.values()))
    qterms = {t: bot.retriever.bm25.idf(t) for t in set(tokenize(topic))}
    toks = tokenize_many([s for s, _ in pool])
    scored: list[_Sent] = []
    seen: set[str] = set()
    for (text, h), t in zip(pool, toks):
        key = text_key(text)
        if key in seen:
            continue
        seen.add(key)
        ctx = set(tokenize(f"{h.title} {h.section}"))
        title_match = coverage(qterms, set(tokenize(h.title)), set())
        score = (coverage(qterms, set(t), ctx) + 0.2 * bool(_FIGURE.search(text)) + 0.3 * title_match
                 + prior.get(h.chunk_id or text_key(h.text), 0.0))
        scored.append(_Sent(text, h, score, set(t)))
    scored.sort(key=lambda s: -s.score)

    buckets: dict[str, list[_Sent]] = {k: [] for k in ("overview", "history", "content", "issues", "next")}
    for s in scored:
        if s.score < 0.25 or s.text.count(" · ") >= 3 or s.text.startswith(("항목", "Item", "구분")):
            continue  # wide table rows read badly as bullets; the comparison table covers them
        if is_fragment(s.text):
            continue
        if _ISSUE.search(s.text):
            kind = "issues"
        elif _FUTURE.search(s.text):
            kind = "next"
        elif _DATE.search(s.text):
            kind = "history"
        elif _FIGURE.search(s.text):
            kind = "content"
        else:
            kind = "overview"
        if len(buckets[kind]) < per_section:
            buckets[kind].append(s)
    buckets["history"].sort(key=lambda s: _first_date(s.text))

    citations: list[Citation] = []
    index: dict[str, int] = {}

    def cite(h: Hit, sentence: str) -> int:
        key = h.chunk_id or text_key(h.text)
        if key not in index:
            index[key] = len(citations) + 1
            citations.append(Citation(n=index[key], doc_id=h.doc_id, title=h.title, page=h.page, section=h.section,
                                      text=h.text, score=h.score, sentence=sentence, chunk_id=h.chunk_id,
                                      doc_type=h.doc_type, lang=h.lang, date=h.date))
        return index[key]

    names = SECTIONS[lang]
    sections = []
    for name, kind in zip(names[:5], ("overview", "history", "content", "issues", "next")):
        sections.append((name, [Bullet(s.text, cite(s.hit, s.text)) for s in buckets[kind]]))
    table = comparison_table(bot, topic, lang, cite) or key_facts_table(bot, topic, lang, cite)
    dates = [c.date for c in citations if c.date]
    return Briefing(topic=topic, lang=lang, sections=sections, citations=citations, table=table,
                    as_of=max(dates) if dates else "")


# A sentence cut from its start ("및 …", "and …"), or a question (an FAQ heading), reads badly as a bullet.
_FRAGMENT_START = re.compile(r"^(?:및|또는|등)\s|^[a-z]")


def is_fragment(text: str) -> bool:
    return text.rstrip().endswith(("?", "？")) or bool(_FRAGMENT_START.search(text.strip()))


def key_facts_table(bot, topic: str, lang: str, cite) -> dict[str, Any] | None:
    """The key facts of the one place or district the topic names (location, dates, area, cost …), each cell
    cited: what a briefing on a single zone opens with."""
    ent = next((e for e in find_entities(topic) if e.kind in ATTRIBUTES), None)
    return None if ent is None else _attribute_table(bot, ent.kind, [ent], lang, cite)


def _first_date(text: str) -> str:
    m = re.search(r"((?:19|20)\d{2})\s*년\s*(\d{1,2})\s*월", text)
    if m:
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    m = re.search(r"(?:19|20)\d{2}", text)
    return m.group(0) if m else "9999"


def comparison_table(bot, topic: str, lang: str, cite) -> dict[str, Any] | None:
    ents = find_entities(topic)
    by_kind: dict[str, list] = {}
    for e in ents:
        by_kind.setdefault(e.kind, []).append(e)
    kind, group = next(((k, v) for k, v in by_kind.items() if len(v) >= 2 and k in ATTRIBUTES), (None, None))
    if not group:
        return None
    return _attribute_table(bot, kind, group, lang, cite)


def _attribute_table(bot, kind: str, group: list, lang: str, cite) -> dict[str, Any]:
    """One column per entity, one row per attribute of their kind, every cell cited or "not in the documents"."""
    columns = [("항목" if lang == "ko" else "Item")] + [(e.ko[0] if lang == "ko" else e.en[0]) for e in group]
    rows = [label_ko if lang == "ko" else label_en for label_ko, label_en, _, _ in ATTRIBUTES[kind]]
    cells = [[_cell(bot, e, words, pattern, lang, cite) for e in group] for _, _, words, pattern in ATTRIBUTES[kind]]
    return {"columns": columns, "rows": rows, "cells": cells}


def _cell(bot, entity, words: str, pattern: re.Pattern, lang: str, cite) -> tuple[str, int | None]:
    # Only the full names count ("판교" alone also names the first Pangyo Techno Valley); a city's two-syllable
    # name is its full name (부산).
    least = 2 if entity.kind == "city" else 3
    names = [n.lower() for n in (entity.ko[:1] + entity.en[:2]) if len(n) >= least]
    first, second = (entity.ko[0], entity.en[0]) if lang == "ko" else (entity.en[0], entity.ko[0])
    candidates = []
    for name in (first, second):
        for rank, h in enumerate(bot.search(f"{name} {words}", k=8)):
            for text, hit in _sentences([h]):
                low = text.lower()
                if any(n in low for n in names) and pattern.search(text) and text.count(" · ") < 3 \
                        and not is_fragment(text):
                    # Prefer the briefing's language, then the entity's own documents.
                    own = any(n in hit.title.lower() for n in names)
                    same_lang = (hit.lang or "") == lang
                    candidates.append((-(2 * same_lang + own), rank, text, hit))
    if not candidates:
        return NOT_IN_DOCS[lang], None
    _, _, text, hit = min(candidates, key=lambda c: (c[0], c[1]))
    return _snippet(text, pattern), cite(hit, text)


def _snippet(text: str, pattern: re.Pattern, width: int = 90) -> str:
    """The sentence, or a window of it around the matching figure, cut at word boundaries."""
    text = clean_sentence(text)
    if len(text) <= width:
        return text
    m = pattern.search(text)
    start = max(0, (m.start() if m else 0) - width // 2)
    end = min(len(text), start + width)
    while start > 0 and text[start - 1] != " ":
        start -= 1
    while end < len(text) and text[end] != " ":
        end += 1
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
