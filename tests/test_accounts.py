"""Accounts: validation, Argon2 hashing, roles and clearance, tokens, file permissions, and the `users` CLI."""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import cli_users
from assistant.accounts import ACCESS_LEVELS, UserStore, User, visible_levels
from assistant.audit import AuditLog
from assistant.errors import AssistantError, InputError

CHEAP = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}  # fast hashing for tests only
PASSWORD = "correct horse battery"
FAST_PROPERTIES = settings(max_examples=60, deadline=None, database=None,  # runs do not depend on earlier ones
                          suppress_health_check=[HealthCheck.function_scoped_fixture])


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path):
    return UserStore(tmp_path / "users.sqlite3", hash_params=CHEAP)


# --- roles and clearance ----------------------------------------------------------------------------------------
def test_visible_levels_are_the_clearance_and_below():
    assert visible_levels("public") == ("public",)
    assert visible_levels("internal") == ("public", "internal")
    assert visible_levels("restricted") == ACCESS_LEVELS
    with pytest.raises(InputError, match="unknown clearance"):
        visible_levels("secret")


@pytest.mark.parametrize("role, clearance, can_edit, is_admin", [
    ("reader", "internal", False, False), ("editor", "internal", True, False), ("admin", "restricted", True, True),
])
def test_roles_have_default_clearance_and_permissions(store, role, clearance, can_edit, is_admin):
    user = store.add(f"u-{role}", PASSWORD, role)
    assert user == User(f"u-{role}", role, clearance)
    assert (user.can_edit, user.is_admin) == (can_edit, is_admin)
    assert user.allowed_levels() == visible_levels(clearance)


def test_clearance_can_be_overridden_and_follows_role_changes(store):
    assert store.add("kim", PASSWORD, "reader", clearance="public").allowed_levels() == ("public",)
    assert store.set_role("kim", "admin") == User("kim", "admin", "restricted")
    assert store.set_role("kim", "reader").clearance == "internal"  # demoted: back to the role's default
    assert store.set_role("kim", "editor", clearance="restricted").clearance == "restricted"
    assert store.list() == [User("kim", "editor", "restricted")]


# --- validation ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("username, message", [
    ("", "empty"), ("a" * 65, "longer than 64"), ("kim lee", "not ' '"), ("김", "not '김'"), ("a/b", "not '/'"),
    (None, "empty"),
])
def test_bad_usernames_are_refused_precisely(store, username, message):
    with pytest.raises(InputError, match=message):
        store.add(username, PASSWORD, "reader")


def test_weak_password_unknown_role_duplicate_and_unknown_user(store):
    with pytest.raises(InputError, match="at least 10 characters"):
        store.add("kim", "short", "reader")
    with pytest.raises(InputError, match="unknown role 'owner'"):
        store.add("kim", PASSWORD, "owner")
    store.add("kim", PASSWORD, "reader")
    with pytest.raises(InputError, match="already exists"):
        store.add("KIM", PASSWORD, "reader")  # names compare case-insensitively
    for call in (lambda: store.remove("lee"), lambda: store.set_password("lee", PASSWORD),
                 lambda: store.set_role("lee", "reader"), lambda: store.issue_token("lee")):
        with pytest.raises(InputError, match="no user named 'lee'"):
            call()


@FAST_PROPERTIES
@given(username=st.one_of(st.text(max_size=80), st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True)),
       password=st.text(max_size=40))
def test_add_either_succeeds_or_raises_input_error(store, username, password):
    try:
        user = store.add(username, password, "reader")
    except InputError:
        return
    assert user.username == username
    assert store.authenticate(username, password) == user


@FAST_PROPERTIES
@given(password=st.text(min_size=10, max_size=40), guess=st.text(max_size=40))
def test_authenticate_never_accepts_a_wrong_password(store, password, guess):
    if store.get("kim") is None:
        store.add("kim", password, "reader")
    else:
        store.set_password("kim", password)
    assert store.authenticate("kim", password) is not None
    if guess != password:
        assert store.authenticate("kim", guess) is None


@FAST_PROPERTIES
@given(username=st.text(max_size=80), password=st.text(max_size=80))
def test_authenticate_unknown_or_malformed_input_is_none(store, username, password):
    assert store.authenticate(username, password) is None


# --- hashing --------------------------------------------------------------------------------------------------------
def test_password_is_stored_only_as_argon2id_hash(store):
    store.add("kim", PASSWORD, "reader")
    data = store.path.read_bytes()
    assert PASSWORD.encode() not in data
    (stored,) = sqlite3.connect(store.path).execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$")


def test_default_hash_parameters_are_the_library_defaults(tmp_path):
    from argon2 import PasswordHasher

    ours, theirs = UserStore(tmp_path / "u.sqlite3")._hasher(), PasswordHasher()
    assert (ours.time_cost, ours.memory_cost, ours.parallelism, ours.type) == \
           (theirs.time_cost, theirs.memory_cost, theirs.parallelism, theirs.type)


def test_hash_is_upgraded_when_parameters_change(tmp_path):
    path = tmp_path / "users.sqlite3"
    UserStore(path, hash_params=CHEAP).add("kim", PASSWORD, "reader")
    stronger = UserStore(path, hash_params={"time_cost": 2, "memory_cost": 16, "parallelism": 1})
    assert stronger.authenticate("kim", "wrong password") is None
    assert "m=8,t=1" in sqlite3.connect(path).execute("SELECT password_hash FROM users").fetchone()[0]
    assert stronger.authenticate("kim", PASSWORD) == User("kim", "reader", "internal")
    assert "m=16,t=2" in sqlite3.connect(path).execute("SELECT password_hash FROM users").fetchone()[0]


def test_disabled_and_removed_users_cannot_sign_in(store):
    store.add("kim", PASSWORD, "editor")
    token = store.issue_token("kim")
    store.set_disabled("kim")
    assert store.authenticate("kim", PASSWORD) is None and store.user_for_token(token) is None
    store.set_disabled("kim", False)
    assert store.authenticate("kim", PASSWORD) is not None and store.user_for_token(token) is not None
    store.remove("kim")
    assert store.authenticate("kim", PASSWORD) is None and store.user_for_token(token) is None
    assert store.list() == []


def test_set_password_replaces_the_old_one(store):
    store.add("kim", PASSWORD, "reader")
    store.set_password("kim", "another long password")
    assert store.authenticate("kim", PASSWORD) is None
    assert store.authenticate("kim", "another long password") is not None


# --- tokens ---------------------------------------------------------------------------------------------------------
def test_tokens_are_stored_hashed_and_expire(tmp_path):
    clock = Clock()
    store = UserStore(tmp_path / "users.sqlite3", hash_params=CHEAP, clock=clock)
    store.add("kim", PASSWORD, "reader")
    token = store.issue_token("kim", label="script", days=2)
    assert len(token) >= 43 and token.encode() not in store.path.read_bytes()
    assert store.user_for_token(token) == User("kim", "reader", "internal")
    clock.now += 2 * 86400 - 1
    assert store.user_for_token(token) is not None
    clock.now += 1
    assert store.user_for_token(token) is None


def test_tokens_can_be_revoked_and_garbage_is_refused(store):
    store.add("kim", PASSWORD, "reader")
    token = store.issue_token("kim")
    assert store.revoke_token(token) is True and store.revoke_token(token) is False
    assert store.user_for_token(token) is None
    for junk in ("", "x" * 1000, None, 42):
        assert store.user_for_token(junk) is None
    for days in (0, -1, 1.5, True, 10_000):
        with pytest.raises(InputError, match="token lifetime"):
            store.issue_token("kim", days=days)


# --- files and imports ----------------------------------------------------------------------------------------------
def test_database_is_owner_only_even_with_open_umask(tmp_path):
    old = os.umask(0)
    try:
        store = UserStore(tmp_path / "users.sqlite3", hash_params=CHEAP)
        assert not store.path.exists()  # the constructor does no work
        store.add("kim", PASSWORD, "reader")
    finally:
        os.umask(old)
    assert os.stat(store.path).st_mode & 0o777 == 0o600


def test_importing_accounts_does_not_load_argon2():
    code = "import sys, assistant, assistant.accounts, assistant.audit, assistant.cli_users; print('argon2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- the `users` CLI ------------------------------------------------------------------------------------------------
@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run `users ...` through a parser built like the main CLI's; returns a function taking argv and stdin text."""
    monkeypatch.setattr(cli_users, "_store", lambda path, database_url=None: UserStore(path, hash_params=CHEAP))
    ap = argparse.ArgumentParser(prog="policy-assistant")
    cli_users.register(ap.add_subparsers(dest="command", required=True))
    dbs = ["--users-db", str(tmp_path / "users.sqlite3"), "--audit-db", str(tmp_path / "audit.sqlite3")]

    def run(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        args = ap.parse_args(["users", *argv, *dbs])
        return args.func(args)

    return run


def test_cli_manages_users_and_audits_without_secrets(cli, tmp_path, capsys):
    assert cli("add", "kim", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n") == 0
    cli("add", "lee", "--role", "reader", "--clearance", "public", "--password-stdin", stdin=PASSWORD + "\n")
    cli("set-password", "kim", "--password-stdin", stdin="a new long password\n")
    cli("token", "kim", "--label", "laptop", "--days", "7")
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1]
    cli("remove", "lee")
    assert "removed lee" in capsys.readouterr().out
    cli("list")
    listing = capsys.readouterr().out
    assert "kim" in listing and "editor" in listing and "lee" not in listing

    store = UserStore(tmp_path / "users.sqlite3", hash_params=CHEAP)
    assert store.authenticate("kim", "a new long password") == User("kim", "editor", "internal")
    assert store.user_for_token(token).username == "kim"

    log = AuditLog(tmp_path / "audit.sqlite3")
    assert [e.action for e in reversed(log.events())] == [
        "user_added", "user_added", "password_set", "token_issued", "user_removed"]
    raw = (tmp_path / "audit.sqlite3").read_bytes()
    assert token.encode() not in raw and PASSWORD.encode() not in raw
    for name in ("users.sqlite3", "audit.sqlite3"):
        assert os.stat(tmp_path / name).st_mode & 0o777 == 0o600


def test_cli_prompts_with_getpass_and_checks_the_repeat(cli, monkeypatch):
    answers = iter([PASSWORD, "something else entirely"])
    monkeypatch.setattr(cli_users.getpass, "getpass", lambda prompt="": next(answers))
    with pytest.raises(InputError, match="differ"):
        cli("add", "kim", "--role", "reader")


def test_cli_user_errors_are_assistant_errors(cli):
    with pytest.raises(AssistantError, match="at least 10"):
        cli("add", "kim", "--role", "reader", "--password-stdin", stdin="short\n")
    with pytest.raises(AssistantError, match="no user named 'nobody'"):
        cli("remove", "nobody")
    with pytest.raises(AssistantError, match="username may hold only"):
        cli("set-password", "bad name", "--password-stdin", stdin=PASSWORD)


def test_cli_never_takes_a_password_from_argv(cli):
    with pytest.raises(SystemExit):
        cli("add", "kim", "--role", "reader", "--password", PASSWORD)
