"""The Python API: Assistant.from_index(path) → ask / search. Thin glue over index, retrieval and answer."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from assistant.answer import compose
from assistant.embedders import Embedder, UseM3, get_embedder
from assistant.errors import InputError
from assistant.index import StoredIndex, embedder_names, ensure_index, load
from assistant.query import followup_context, resolve_followup
from assistant.retrieval import Filters, HybridRetriever
from assistant.settings import Settings
from assistant.text import tokenize
from assistant.types import Answer, Hit

MAX_QUESTION_CHARS = 2000


def _check_question(text: Any, what: str = "question") -> str:
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"the {what} is empty")
    text = text.strip()
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(f"the {what} is too long ({len(text)} characters; at most {MAX_QUESTION_CHARS})")
    return text


class Assistant:
    """Answers questions from one index. Cheap to call from several threads; models load on first use."""

    def __init__(self, index: StoredIndex, settings: Settings, embedders: dict[str, Embedder] | None = None):
        self.settings = settings
        self.embedders = embedders or {n: get_embedder(n, settings.threads) for n in index.embedders}
        # Sentence similarity in answers always uses USE: fast, cross-lingual, and its scores are what the
        # abstention threshold was calibrated on, whatever embedder the index uses.
        self._sentence_embedder = self.embedders.get("use-m3") or UseM3(threads=settings.threads)
        self._lock = threading.Lock()
        self._set_index(index)

    def _set_index(self, index: StoredIndex) -> None:
        retriever = HybridRetriever(index, self.embedders, rrf_k=self.settings.rrf_k, candidates=self.settings.candidates)
        with self._lock:
            self.index = index
            self.retriever = retriever

    @classmethod
    def from_index(cls, path: str | Path = "index", settings: Settings | None = None, build: bool = True,
                   progress: bool = True, embedders: dict[str, Embedder] | None = None) -> "Assistant":
        """Open the index at `path`. With build=True (the default) a missing or stale index is first built from
        settings.corpus_dirs, with a progress bar."""
        settings = (settings or Settings.from_env()).replace(index_dir=Path(path))
        if build:
            ensure_index(settings, progress=progress, embedders=embedders)
        index = load(settings.index_dir, embedder_names(settings))
        return cls(index, settings, embedders)

    def reload(self) -> None:
        """Pick up a newer build of the same index directory (after documents were added or removed)."""
        self._set_index(load(self.settings.index_dir, embedder_names(self.settings)))

    def search(self, query: str, k: int = 10, filters: Filters | dict | None = None,
               history: list[dict] | None = None) -> list[Hit]:
        query = resolve_followup(_check_question(query, "query"), history)
        if not isinstance(k, int) or k < 1:
            raise InputError("k must be a positive whole number")
        retriever = self.retriever
        ranked = retriever.retrieve(query, k=k, filters=Filters.of(filters))
        return [Hit.from_chunk(retriever.chunks[r.row], r.score) for r in ranked]

    def ask(self, question: str, history: list[dict] | None = None, filters: Filters | dict | None = None) -> Answer:
        question = _check_question(question)
        context = followup_context(question, history)
        query = f"{context} {question}" if context else question
        retriever = self.retriever
        ranked = retriever.retrieve(query, k=self.settings.top_k, filters=Filters.of(filters))
        passages = [retriever.chunks[r.row] for r in ranked]
        return compose(
            question=question,
            query=query,
            passages=passages,
            passage_scores=[r.score for r in ranked],
            idf=retriever.bm25.idf,
            query_terms=tokenize(question),
            carried_terms=tokenize(context) if context else (),
            embed=self._sentence_embedder.embed_queries,
            max_sentences=self.settings.max_answer_sentences,
            abstain_below=self.settings.abstain_below,
            min_lexical=self.settings.min_lexical,
            min_dense=self.settings.min_dense,
        )

    @property
    def documents(self) -> dict[str, dict[str, Any]]:
        """The indexed files: doc_id → {title, meta, chunks, sha256, path}."""
        return self.index.files

