"""Where the index lives: a versioned directory (the embedded default: FAISS files, nothing to install) or a shared
PostgreSQL database (pgvector), chosen by settings.database_url. The builder and the assistant see one interface."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.settings import Settings
from assistant.types import Chunk

from . import store


class IndexStore(Protocol):
    """The live index, how to read it, and how a builder replaces it."""

    @property
    def label(self) -> str:
        """Where the index is, for messages (a database URL without its password)."""

    @property
    def rebuild_hint(self) -> str:
        """The command that rebuilds this index."""

    def read_manifest(self) -> dict[str, Any] | None:
        """The live build's manifest; None when there is none yet."""

    def live_id(self) -> str | None:
        """Which build is live (cheap to ask: a process serving the index asks before requests, to pick up a build
        another process published)."""

    def load(self, embedders: list[str]) -> store.StoredIndex: ...

    def lock(self) -> AbstractContextManager[None]:
        """Held by the one builder at a time; a second waits, then gives up with IndexBusyError."""

    def write(self, manifest: dict[str, Any], chunks: list[Chunk], tokens: list[list[str]],
              vectors: dict[str, np.ndarray]) -> str:
        """Write a complete build and make it live at once; readers keep the previous one until they reload.
        Returns where it was written."""


@dataclass(frozen=True)
class DirectoryStore:
    path: Path

    @property
    def label(self) -> str:
        return str(self.path)

    @property
    def rebuild_hint(self) -> str:
        return f"policy-assistant index build --index {self.path}"

    def read_manifest(self) -> dict[str, Any] | None:
        return store.read_manifest(self.path)

    def live_id(self) -> str | None:
        build = store.current_build(self.path)
        return build.name if build else None

    def load(self, embedders: list[str]) -> store.StoredIndex:
        return store.load(self.path, embedders)

    def lock(self) -> AbstractContextManager[None]:
        return store.build_lock(self.path)

    def write(self, manifest, chunks, tokens, vectors) -> str:
        return str(store.write_build(self.path, manifest, chunks, tokens, vectors))


_databases: dict[str, Any] = {}
_databases_lock = threading.Lock()


def open_store(settings: Settings) -> IndexStore:
    """The index the settings name. One PostgresStore (one connection pool) per database URL in a process."""
    url = settings.database_url.strip()
    if not url:
        return DirectoryStore(Path(settings.index_dir))
    from .pg import PostgresStore

    with _databases_lock:
        if url not in _databases:
            _databases[url] = PostgresStore(url)
        return _databases[url]


def copy_index(source: IndexStore, target: IndexStore, embedders: list[str]) -> str:
    """Copy the live build from one store to another as it is (moving a one-machine index into the shared database
    without embedding again). Returns where it was written."""
    index = source.load(embedders)
    matrices = {name: index.vectors[name].matrix() for name in embedders}
    with target.lock():
        return target.write(index.manifest, index.chunks, index.tokens, matrices)
