"""Feedback on answers (thumbs up/down, optional comment) in a local SQLite database readable by its owner only:
each row belongs to the user who gave it; listed and exported as CSV, a user's own rows or (for admins) all."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.clean import clean_text
from assistant.csvsafe import rows_to_csv
from assistant.private_files import PrivateDatabase

if TYPE_CHECKING:
    from assistant.shared_db import PostgresDatabase

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
COLUMNS = ("id", "created", "user", "rating", "comment", "question", "answer", "citations")

def _upgrade(db) -> None:
    # Files made before feedback had an owner gain the column in place; their rows belong to no one.
    if "user" not in {row[1] for row in db.execute("PRAGMA table_info(feedback)")}:
        db.execute("ALTER TABLE feedback ADD COLUMN user TEXT NOT NULL DEFAULT ''")


class FeedbackStore:
    """Feedback rows in a private SQLite file, or in the shared database (assistant.shared_db). Cheap to construct;
    safe to share between threads."""

    def __init__(self, where: "str | Path | PostgresDatabase"):
        self.path = Path(where) if isinstance(where, (str, Path)) else None  # the file, when it is one
        self._database = PrivateDatabase(Path(where), SCHEMA, _upgrade) if isinstance(where, (str, Path)) else where

    def add(self, rating: int, question: str, answer: str, citations: list[dict], comment: str = "",
            user: str = "") -> int:
        if rating not in (-1, 1):
            raise ValueError("rating is 1 (helpful) or -1 (not helpful)")
        cites = [{k: c.get(k) for k in ("n", "doc_id", "title", "page", "section")} for c in citations]
        with self._database.connect() as db:
            cur = db.execute(
                'INSERT INTO feedback (created, "user", rating, comment, question, answer, citations) '
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (time.strftime("%Y-%m-%dT%H:%M:%S"), user, rating, clean_text(comment).strip(), clean_text(question),
                 clean_text(answer), json.dumps(cites, ensure_ascii=False)),
            )
            return int(cur.fetchone()[0])

    def rows(self, user: str | None = None) -> list[tuple]:
        """Newest first: one user's rows, or every row when user is None (an admin's view)."""
        where, args = ('WHERE "user" = ?', (user,)) if user is not None else ("", ())
        columns = ", ".join(f'"{c}"' for c in COLUMNS)
        with self._database.connect() as db:
            return [tuple(r) for r in db.execute(f"SELECT {columns} FROM feedback {where} ORDER BY id DESC", args).fetchall()]

    def to_csv(self, user: str | None = None) -> str:
        """The rows as CSV, with cells a spreadsheet would run as a formula neutralised (see assistant.csvsafe)."""
        return rows_to_csv(COLUMNS, self.rows(user))
