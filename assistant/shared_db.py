"""Where the app's shared data lives — accounts and tokens, feedback, the audit log: private SQLite files (one
person, one machine) or, when a database URL is set, the PostgreSQL database that holds the index, so every worker
and machine sees the same accounts, tokens and log.

The stores write their SQL once, in the subset both engines read alike ("?" placeholders, RETURNING, quoted
identifiers); in PostgreSQL their tables live in the schema pa_app (created by the numbered migrations of
assistant/index/pg_schema.py), found through the connection's search_path."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from assistant.errors import AssistantError
from assistant.settings import Settings


class SharedDataError(AssistantError):
    pass


class _Connection:
    """What the stores ask of a sqlite3 connection (execute, returning a cursor), over a psycopg one."""

    def __init__(self, conn: Any):
        self._conn = conn

    def execute(self, sql: str, params: tuple | list = ()) -> Any:
        return self._conn.execute(sql.replace("?", "%s"), params)


class PostgresDatabase:
    """Cheap to construct; its connection pool opens (and the schema migrates) on first use."""

    def __init__(self, url: str, pool_size: int = 4):
        self.url, self._pool_size = url, pool_size
        self._pool = None
        self._lock = threading.Lock()

    def _open(self):
        with self._lock:
            if self._pool is None:
                import psycopg
                from psycopg_pool import ConnectionPool

                from assistant.index.pg import redacted
                from assistant.index.pg_schema import migrate

                try:
                    with psycopg.connect(self.url, autocommit=True) as conn:
                        migrate(conn)
                except psycopg.OperationalError as exc:
                    raise SharedDataError(f"cannot reach the database at {redacted(self.url)} "
                                          f"({type(exc).__name__})") from None
                self._pool = ConnectionPool(self.url, min_size=1, max_size=self._pool_size, open=True,
                                            kwargs={"options": "-c search_path=pa_app"})
            return self._pool

    @contextmanager
    def connect(self) -> Iterator[_Connection]:
        """One transaction: committed when the block ends without an error, rolled back otherwise."""
        with self._open().connection() as conn:
            with conn.transaction():
                yield _Connection(conn)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


_databases: dict[str, PostgresDatabase] = {}
_lock = threading.Lock()


def shared_database(settings: Settings, path: Path) -> "Path | PostgresDatabase":
    """The database a store of shared data uses: settings.database_url's (one per URL in a process), else the
    SQLite file at `path`."""
    url = settings.database_url.strip()
    if not url:
        return Path(path)
    with _lock:
        if url not in _databases:
            _databases[url] = PostgresDatabase(url)
        return _databases[url]


def is_duplicate(exc: BaseException) -> bool:
    """A unique key refused the row, in either engine."""
    import sqlite3

    if isinstance(exc, sqlite3.IntegrityError):
        return True
    try:
        from psycopg.errors import UniqueViolation
    except ImportError:
        return False
    return isinstance(exc, UniqueViolation)
