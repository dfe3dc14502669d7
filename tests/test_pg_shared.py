"""Accounts, tokens, feedback and the audit log in a real PostgreSQL (the database that holds the index): the same
stores and rules as the SQLite files, shared by every process that opens the database; the schema upgraded in place
by numbered migrations."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from assistant.accounts import UserStore
from assistant.audit import AuditLog
from assistant.errors import InputError
from assistant.feedback import FeedbackStore
from assistant.shared_db import PostgresDatabase

CHEAP = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture
def shared(database_url):
    db = PostgresDatabase(database_url)
    yield db
    db.close()


def test_accounts_and_tokens_in_the_database_are_seen_by_every_process(shared, database_url):
    now = [1_000_000.0]
    store = UserStore(shared, hash_params=CHEAP, clock=lambda: now[0])
    store.add("Kim", "a long enough password", "editor")
    with pytest.raises(InputError):
        store.add("kim", "another long password", "reader")  # names compare case-insensitively, as in SQLite
    other = PostgresDatabase(database_url)  # another worker, another machine
    try:
        elsewhere = UserStore(other, hash_params=CHEAP, clock=lambda: now[0])
        assert elsewhere.authenticate("KIM", "a long enough password").username == "Kim"
        assert elsewhere.authenticate("kim", "wrong password") is None
        token = store.issue_token("kim", label="script", days=1)
        assert elsewhere.user_for_token(token).username == "Kim"
        now[0] += 2 * 86400
        assert elsewhere.user_for_token(token) is None  # expired
        now[0] -= 2 * 86400
        assert store.revoke_token(token) and elsewhere.user_for_token(token) is None
        assert store.set_role("KIM", "reader").clearance == "internal"
        store.set_disabled("kim")
        assert elsewhere.authenticate("kim", "a long enough password") is None
        store.remove("kim")
        assert elsewhere.list() == []
    finally:
        other.close()


def test_feedback_in_the_database_belongs_to_its_user(shared):
    store = FeedbackStore(shared)
    first = store.add(1, "부산 특구 면적은?", "191만㎡ [1]", [{"n": 1, "doc_id": "ko/busan.md"}], "좋아요", user="kim")
    store.add(-1, "=cmd|' /C calc'!A0", "…", [], "", user="lee")
    assert first >= 1 and [r[2] for r in store.rows()] == ["lee", "kim"]
    assert [r[5] for r in store.rows("kim")] == ["부산 특구 면적은?"]
    assert "'=cmd" in store.to_csv()  # a formula is neutralised in the export, as from the file store


def test_the_audit_log_in_the_database_refuses_changes(shared, database_url):
    log = AuditLog(shared)
    first = log.record("kim", "login")
    log.record("kim", "ask", "부산", detail={"password": "hunter2", "shown": ["ko/busan.md"]})
    events = log.events()
    assert [e.action for e in events] == ["ask", "login"] and events[0].detail == {"shown": ["ko/busan.md"]}
    with psycopg.connect(database_url, autocommit=True) as conn:
        for statement in ("UPDATE pa_app.events SET actor = 'lee'", f"DELETE FROM pa_app.events WHERE id = {first}",
                          "TRUNCATE pa_app.events"):
            with pytest.raises(psycopg.errors.RaiseException):
                conn.execute(statement)
    assert len(log.events()) == 2


def test_a_database_of_the_previous_schema_is_upgraded_in_place(database_url, monkeypatch):
    from assistant.index import pg_schema

    with psycopg.connect(database_url, autocommit=True) as conn:
        with monkeypatch.context() as m:  # a database as the previous version left it: the index tables only
            m.setattr(pg_schema, "MIGRATIONS", pg_schema.MIGRATIONS[:1])
            m.setattr(pg_schema, "LATEST", 1)
            assert pg_schema.migrate(conn) == [1]
        conn.execute("INSERT INTO pa_generation (state, manifest, bm25) VALUES ('live', '{}', '{}')")
        later = list(range(2, pg_schema.LATEST + 1))
        assert pg_schema.migrate(conn) == later
        assert conn.execute("SELECT count(*) FROM pa_generation").fetchone()[0] == 1  # kept
        assert [v for (v,) in conn.execute("SELECT version FROM pa_schema_migration ORDER BY version")] == [1, *later]
        assert pg_schema.migrate(conn) == []  # a second run has nothing to do


def test_the_users_command_manages_accounts_in_the_database(database_url, tmp_path):
    run = subprocess.run([sys.executable, "-m", "assistant.cli", "users", "add", "park", "--role", "admin",
                          "--password-stdin", "--database-url", database_url], input="a long enough password\n",
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    db = PostgresDatabase(database_url)
    try:
        assert [u.username for u in UserStore(db).list()] == ["park"]
        assert [e.action for e in AuditLog(db).events()] == ["user_added"]
    finally:
        db.close()
    assert not (tmp_path / "users.sqlite3").exists()  # nothing written beside it
