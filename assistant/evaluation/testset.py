"""Test-set files: one JSON object per line, validated on load."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import InputError

CATEGORIES = ("factual", "eligibility", "procedure", "comparison", "temporal", "multi-hop", "follow-up",
              "cross-lingual", "unanswerable")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...]
    answerable: bool
    lang: str
    category: str
    history: tuple[dict, ...] = field(default_factory=tuple)

    @classmethod
    def from_json(cls, obj: dict, where: str = "") -> "Question":
        missing = [k for k in ("id", "question", "answers", "sources", "answerable", "lang", "category") if k not in obj]
        if missing:
            raise InputError(f"{where}: missing {', '.join(missing)}")
        q = cls(id=str(obj["id"]), question=str(obj["question"]), answers=tuple(map(str, obj["answers"])),
                sources=tuple(map(str, obj["sources"])), answerable=bool(obj["answerable"]), lang=str(obj["lang"]),
                category=str(obj["category"]), history=tuple(obj.get("history") or ()))
        if q.answerable and not q.answers:
            raise InputError(f"{where}: answerable question {q.id} has no answers")
        if q.lang not in ("ko", "en"):
            raise InputError(f"{where}: lang must be ko or en")
        for turn in q.history:
            if turn.get("role") not in ("user", "assistant") or "content" not in turn:
                raise InputError(f"{where}: history turns need role (user/assistant) and content")
        return q


def load_testset(path: str | Path) -> list[Question]:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"test set not found: {path}")
    out, seen = [], set()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise InputError(f"{path}:{n}: not JSON ({exc})") from None
            q = Question.from_json(obj, f"{path}:{n}")
            if q.id in seen:
                raise InputError(f"{path}:{n}: duplicate id {q.id}")
            seen.add(q.id)
            out.append(q)
    return out
