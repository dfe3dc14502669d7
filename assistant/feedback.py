"""Feedback on answers (thumbs up/down, optional comment) in a local SQLite database: listed and exported as CSV."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL  -- JSON list of {n, doc_id, title, page, section}
)
"""
COLUMNS = ("id", "created", "rating", "comment", "question", "answer", "citations")


class FeedbackStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, rating: int, question: str, answer: str, citations: list[dict], comment: str = "") -> int:
        if rating not in (-1, 1):
            raise ValueError("rating is 1 (helpful) or -1 (not helpful)")
        cites = [{k: c.get(k) for k in ("n", "doc_id", "title", "page", "section")} for c in citations]
        with self._lock, self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created, rating, comment, question, answer, citations) VALUES (?, ?, ?, ?, ?, ?)",
                (time.strftime("%Y-%m-%dT%H:%M:%S"), rating, comment.strip(), question, answer,
                 json.dumps(cites, ensure_ascii=False)),
            )
            return int(cur.lastrowid)

    def rows(self) -> list[tuple]:
        with self._connect() as db:
            return db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id DESC").fetchall()

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(COLUMNS)
        writer.writerows(self.rows())
        return buf.getvalue()
