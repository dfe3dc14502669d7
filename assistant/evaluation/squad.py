"""SQuAD-format files (KorQuAD 1.0, SQuAD 2.0) as a corpus and a test set: each paragraph one document,
its questions' gold source; SQuAD 2.0's impossible questions are unanswerable."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from assistant.errors import InputError

from .testset import Question


def _lang(text: str) -> str:
    hangul = sum(1 for ch in text[:2000] if "\uac00" <= ch <= "\ud7a3")
    return "ko" if hangul > 20 else "en"


def load_squad(path: str | Path, corpus_dir: Path, limit: int | None = None) -> list[Question]:
    """Write one text file per paragraph under corpus_dir (once) and return the questions (first `limit`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"SQuAD file not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
    except (ValueError, KeyError) as exc:
        raise InputError(f"{path} is not a SQuAD-format JSON file ({exc})") from None
    corpus_dir.mkdir(parents=True, exist_ok=True)
    questions: list[Question] = []
    for a, article in enumerate(data):
        for p, para in enumerate(article["paragraphs"]):
            doc_id = f"a{a:03d}/p{p:03d}.txt"
            file = corpus_dir / doc_id
            if not file.exists():
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_text(f"{article.get('title', '').replace('_', ' ')}\n\n{para['context']}\n", encoding="utf-8")
            lang = _lang(para["context"])
            for qa in para["qas"]:
                impossible = bool(qa.get("is_impossible"))
                answers = tuple(dict.fromkeys(x["text"] for x in qa.get("answers", [])))
                questions.append(Question(
                    id=str(qa["id"]), question=qa["question"], answers=() if impossible else answers,
                    sources=() if impossible else (doc_id,), answerable=not impossible and bool(answers), lang=lang,
                    category="unanswerable" if impossible else "squad",
                ))
    return questions[:limit] if limit else questions


def cache_dir(path: str | Path, root: Path) -> Path:
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    return root / f"squad-{Path(path).stem}-{digest}"
