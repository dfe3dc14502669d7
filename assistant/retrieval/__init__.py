"""Hybrid retrieval: BM25 over Korean morphemes and dense FAISS search, fused by reciprocal rank."""

from .fusion import dedupe, rrf
from .lexical import BM25
from .search import Filters, HybridRetriever

__all__ = ["BM25", "Filters", "HybridRetriever", "dedupe", "rrf"]
