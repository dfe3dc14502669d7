"""The audit log: an append-only record of who did what (sign-ins, questions, document and account changes, exports),
kept in a SQLite file only its owner can read, and exported as CSV or JSON Lines for review.

Append-only is enforced by the database itself: triggers abort every UPDATE and DELETE, and any INSERT that would
replace an existing row, so no code path in the app can rewrite history by mistake. That guards against bugs, not
against someone who can write the file: keep it where the app's users cannot reach and copy exports elsewhere.

Secrets never reach the file: keys of `detail` that look secret are dropped (nested ones too) and long strings are
cut short. Values are not inspected, so callers must not put a password in, say, `target`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.clean import clean_text
from assistant.csvsafe import rows_to_csv
from assistant.errors import InputError
from assistant.private_files import PrivateDatabase

if TYPE_CHECKING:
    from assistant.shared_db import PostgresDatabase

ACTIONS = frozenset({
    "login", "login_failed", "ask", "search", "brief", "check", "document_added", "document_removed",
    "user_added", "user_removed", "password_set", "token_issued", "export",
})
MAX_TEXT = 2000
MAX_DEPTH = 8  # deeper structures are summarised, so a self-referencing or huge detail cannot exhaust the stack
COLUMNS = ("id", "at", "actor", "action", "target", "detail")
_SECRET_KEY = re.compile(r"passw(or)?d|token|secret|authorization|cookie|credential|api[_-]?key", re.IGNORECASE)

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS events_by_actor ON events (actor, id);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: events cannot be changed'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: events cannot be deleted'); END;
-- INSERT OR REPLACE deletes the old row without firing delete triggers (unless recursive triggers are on).
CREATE TRIGGER IF NOT EXISTS events_no_replace BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: events cannot be replaced'); END;
"""


@dataclass(frozen=True)
class Event:
    id: int
    at: str  # ISO-8601, UTC
    actor: str
    action: str
    target: str
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _truncate(text: str) -> str:
    text = clean_text(text)  # a lone surrogate cannot be stored: the event is kept, the character replaced
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + f"…[{len(text) - MAX_TEXT} more characters]"


def scrub(value: Any, depth: int = 0) -> Any:
    """`value` made fit for the log: dict keys that look secret dropped at any depth, long strings cut to MAX_TEXT
    characters, anything that is not JSON (dates, paths) written as text."""
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return "[nested too deep]"
        return {_truncate(str(k)): scrub(v, depth + 1) for k, v in value.items() if not _SECRET_KEY.search(str(k))}
    if isinstance(value, (list, tuple, set, frozenset)):
        if depth >= MAX_DEPTH:
            return "[nested too deep]"
        return [scrub(v, depth + 1) for v in value]
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)  # NaN and infinities are not JSON
    return _truncate(value if isinstance(value, str) else str(value))


def _utc_text(moment: datetime) -> str:
    # One fixed format so that timestamps compare correctly as text in SQL. Naive datetimes are taken as UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _since_text(since: str | datetime) -> str:
    if isinstance(since, str):
        try:
            since = datetime.fromisoformat(since)
        except ValueError:
            raise InputError(f"since: {since!r} is not an ISO-8601 date or time") from None
    if not isinstance(since, datetime):
        raise InputError(f"since must be a datetime or ISO-8601 text, not {type(since).__name__}")
    return _utc_text(since)


class AuditLog:
    """Append-only events in one SQLite file (mode 0600), created on first use. Cheap to construct; safe to share
    between threads (each call opens its own connection)."""

    def __init__(self, where: "str | Path | PostgresDatabase"):
        # A private SQLite file, or the shared database (assistant.shared_db), whose triggers refuse the same.
        self.path = Path(where) if isinstance(where, (str, Path)) else None  # the file, when it is one
        self._database = PrivateDatabase(Path(where), SCHEMA) if isinstance(where, (str, Path)) else where

    def _db(self):
        return self._database.connect()

    def record(self, actor: str, action: str, target: str = "", *, detail: dict[str, Any] | None = None) -> int:
        """Append one event and return its id. `action` is one of ACTIONS; secrets in `detail` are dropped first."""
        if action not in ACTIONS:
            raise InputError(f"unknown audit action {action!r}: expected one of {', '.join(sorted(ACTIONS))}")
        if not isinstance(actor, str) or not actor:
            raise InputError("audit actor must be a non-empty string")
        if detail is not None and not isinstance(detail, dict):
            raise InputError(f"audit detail must be a dict, not {type(detail).__name__}")
        row = (_utc_text(datetime.now(timezone.utc)), _truncate(actor), action, _truncate(str(target)),
               json.dumps(scrub(detail or {}), ensure_ascii=False, sort_keys=True))
        with self._db() as db:
            cur = db.execute("INSERT INTO events (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?) "
                             "RETURNING id", row)
            return int(cur.fetchone()[0])

    def events(self, actor: str | None = None, since: str | datetime | None = None, limit: int = 1000) -> list[Event]:
        """The latest events, newest first; only `actor`'s and only those at or after `since`, when given."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InputError(f"limit must be a positive whole number, not {limit!r}")
        return self._select(actor, since, limit=limit, newest_first=True)

    def _select(self, actor: str | None, since: str | datetime | None, limit: int | None,
                newest_first: bool) -> list[Event]:
        where, params = [], []
        if actor is not None:
            where.append("actor = ?")
            params.append(actor)
        if since is not None:
            where.append("at >= ?")
            params.append(_since_text(since))
        sql = ("SELECT id, at, actor, action, target, detail FROM events"
               + (" WHERE " + " AND ".join(where) if where else "")
               + (" ORDER BY id DESC" if newest_first else " ORDER BY id")
               + (" LIMIT ?" if limit is not None else ""))
        if limit is not None:
            params.append(limit)
        with self._db() as db:
            rows = db.execute(sql, params).fetchall()
        return [Event(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def to_csv(self, actor: str | None = None, since: str | datetime | None = None) -> str:
        """Every event (or those of `actor` / since `since`), oldest first, as spreadsheet-safe CSV."""
        rows = [(e.id, e.at, e.actor, e.action, e.target, json.dumps(e.detail, ensure_ascii=False, sort_keys=True))
                for e in self._select(actor, since, limit=None, newest_first=False)]
        return rows_to_csv(COLUMNS, rows)

    def to_jsonl(self, actor: str | None = None, since: str | datetime | None = None) -> str:
        """Every event (or those of `actor` / since `since`), oldest first, one JSON object per line."""
        events = self._select(actor, since, limit=None, newest_first=False)
        return "".join(json.dumps(e.to_json(), ensure_ascii=False) + "\n" for e in events)
