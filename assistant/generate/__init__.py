"""Optional generative answers (a language model behind an OpenAI-compatible URL), every sentence verified against
the passage it cites, the extractive answer as the floor. Nothing here loads unless a URL is configured."""

from __future__ import annotations

from typing import Sequence

from assistant.types import Answer, Chunk

from .verify import Source


def sources_for(answer: Answer, chunks: Sequence[Chunk], row_of: dict[str, int]) -> list[Source]:
    """The extractive answer's cited passages, numbered as it numbers them, each with the passages before and after
    it in the same document: the model may need the sentence around a figure, and is checked against all three."""
    out = []
    for c in answer.citations:
        row = row_of.get(c.chunk_id)
        if row is None:  # a clause cited by a rule, not an indexed passage
            out.append(Source(c.n, c.doc_id, c.title, c.text))
            continue
        around = [chunks[r] for r in (row - 1, row, row + 1)
                  if 0 <= r < len(chunks) and chunks[r].doc_id == chunks[row].doc_id]
        out.append(Source(c.n, c.doc_id, c.title, "\n".join(ch.text for ch in around)))
    return out
