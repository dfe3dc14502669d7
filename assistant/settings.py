"""One typed settings object: every default with its help text, and the only place environment variables are read."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "POLICY_ASSISTANT_"


def _opt(default: Any, help: str) -> Any:
    if isinstance(default, (list, dict, tuple)):
        return field(default_factory=lambda: default, metadata={"help": help})
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    corpus_dirs: tuple[Path, ...] = _opt((Path("corpus"),), "Folders whose documents are indexed (doc_id = path below the folder).")
    index_dir: Path = _opt(Path("index"), "Where the index lives (a versioned directory).")
    database_url: str = _opt("", "PostgreSQL database (postgresql://…) that holds the index, shared by many processes and machines; empty: the index directory.")
    upload_dir: Path = _opt(Path("uploads"), "Documents added in the app; indexed with the corpus (doc_id = file name).")
    feedback_db: Path = _opt(Path("feedback.sqlite3"), "SQLite file for answer feedback from the app.")
    users_db: Path = _opt(Path("users.sqlite3"), "SQLite file of user accounts (policy-assistant users …); none: one local user.")
    audit_db: Path = _opt(Path("audit.sqlite3"), "SQLite file of the append-only audit log.")
    max_upload_mb: int = _opt(20, "Largest file the app accepts, in MB.")
    max_file_mb: int = _opt(50, "Largest file a build reads, in MB; a larger one is skipped with its reason.")
    max_pages: int = _opt(2000, "Most pages a build reads from one PDF; a longer one is skipped with its reason.")
    max_chunks_per_file: int = _opt(5000, "Most passages one file may make; a longer file is skipped with its reason.")
    file_timeout_s: float = _opt(600.0, "Longest a build spends reading one file (in a worker process); a slower one is skipped with its reason (0: read in the building process, no limit).")
    file_memory_mb: int = _opt(4096, "Most memory the worker that reads a file may take, in MB; a file that needs more is skipped with its reason (0: no limit).")
    embedder: str = _opt("use-m3+e5-small", "Dense embedders, joined by +: use-m3 (multilingual USE), e5-small (multilingual e5, 4-bit), minilm (English).")
    chunk_size: int = _opt(700, "Longest chunk, in characters (sentence-bounded).")
    chunk_overlap: int = _opt(120, "Characters shared by consecutive chunks of one section.")
    top_k: int = _opt(8, "Passages retrieved per question before the answer is composed.")
    fusion: str = _opt("zscore", "How rankings are combined: zscore (weighted sum of standardised scores) or rrf.")
    fusion_weights: str = _opt("bm25=0.45,use-m3=0.15,e5-small=0.4", "Weight of each retriever in fusion (measured; others 1).")
    rrf_k: int = _opt(60, "The k of reciprocal-rank fusion (larger flattens the rank curve).")
    other_language_slot: int = _opt(5, "Place kept for the best passage in the other language (0: none).")
    bridge_passages: int = _opt(2, "Passages added by a second search for the words the best-matching sentence leaves uncovered (multi-part questions; 0: off, and with it the searches for a premise and for the kind of thing asked further down).")
    translate_words: bool = _opt(True, "Look for the question's words translated (assistant/data/lexicon.json) in passages of the other language.")
    distinct_documents: int = _opt(10, "Search lists this many results from different documents before a document's further passages (0: relevance order only). Answers read passages in relevance order.")
    candidates: int = _opt(40, "Candidates each retriever contributes to fusion.")
    max_answer_sentences: int = _opt(3, "Most sentences in a composed answer.")
    abstain_below: float = _opt(0.20, "Decline when the best evidence sentence scores below this (0-1).")
    min_lexical: float = _opt(0.30, "Decline unless the best sentence covers this share of the question's weighted terms ...")
    min_dense: float = _opt(0.30, "... or is at least this similar in meaning (cosine, multilingual USE).")
    answer_confidence: str = _opt("off", "Answer-confidence model (answer stage 7): off, shipped (assistant/data/confidence_model.json), or a model JSON path. An answer it judges unlikely right is declined.")
    answer_model: str = _opt("weights", "Sentence scorer: weights (hand-set, the default: measured better on the test set), trained (the shipped logistic model), or a model JSON path.")
    llm_url: str = _opt("", "An OpenAI-compatible chat endpoint (http://host:port/v1: vLLM, Ollama, a llama.cpp server) that writes answers from the chosen passages; every sentence is verified against the passage it cites, and the extractive answer stands when too little is. Empty: extractive answers only.")
    llm_model: str = _opt("", "The model to ask at llm_url (empty: the one the server lists first).")
    llm_timeout_s: float = _opt(120.0, "Longest wait for the language model's answer, in seconds; the extractive answer stands after it.")
    threads: int = _opt(2, "CPU threads for the embedders.")
    exclude: tuple[str, ...] = _opt(("README.md",), "File names under the corpus folders that are not documents.")

    @property
    def source_dirs(self) -> tuple[Path, ...]:
        """Every folder whose documents are indexed: the corpus folders, then the upload folder."""
        dirs = list(self.corpus_dirs)
        if self.upload_dir not in dirs:
            dirs.append(self.upload_dir)
        return tuple(dirs)

    @property
    def weights(self) -> dict[str, float]:
        """fusion_weights as a dict ("bm25=0.45,use-m3=0.15" -> {"bm25": 0.45, "use-m3": 0.15})."""
        out = {}
        for part in self.fusion_weights.split(","):
            name, _, value = part.partition("=")
            if not name.strip():
                continue
            try:
                out[name.strip()] = float(value)
            except ValueError:
                from assistant.errors import InputError

                raise InputError(f"fusion_weights: {part!r} is not name=number") from None
        return out

    @classmethod
    def from_env(cls, **overrides: Any) -> "Settings":
        """Defaults, then POLICY_ASSISTANT_<FIELD> variables, then explicit overrides (None is ignored)."""
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = os.environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _parse(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**_coerce(values))

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **_coerce({k: v for k, v in changes.items() if v is not None}))

    def to_env(self) -> dict[str, str]:
        """These settings as POLICY_ASSISTANT_<FIELD> variables that from_env reads back as they are (how a server
        hands its settings to the worker processes it starts)."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = os.pathsep.join(str(v) for v in value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            out[ENV_PREFIX + f.name.upper()] = str(value)
        return out

    @classmethod
    def describe(cls) -> list[tuple[str, Any, str]]:
        """(name, default, help) for every setting, for --help texts and the README."""
        out = []
        for f in dataclasses.fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
            out.append((f.name, default, f.metadata.get("help", "")))
        return out


def _parse(f: dataclasses.Field, raw: str) -> Any:
    name = f.name
    if name in ("corpus_dirs", "exclude"):
        return tuple(p for p in raw.split(os.pathsep) if p)
    if name in ("max_upload_mb", "max_file_mb", "max_pages", "max_chunks_per_file", "chunk_size", "chunk_overlap", "top_k", "rrf_k", "candidates", "distinct_documents", "max_answer_sentences", "threads",
                "other_language_slot", "bridge_passages", "file_memory_mb"):
        return int(raw)
    if name in ("abstain_below", "min_lexical", "min_dense", "file_timeout_s", "llm_timeout_s"):
        return float(raw)
    if name == "translate_words":
        if raw.strip().lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
            from assistant.errors import InputError

            raise InputError(f"{ENV_PREFIX}TRANSLATE_WORDS: {raw!r} is not true or false")
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    if "corpus_dirs" in values:
        dirs = values["corpus_dirs"]
        if isinstance(dirs, (str, Path)):
            dirs = (dirs,)
        values["corpus_dirs"] = tuple(Path(d) for d in dirs)
    for key in ("index_dir", "upload_dir", "feedback_db", "users_db", "audit_db"):
        if key in values:
            values[key] = Path(values[key])
    if "exclude" in values:
        values["exclude"] = tuple(values["exclude"])
    return values
