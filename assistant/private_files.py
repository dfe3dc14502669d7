"""SQLite files only their owner may read (feedback, accounts, audit log): created 0600 whatever the umask."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Iterator

PRIVATE_MODE = 0o600
# Files SQLite may keep beside the database. It creates them with the database file's own mode, so a 0600 database
# gets 0600 siblings; ones left looser by an older version of this code are tightened when the database is opened.
_SIBLINGS = ("-journal", "-wal", "-shm")


def make_private(path: str | Path) -> None:
    """Create `path` if missing and set it, and any SQLite sibling files, to mode 0600.

    os.open's mode is filtered by the umask (which may be 0), so the mode is set again explicitly: the file never
    exists with looser permissions than 0600 for longer than that one call, and an existing loose file is fixed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE))
    os.chmod(path, PRIVATE_MODE)
    for suffix in _SIBLINGS:
        try:
            os.chmod(f"{path}{suffix}", PRIVATE_MODE)
        except FileNotFoundError:
            pass


@contextmanager
def private_db(path: str | Path, timeout: float = 10) -> Iterator[sqlite3.Connection]:
    """A connection to the SQLite file at `path`, made private first (see make_private); commits when the block ends
    without an error, rolls back otherwise, and is closed either way. One per call, so it is safe across threads."""
    make_private(path)
    with closing(sqlite3.connect(path, timeout=timeout)) as db:
        with db:
            yield db


class PrivateDatabase:
    """A private SQLite file whose schema is created on first use, so constructing a store touches no disk.
    connect() gives one connection per call (safe across threads), as private_db does."""

    def __init__(self, path: str | Path, schema: str, upgrade=None):
        """upgrade(db), when given, runs once after the schema: in-place changes to files made by older versions."""
        import threading

        self.path = Path(path)
        self._schema = schema
        self._upgrade = upgrade
        self._lock = threading.Lock()
        self._ready = False

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if not self._ready:
                with private_db(self.path) as db:
                    db.executescript(self._schema)
                    if self._upgrade is not None:
                        self._upgrade(db)
                self._ready = True
        with private_db(self.path) as db:
            yield db
