"""The versioned on-disk index (store) and the incremental builder (build)."""

from .build import BuildReport, build_index, embedder_names, ensure_index, is_stale, other_sources, recorded_sources
from .location import IndexStore, open_store
from .store import SCHEMA_VERSION, StoredIndex, load

__all__ = ["BuildReport", "IndexStore", "open_store", "SCHEMA_VERSION", "StoredIndex", "build_index", "embedder_names", "ensure_index", "is_stale", "load",
           "other_sources", "recorded_sources"]
