"""User accounts: who may sign in, what they may do (their role) and which documents they may see (their clearance),
plus long-lived API tokens. Kept in a SQLite file only its owner can read.

Passwords are hashed with Argon2id (argon2-cffi, imported on first use so that `import assistant` stays light).
Tokens are 256-bit random strings of which only the SHA-256 is stored, so a copy of the file signs no one in.

Roles: reader (asks questions), editor (also adds and removes documents), admin (also manages users and exports
feedback and the audit log). Clearance: public < internal < restricted; a user sees documents at or below theirs.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from assistant.errors import InputError
from assistant.private_files import PrivateDatabase
from assistant.shared_db import is_duplicate
from assistant.types import ACCESS_LEVELS

if TYPE_CHECKING:
    from assistant.shared_db import PostgresDatabase

ROLES = ("reader", "editor", "admin")
DEFAULT_CLEARANCE = {"reader": "internal", "editor": "internal", "admin": "restricted"}
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # bounds the work one sign-in attempt can ask of the server
MAX_USERNAME = 64
MAX_TOKEN_DAYS = 3650
MAX_LABEL = 200
_USERNAME_CHARS = re.compile(r"[A-Za-z0-9._-]+")  # ASCII only: no look-alike letters from other scripts

# Usernames compare case-insensitively so that "Kim" cannot be registered beside "kim" to impersonate them.
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    clearance TEXT NOT NULL,
    created TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    created TEXT NOT NULL,
    expires TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS tokens_by_user ON tokens (username);
"""


def visible_levels(clearance: str) -> tuple[str, ...]:
    """The access levels a holder of `clearance` may see: it and every level below ("internal" -> public, internal)."""
    if clearance not in ACCESS_LEVELS:
        raise InputError(f"unknown clearance {clearance!r}: expected one of {', '.join(ACCESS_LEVELS)}")
    return ACCESS_LEVELS[: ACCESS_LEVELS.index(clearance) + 1]


@dataclass(frozen=True)
class User:
    username: str
    role: str
    clearance: str

    # Properties rather than methods: mistakenly calling a property fails loudly, whereas testing an uncalled
    # method (`if user.can_edit:`) would silently always be true.
    @property
    def can_edit(self) -> bool:
        """May add and remove documents."""
        return self.role in ("editor", "admin")

    @property
    def is_admin(self) -> bool:
        """May manage users and export all feedback and the audit log."""
        return self.role == "admin"

    def allowed_levels(self) -> tuple[str, ...]:
        return visible_levels(self.clearance)


def check_username(username: Any) -> str:
    """`username` if it is 1-64 ASCII letters, digits, '.', '_' or '-'; InputError saying what is wrong otherwise."""
    if not isinstance(username, str) or not username:
        raise InputError("username is empty")
    if len(username) > MAX_USERNAME:
        raise InputError(f"username is longer than {MAX_USERNAME} characters")
    if not _USERNAME_CHARS.fullmatch(username):
        bad = next(c for c in username if not _USERNAME_CHARS.fullmatch(c))
        raise InputError(f"username may hold only letters, digits, '.', '_' and '-', not {bad!r}")
    return username


def check_password(password: Any) -> str:
    """`password` if it is long enough (and not absurdly long); InputError otherwise. Never echoes the password."""
    if not isinstance(password, str):
        raise InputError("password must be text")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password must be at least {MIN_PASSWORD} characters (it has {len(password)})")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"password must be at most {MAX_PASSWORD} characters")
    return password


def check_role(role: Any) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    return role


def _iso(ts: float) -> str:
    # One fixed format (UTC, seconds, +00:00) so that timestamps compare correctly as text in SQL.
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def _digest(token: str) -> str:
    # A token carries 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserStore:
    """Accounts and API tokens in one SQLite file (mode 0600), created on first use.

    Cheap to construct and safe to share between threads (each call opens its own connection).
    `hash_params` are keyword arguments for argon2.PasswordHasher; None keeps the library's secure defaults (tests
    pass cheap ones). Hashes made with other parameters still verify, and are redone on the next good sign-in.
    `clock` returns the current time in seconds; tests move it to expire tokens.
    """

    def __init__(self, where: "str | Path | PostgresDatabase", *, hash_params: dict[str, int] | None = None,
                 clock: Callable[[], float] = time.time):
        self._hash_params = dict(hash_params or {})
        self._clock = clock
        # A private SQLite file, or the shared database (assistant.shared_db).
        self.path = Path(where) if isinstance(where, (str, Path)) else None  # the file, when it is one
        self._database = PrivateDatabase(Path(where), SCHEMA) if isinstance(where, (str, Path)) else where
        self._hasher_obj: Any = None
        self._dummy: str | None = None

    # --- storage and hashing -------------------------------------------------------------------------------------
    def _db(self):
        return self._database.connect()

    def _hasher(self) -> Any:
        if self._hasher_obj is None:
            from argon2 import PasswordHasher

            self._hasher_obj = PasswordHasher(**self._hash_params)
        return self._hasher_obj

    def _verify(self, stored: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return bool(self._hasher().verify(stored, password))  # constant-time comparison inside the library
        except (VerificationError, InvalidHashError):
            return False

    def _dummy_hash(self) -> str:
        # Checked against when the user is unknown, so a failed sign-in costs the same whether or not they exist.
        if self._dummy is None:
            self._dummy = self._hasher().hash(secrets.token_urlsafe(32))
        return self._dummy

    @staticmethod
    def _row(db, username: str) -> tuple:
        row = db.execute("SELECT username, password_hash, role, clearance, disabled FROM users "
                         "WHERE lower(username) = lower(?)", (username,)).fetchone()
        if row is None:
            raise InputError(f"no user named {username!r}")
        return row

    # --- accounts ------------------------------------------------------------------------------------------------
    def add(self, username: str, password: str, role: str, clearance: str | None = None) -> User:
        """Create an account; clearance defaults by role (reader, editor: internal; admin: restricted)."""
        username, role = check_username(username), check_role(role)
        check_password(password)
        clearance = DEFAULT_CLEARANCE[role] if clearance is None else clearance
        visible_levels(clearance)
        hashed = self._hasher().hash(password)
        try:
            with self._db() as db:
                db.execute("INSERT INTO users (username, password_hash, role, clearance, created) VALUES (?, ?, ?, ?, ?)",
                           (username, hashed, role, clearance, _iso(self._clock())))
        except Exception as exc:
            if is_duplicate(exc):
                raise InputError(f"user {username!r} already exists") from None
            raise
        return User(username, role, clearance)

    def get(self, username: str) -> User | None:
        """The account (enabled or not), or None if there is none by that name."""
        check_username(username)
        with self._db() as db:
            row = db.execute("SELECT username, role, clearance FROM users WHERE lower(username) = lower(?)",
                             (username,)).fetchone()
        return User(*row) if row else None

    def remove(self, username: str) -> None:
        """Delete the account and every token issued to it."""
        check_username(username)
        with self._db() as db:
            name = self._row(db, username)[0]
            db.execute("DELETE FROM tokens WHERE username = ?", (name,))
            db.execute("DELETE FROM users WHERE username = ?", (name,))

    def set_password(self, username: str, password: str) -> None:
        check_username(username)
        check_password(password)
        hashed = self._hasher().hash(password)
        with self._db() as db:
            name = self._row(db, username)[0]
            db.execute("UPDATE users SET password_hash = ? WHERE username = ?", (hashed, name))

    def set_role(self, username: str, role: str, clearance: str | None = None) -> User:
        """Change the role; the clearance becomes the new role's default unless given, so a demoted admin does not
        keep seeing restricted documents by accident."""
        check_username(username)
        role = check_role(role)
        clearance = DEFAULT_CLEARANCE[role] if clearance is None else clearance
        visible_levels(clearance)
        with self._db() as db:
            name = self._row(db, username)[0]
            db.execute("UPDATE users SET role = ?, clearance = ? WHERE username = ?", (role, clearance, name))
        return User(name, role, clearance)

    def set_disabled(self, username: str, disabled: bool = True) -> None:
        """A disabled account keeps its data but can neither sign in nor use its tokens."""
        check_username(username)
        with self._db() as db:
            name = self._row(db, username)[0]
            db.execute("UPDATE users SET disabled = ? WHERE username = ?", (int(bool(disabled)), name))

    def authenticate(self, username: str, password: str) -> User | None:
        """The user, if the password is theirs and the account is enabled; None otherwise.

        Unknown names, disabled accounts and malformed input cost one hash verification just like a real attempt,
        so the time taken does not reveal who has an account.
        """
        dummy = self._dummy_hash()
        row = None
        if isinstance(username, str) and 0 < len(username) <= MAX_USERNAME and _USERNAME_CHARS.fullmatch(username):
            with self._db() as db:
                row = db.execute("SELECT username, password_hash, role, clearance, disabled FROM users "
                                 "WHERE lower(username) = lower(?)", (username,)).fetchone()
        usable = isinstance(password, str) and len(password) <= MAX_PASSWORD
        stored = row[1] if row else dummy
        matched = self._verify(stored, password if usable else "")
        if not (matched and usable and row and not row[4]):
            return None
        if self._hasher().check_needs_rehash(stored):
            with self._db() as db:
                db.execute("UPDATE users SET password_hash = ? WHERE username = ?", (self._hasher().hash(password), row[0]))
        return User(row[0], row[2], row[3])

    # --- tokens --------------------------------------------------------------------------------------------------
    def issue_token(self, username: str, label: str = "", days: int = 30) -> str:
        """A new API token for the user, valid for `days` days. Returned once: only its SHA-256 is stored."""
        check_username(username)
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TOKEN_DAYS:
            raise InputError(f"token lifetime must be a whole number of days from 1 to {MAX_TOKEN_DAYS}, not {days!r}")
        if not isinstance(label, str) or len(label) > MAX_LABEL:
            raise InputError(f"token label must be text of at most {MAX_LABEL} characters")
        token, now = secrets.token_urlsafe(32), self._clock()
        with self._db() as db:
            name = self._row(db, username)[0]
            db.execute("DELETE FROM tokens WHERE expires <= ?", (_iso(now),))  # tidy expired ones as we go
            db.execute("INSERT INTO tokens (token_hash, username, created, expires, label) VALUES (?, ?, ?, ?, ?)",
                       (_digest(token), name, _iso(now), _iso(now + days * 86400), label))
        return token

    def user_for_token(self, token: str) -> User | None:
        """The user a live token belongs to; None for unknown, expired or revoked tokens and disabled accounts."""
        if not isinstance(token, str) or not token or len(token) > 256:
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT u.username, u.role, u.clearance FROM tokens t JOIN users u ON u.username = t.username "
                "WHERE t.token_hash = ? AND t.expires > ? AND u.disabled = 0",
                (_digest(token), _iso(self._clock())),
            ).fetchone()
        return User(*row) if row else None

    def revoke_token(self, token: str) -> bool:
        """Invalidate a token; False if it was not known."""
        if not isinstance(token, str) or not token:
            return False
        with self._db() as db:
            return db.execute("DELETE FROM tokens WHERE token_hash = ?", (_digest(token),)).rowcount > 0

    # Last in the class: once defined, the name `list` in this class body means this method.
    def list(self) -> list[User]:
        """Every account (enabled or not), by username."""
        with self._db() as db:
            rows = db.execute("SELECT username, role, clearance FROM users ORDER BY username").fetchall()
        return [User(*r) for r in rows]
