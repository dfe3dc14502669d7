"""Structure-aware chunking: headings and statute articles first, then sentence-bounded pieces with a small overlap.

Sentence-bounded splitting is llama-index's SentenceSplitter measured in characters (Korean has no useful
word count for this); every piece is mapped back to its character span so a citation can point into the source.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.types import Chunk, Document, Segment

# "제8조(지정 신청 등)", "제35조의2 (특례)" at the start of a line: a statute article opens.
ARTICLE_LINE = re.compile(r"^[ \t#]*(제\s*\d+\s*조(?:의\s*\d+)?)[ \t]*[(（]([^)\n）]{1,60})[)）]", re.M)


def article_label(match: re.Match) -> str:
    number = re.sub(r"\s+", "", match.group(1))
    return f"{number} ({match.group(2).strip()})"


def split_articles(text: str, seg: Segment) -> list[Segment]:
    """Split a segment where statute articles start; each article becomes its own section."""
    body = text[seg.start:seg.end]
    starts = [m for m in ARTICLE_LINE.finditer(body)]
    if not starts:
        return [seg]
    out: list[Segment] = []
    first = starts[0].start()
    if body[:first].strip():
        out.append(Segment(seg.start, seg.start + first, seg.section, seg.page))
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        label = article_label(m)
        parent = seg.section[:-1] if seg.section and seg.section[-1].replace(" ", "").startswith(label.split(" ")[0]) else seg.section
        out.append(Segment(seg.start + m.start(), seg.start + end, parent + (label,), seg.page))
    return out


@lru_cache(maxsize=8)
def _splitter(chunk_size: int, chunk_overlap: int):
    from llama_index.core.node_parser import SentenceSplitter

    # Measure length in characters: token counts from an English tokenizer mean little for Korean.
    return SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap, tokenizer=list, paragraph_separator="\n\n")


def sentence_pieces(text: str, chunk_size: int, chunk_overlap: int) -> list[tuple[int, int]]:
    """Spans [start, end) of sentence-bounded pieces of `text`, each at most about chunk_size characters."""
    stripped = text.strip()
    if not stripped:
        return []
    lead = len(text) - len(text.lstrip())
    if len(stripped) <= chunk_size:
        return [(lead, lead + len(stripped))]
    pieces = _splitter(chunk_size, chunk_overlap).split_text(text)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:
            # The splitter normalised whitespace inside the piece: anchor on its first words instead.
            at = text.find(piece[:40], cursor)
            end = at + len(piece) if at >= 0 else -1
        else:
            end = at + len(piece)
        if at < 0:
            continue
        spans.append((at, min(end, len(text))))
        # The next piece overlaps this one by at most about chunk_overlap characters; starting the search
        # there keeps repeated sentences from being matched to an earlier place.
        cursor = max(at + 1, end - 2 * chunk_overlap)
    return spans


def chunk_document(doc: Document, chunk_size: int = 700, chunk_overlap: int = 120) -> list[Chunk]:
    chunks: list[Chunk] = []
    for seg in doc.segments:
        for part in split_articles(doc.text, seg):
            body = doc.text[part.start:part.end]
            for start, end in sentence_pieces(body, chunk_size, chunk_overlap):
                chunks.append(
                    Chunk(
                        chunk_id=f"{doc.doc_id}#{len(chunks)}",
                        doc_id=doc.doc_id,
                        title=doc.title,
                        text=body[start:end],
                        section=" > ".join(part.section),
                        page=part.page,
                        start=part.start + start,
                        end=part.start + end,
                        doc_type=str(doc.meta.get("doc_type", "")),
                        lang=str(doc.meta.get("lang", "")),
                        date=str(doc.meta.get("date", "")),
                    )
                )
    return chunks
