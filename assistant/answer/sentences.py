"""Stage 2 of the answer pipeline: a passage's sentences as an answer shows them.

Table rows carry their column names ("면적: 98만㎡ · …"), list items carry the sentence that opens their list, a
printed form's bare label joins its value, and bullets, heading marks and contents leaders are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from assistant.cues import cue
from assistant.retrieval.fusion import text_key
from assistant.text import split_sentences
from assistant.types import Chunk

# A list's lead-in longer than this is a paragraph, not a lead-in an item can carry.
MAX_LIST_LEAD = 240


@dataclass(frozen=True)
class Sentence:
    """One sentence of a ranked passage, as shown."""
    passage: int  # position in the ranked passage list
    text: str
    item: tuple[int, int] = (0, 0)  # (list, number) in a numbered list of its passage, (0, 0) outside one


def clean_sentence(text: str) -> str:
    """A sentence as shown in an answer: no bullet or heading marks, no contents leader; a table row as 'cell ·
    cell'."""
    s = cue("contents_leader").sub("", text.strip())
    if s.startswith("|") or s.count("|") >= 2:
        cells = [c.strip() for c in s.strip("|").split("|")]
        s = " · ".join(c for c in cells if c)
    s = cue("heading").sub("", s)
    s = cue("bullet").sub("", s)
    return s.strip()


def is_content_sentence(text: str) -> bool:
    s = text.strip()
    if cue("table_sep").match(s):
        return False
    return len(clean_sentence(s)) >= 6


def is_table_row(sentence: str) -> bool:
    """A table row as candidates show it: "column: cell · column: cell"."""
    return " · " in sentence


def row_cells(sentence: str) -> list[tuple[str, str]] | None:
    """A table row as (column, cell) pairs when every cell has its column ("날짜: 2024년 11월 · 내용: …"); None for
    another sentence."""
    pairs = [tuple(p.split(": ", 1)) for p in sentence.split(" · ")]
    return pairs if len(pairs) >= 2 and all(len(p) == 2 for p in pairs) else None


def _headers(text: str) -> dict[int, list[str]]:
    """Start offset of each table body line -> the column names of its table."""
    header: list[str] | None = None
    lines = text.split("\n")
    header_for_line: dict[int, list[str]] = {}
    offset = 0
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith("|"):
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if cue("table_sep").match(nxt):
                header = [c.strip() for c in s.strip("|").split("|")]
            elif header and not cue("table_sep").match(s):
                header_for_line[offset] = header
        else:
            header = None if not s.startswith("|") and s else header
        offset += len(line) + 1
    return header_for_line


def shown_sentences(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """Sentences of a passage as shown; a table row is prefixed with its column names ("면적: 98만㎡ · …")."""
    header_for_line = _headers(text)
    out, raws = [], []
    for start, end in spans:
        raw = text[start:end]
        raws.append(raw)
        line_start = text.rfind("\n", 0, start) + 1
        head = header_for_line.get(line_start)
        if head and raw.strip().startswith("|"):
            cells = [c.strip() for c in raw.strip().strip("|").split("|")]
            if len(cells) == len(head):
                pairs = [f"{h}: {c}" if h else c for h, c in zip(head, cells) if c]
                out.append(" · ".join(pairs))
                continue
        out.append(clean_sentence(raw))
    return _join_bare_labels(with_list_leads(out, raws))


def _join_bare_labels(sentences: list[str]) -> list[str]:
    """A printed form's numbered label on a line of its own ("(71) 출원인") takes the next line, its value, so
    that the field reads as one sentence."""
    bare = cue("bare_label")
    out: list[str] = []
    i = 0
    while i < len(sentences):
        s = sentences[i]
        if bare.match(s) and i + 1 < len(sentences) and not bare.match(sentences[i + 1]):
            out.append(f"{s} {sentences[i + 1]}")
            i += 2
            continue
        out.append(s)
        i += 1
    return out


def with_list_leads(sentences: list[str], raws: list[str]) -> list[str]:
    """A list item ("1. 제12조제1항을 위반하여 … 한 자") means little without the sentence that opens the list
    ("다음 각 호의 어느 하나에 해당하는 자는 … 에 처한다"): items carry their lead-in."""
    out, lead = [], None
    for text, raw in zip(sentences, raws):
        if cue("list_item").match(raw) and lead:
            out.append(f"{lead} {text}")
            continue
        opens = cue("list_lead").search(text.rstrip(". ")) or cue("list_lead_anywhere").search(text)
        lead = text if opens and len(text) <= MAX_LIST_LEAD else None
        out.append(text)
    return out


def item_numbers(raws: Sequence[str]) -> list[tuple[int, int]]:
    """(list, number) of each sentence of a passage, (0, 0) outside a numbered list. A list starts at item 1 and
    goes on while the numbers run on; sentences between items (an item's second sentence) do not end it."""
    out, list_id, last = [], 0, 0
    for raw in raws:
        m = cue("item_no").match(raw)
        n = int(m.group(1)) if m else 0
        if n == 1:
            list_id, last = list_id + 1, 1
        elif n and list_id and n == last + 1:
            last = n
        elif n:
            n = 0  # a number out of sequence is not an item of the list being read
        out.append((list_id, n) if n else (0, 0))
    return out


def passage_sentences(i: int, p: Chunk) -> list[Sentence]:
    """Every sentence of ranked passage i as shown, with its place in a numbered list."""
    spans = [s for s in split_sentences(p.text) if is_content_sentence(p.text[s[0]:s[1]])]
    shown = shown_sentences(p.text, spans)
    # A form's bare labels join their values (fewer sentences than spans): such a page holds no steps.
    items = item_numbers([p.text[a:b] for a, b in spans]) if len(shown) == len(spans) else [(0, 0)] * len(shown)
    return [Sentence(i, text, item) for text, item in zip(shown, items)]


def heading_key(p: Chunk) -> str:
    """The passage's own heading, compared as text_key: a PDF prints it as a line, and it answers nothing."""
    return text_key(p.section.split(" > ")[-1]) if p.section else ""


def answers_nothing(text: str, heading: str) -> bool:
    """Too short, a question (an FAQ heading is what the next sentence answers), the passage's own heading, a
    caption in brackets, or a running header or footer (a short line ending in its page number, "- 24 -")."""
    if len(text) < 6 or text.rstrip().endswith(("?", "？")) or bool(heading and text_key(text) == heading):
        return True
    return bool(cue("caption").match(text)) or (len(text) < 60 and bool(cue("page_marker").search(text)))
