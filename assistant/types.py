"""The project's own frozen dataclasses passed between stages (framework types never cross a stage)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


# Who may see a document: a user sees the levels up to their clearance. A document says nothing -> internal.
ACCESS_LEVELS = ("public", "internal", "restricted")
DEFAULT_ACCESS = "internal"


def access_of(meta: dict[str, Any]) -> str:
    """A document's access level from its metadata (the default when it sets none)."""
    return str(meta.get("access") or DEFAULT_ACCESS)


@dataclass(frozen=True)
class Segment:
    """A stretch [start, end) of a document's text under one heading path, on one page (PDF) or none."""

    start: int
    end: int
    section: tuple[str, ...] = ()
    page: int | None = None


@dataclass(frozen=True)
class Document:
    """One source file after loading: its full text, its structure and its metadata."""

    doc_id: str
    title: str
    text: str
    segments: tuple[Segment, ...]
    meta: dict[str, Any] = field(default_factory=dict)  # doc_type, lang, date, sources, topics, city

    @property
    def lang(self) -> str:
        return str(self.meta.get("lang", ""))


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: a sentence-bounded piece of one segment, with its provenance."""

    chunk_id: str
    doc_id: str
    title: str
    text: str
    section: str
    page: int | None
    start: int
    end: int
    doc_type: str = ""
    lang: str = ""
    date: str = ""

    def to_record(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "Chunk":
        return cls(**{k: rec[k] for k in cls.__dataclass_fields__ if k in rec})


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its score; best first in any list of hits."""

    doc_id: str
    title: str
    page: int | None
    section: str
    text: str
    score: float
    chunk_id: str = ""
    doc_type: str = ""
    lang: str = ""
    date: str = ""

    @classmethod
    def from_chunk(cls, chunk: Chunk, score: float) -> "Hit":
        return cls(
            doc_id=chunk.doc_id, title=chunk.title, page=chunk.page, section=chunk.section, text=chunk.text,
            score=float(score), chunk_id=chunk.chunk_id, doc_type=chunk.doc_type, lang=chunk.lang, date=chunk.date,
        )


@dataclass(frozen=True)
class Citation:
    """A passage an answer relies on; `n` is the [n] marker in the answer text, `sentence` the part quoted."""

    n: int
    doc_id: str
    title: str
    page: int | None
    section: str
    text: str
    score: float
    sentence: str = ""
    chunk_id: str = ""
    doc_type: str = ""
    lang: str = ""
    date: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class SentenceTrace:
    """Why a candidate sentence scored as it did: its signals and each one's contribution to its score."""

    role: str  # "lead" or "runner-up"
    text: str
    score: float
    signals: tuple[tuple[str, float], ...]
    contributions: tuple[tuple[str, float], ...]

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "text": self.text, "score": round(self.score, 4),
                "signals": {k: round(v, 4) for k, v in self.signals},
                "contributions": {k: round(v, 4) for k, v in self.contributions}}


@dataclass(frozen=True)
class Answer:
    """What `ask` returns. When `abstained`, `citations` holds the closest passages, not support. `reason` says why it
    answered or declined, machine-readable (assistant/answer/decline.py lists the codes)."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    query: str = ""  # the question as searched, after follow-up resolution
    evidence: dict[str, Any] = field(default_factory=dict, compare=False)  # scores of the best sentence (for calibration)
    reason: str = "answered"
    trace: tuple[SentenceTrace, ...] = field(default=(), compare=False)  # the lead sentence and the runner-up
    # With a language model configured: what it wrote and what the verifier kept (assistant/generate/answer.py).
    generation: Any = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "reason": self.reason,
            "citations": [c.to_json() for c in self.citations],
            **({"generation": self.generation.to_json()} if self.generation is not None else {}),
        }
