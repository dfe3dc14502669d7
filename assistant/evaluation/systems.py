"""The configurations the harness scores side by side. Each has search(question, history, k) and ask(question, history).

- ours: the assistant as shipped (hybrid BM25 + default dense embedder, extractive answers);
- bm25 / <embedder>: one retriever alone, same answerer;
- llamaindex-default: what a newcomer builds with llama-index defaults — a VectorStoreIndex over the same documents
  with the same embedder, the default splitter and retriever, and no answerer (its "answer" is the top passage).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assistant.embedders import Embedder
from assistant.index.store import StoredIndex
from assistant.retrieval import HybridRetriever
from assistant.types import Answer, Citation, Hit


class AssistantSystem:
    def __init__(self, name: str, bot: Any):
        self.name = name
        self.bot = bot

    def search(self, question: str, history, k: int = 10) -> list[Hit]:
        return self.bot.search(question, k=k, history=history)

    def ask(self, question: str, history) -> Answer:
        return self.bot.ask(question, history=history)


def variant(bot: Any, name: str, lexical: bool, dense: list[str], **options) -> AssistantSystem:
    """The same assistant with another retriever mix (shares the loaded index and models). A single retriever runs
    alone: no fusion and no other-language place."""
    import copy

    if int(lexical) + len(dense) == 1:
        options.setdefault("other_language_slot", 0)
    clone = copy.copy(bot)
    clone.retriever = HybridRetriever.from_settings(bot.index, {n: bot.embedders[n] for n in dense}, bot.settings,
                                                    use_lexical=lexical, use_dense=bool(dense), **options)
    return AssistantSystem(name, clone)


def _llama_embedding(embedder: Embedder):
    from llama_index.core.embeddings import BaseEmbedding

    class ProjectEmbedding(BaseEmbedding):
        """Our embedder behind llama-index's embedding interface (passed explicitly, never via Settings)."""

        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed_queries([query])[0].tolist()

        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_passages(texts).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return ProjectEmbedding(model_name=embedder.name, embed_batch_size=32)


class LlamaIndexBaseline:
    """VectorStoreIndex with default splitter and retriever over the same documents and embedder."""

    def __init__(self, documents: list, embedder: Embedder, name: str = "llamaindex-default"):
        from llama_index.core import Document as LlamaDocument
        from llama_index.core import VectorStoreIndex

        self.name = name
        docs = [LlamaDocument(text=d.text, metadata={"doc_id": d.doc_id, "title": d.title}, id_=d.doc_id) for d in documents]
        self.index = VectorStoreIndex.from_documents(docs, embed_model=_llama_embedding(embedder), show_progress=False)
        self.retriever = self.index.as_retriever(similarity_top_k=10)

    def search(self, question: str, history, k: int = 10) -> list[Hit]:
        from assistant.query import resolve_followup

        nodes = self.retriever.retrieve(resolve_followup(question, list(history or [])))[:k]
        return [Hit(doc_id=n.node.metadata["doc_id"], title=n.node.metadata.get("title", ""), page=None, section="",
                    text=n.node.get_content(), score=float(n.score or 0.0)) for n in nodes]

    def ask(self, question: str, history) -> Answer:
        hits = self.search(question, history, k=1)
        if not hits:
            return Answer(question=question, text="", abstained=True, citations=())
        h = hits[0]
        cite = Citation(n=1, doc_id=h.doc_id, title=h.title, page=None, section="", text=h.text, score=h.score)
        return Answer(question=question, text=h.text, abstained=False, citations=(cite,))
