"""Audit log: append-only in the database itself, no secrets stored, safe exports, private file."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.audit import ACTIONS, MAX_TEXT, AuditLog, Event, scrub
from assistant.errors import InputError

PASSWORD = "hunter2-very-secret-password"
TOKEN = "tok_9f8e7d6c5b4a39281706"


@pytest.fixture
def log(tmp_path):
    return AuditLog(tmp_path / "audit.sqlite3")


def test_record_and_read_back(log):
    first = log.record("kim", "login")
    second = log.record("kim", "ask", "대구 도심융합특구?", detail={"hits": 3, "filters": {"lang": ["ko"]}})
    log.record("lee", "document_added", "uploads/plan.pdf")
    assert second > first
    events = log.events()
    assert [e.action for e in events] == ["document_added", "ask", "login"]  # newest first
    ask = events[1]
    assert isinstance(ask, Event) and ask.actor == "kim" and ask.target == "대구 도심융합특구?"
    assert ask.detail == {"hits": 3, "filters": {"lang": ["ko"]}}
    assert datetime.fromisoformat(ask.at).tzinfo is not None
    with pytest.raises(Exception):
        ask.actor = "someone else"  # frozen
    assert [e.actor for e in log.events(actor="kim")] == ["kim", "kim"]
    assert len(log.events(limit=1)) == 1


def test_since_filters_by_time(log):
    log.record("kim", "login")
    now = datetime.now(timezone.utc)
    assert len(log.events(since=now - timedelta(minutes=1))) == 1
    assert log.events(since=(now + timedelta(minutes=1)).isoformat()) == []
    with pytest.raises(InputError, match="since"):
        log.events(since="yesterday")


def test_unknown_action_and_bad_arguments_are_refused(log):
    with pytest.raises(InputError, match="unknown audit action 'hack'"):
        log.record("kim", "hack")
    with pytest.raises(InputError, match="actor"):
        log.record("", "login")
    with pytest.raises(InputError, match="detail"):
        log.record("kim", "login", detail=["not", "a", "dict"])
    with pytest.raises(TypeError):
        log.record("kim", "login", "", {"detail": "positional"})  # detail is keyword-only
    assert "export" in ACTIONS and "login_failed" in ACTIONS


@pytest.mark.parametrize("sql", [
    "UPDATE events SET actor = 'mallory'",
    "DELETE FROM events",
    "DELETE FROM events WHERE id = 1",
    "INSERT OR REPLACE INTO events (id, at, actor, action) VALUES (1, 'x', 'mallory', 'login')",
    "REPLACE INTO events (id, at, actor, action) VALUES (1, 'x', 'mallory', 'login')",
])
def test_triggers_forbid_rewriting_history(log, sql):
    log.record("kim", "login")
    con = sqlite3.connect(log.path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(sql)
    finally:
        con.close()
    assert [(e.id, e.actor) for e in log.events()] == [(1, "kim")]


def test_secrets_are_never_stored(log):
    log.record("kim", "login", detail={
        "password": PASSWORD, "nested": {"Token": TOKEN, "kept": "yes"},
        "headers": [{"Authorization": f"Bearer {TOKEN}", "Cookie": f"s={TOKEN}"}],
        "new_password": PASSWORD, "CLIENT_SECRET": PASSWORD, "api_key": TOKEN,
    })
    raw = log.path.read_bytes()
    assert PASSWORD.encode() not in raw and TOKEN.encode() not in raw
    assert log.events()[0].detail == {"nested": {"kept": "yes"}, "headers": [{}]}


def test_long_strings_are_truncated(log):
    log.record("kim", "ask", "q" * 5000, detail={"answer": "a" * 5000})
    event = log.events()[0]
    assert len(event.target) < MAX_TEXT + 40 and event.target.startswith("q" * MAX_TEXT)
    assert len(event.detail["answer"]) < MAX_TEXT + 40


@settings(max_examples=100, deadline=None, database=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                    max_leaves=30))
def test_scrub_always_yields_json_without_secret_keys(value):
    cleaned = scrub({"v": value})
    text = json.dumps(cleaned, allow_nan=False)

    def keys(x):
        if isinstance(x, dict):
            for k, v in x.items():
                yield k
                yield from keys(v)
        elif isinstance(x, list):
            for v in x:
                yield from keys(v)

    assert not any(s in k.lower() for k in keys(json.loads(text)) for s in ("password", "token", "secret", "cookie"))


def test_scrub_caps_depth():
    deep: dict = {}
    node = deep
    for _ in range(50):
        node["d"] = {}
        node = node["d"]
    assert "nested too deep" in json.dumps(scrub(deep))


def test_csv_export_neutralises_formulas(log):
    log.record("=HYPERLINK(\"http://evil\")", "ask", "+1", detail={"q": "-2+3"})
    log.record("kim", "export", "@SUM(A1)")
    rows = list(csv.reader(io.StringIO(log.to_csv(), newline="")))
    assert rows[0] == ["id", "at", "actor", "action", "target", "detail"]
    assert rows[1][2] == "'=HYPERLINK(\"http://evil\")" and rows[1][4] == "'+1"
    assert rows[2][4] == "'@SUM(A1)"
    assert [r[0] for r in rows[1:]] == ["1", "2"]  # oldest first


def test_jsonl_export(log):
    log.record("kim", "login")
    log.record("lee", "search", "정책", detail={"k": 10})
    lines = [json.loads(line) for line in log.to_jsonl().splitlines()]
    assert [(d["id"], d["actor"], d["target"], d["detail"]) for d in lines] == [(1, "kim", "", {}), (2, "lee", "정책", {"k": 10})]
    assert log.to_jsonl(actor="nobody") == ""


def test_file_is_owner_only_even_with_open_umask(tmp_path):
    old = os.umask(0)
    try:
        log = AuditLog(tmp_path / "logs" / "audit.sqlite3")
        assert not log.path.exists()  # the constructor does no work
        log.record("kim", "login")
    finally:
        os.umask(old)
    assert os.stat(log.path).st_mode & 0o777 == 0o600


def test_many_threads_can_record_at_once(log):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda i: log.record(f"user{i % 4}", "ask", str(i)), range(40)))
    assert sorted(ids) == list(range(1, 41))
    assert len(log.events(limit=1000)) == 40


def test_cli_exports_the_log_and_records_the_export(tmp_path, capsys):
    from assistant.cli import main

    db = tmp_path / "audit.sqlite3"
    AuditLog(db).record("kim", "ask", "대구 사업비", detail={"shown": ["ko/daegu.md"], "password": "never-stored-1"})
    assert main(["users", "audit", "--audit-db", str(db), "--format", "jsonl"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [e["action"] for e in lines] == ["ask"] and "password" not in lines[0]["detail"]
    assert AuditLog(db).events()[0].action == "export"
