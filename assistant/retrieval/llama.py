"""The boundary with llama-index: our hybrid retriever behind its BaseRetriever interface, and back.

Lets the assistant's retrieval plug into llama-index query engines and node postprocessors; nothing inside the
project passes llama-index types around (Hit is converted here, once). No global llama-index Settings are used.
"""

from __future__ import annotations

from typing import Any

from assistant.types import Hit


def make_retriever(bot: Any, k: int = 10, filters: dict | None = None):
    """A llama_index BaseRetriever that answers with the assistant's hybrid search."""
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

    class HybridLlamaRetriever(BaseRetriever):
        def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
            hits = bot.search(query_bundle.query_str, k=k, filters=filters)
            return [NodeWithScore(node=to_node(h, TextNode), score=h.score) for h in hits]

    return HybridLlamaRetriever()


def to_node(hit: Hit, node_cls):
    meta = {"doc_id": hit.doc_id, "title": hit.title, "page": hit.page, "section": hit.section,
            "doc_type": hit.doc_type, "lang": hit.lang, "date": hit.date}
    return node_cls(text=hit.text, id_=hit.chunk_id or None, metadata=meta)


def hit_from_node(node_with_score) -> Hit:
    """Back from llama-index (e.g. after a node postprocessor) to the project's own type."""
    node = node_with_score.node
    m = node.metadata
    return Hit(doc_id=m.get("doc_id", ""), title=m.get("title", ""), page=m.get("page"), section=m.get("section", ""),
               text=node.get_content(), score=float(node_with_score.score or 0.0), chunk_id=node.node_id,
               doc_type=m.get("doc_type", ""), lang=m.get("lang", ""), date=m.get("date", ""))
