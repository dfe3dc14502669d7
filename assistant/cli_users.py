"""`policy-assistant users ...`: manage accounts and API tokens from the shell. Thin: parse, call
assistant.accounts, record the change in the audit log, print.

Passwords never come from the command line, where `ps` and the shell history would show them: they are asked for
with getpass, or read from standard input with --password-stdin (for scripts).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from assistant.accounts import ACCESS_LEVELS, DEFAULT_CLEARANCE, ROLES, UserStore, check_username
from assistant.audit import AuditLog
from assistant.errors import InputError
from assistant.settings import Settings

EXAMPLES = """examples:
  policy-assistant users add kim --role editor
  printf '%s\\n' "$NEW_PASSWORD" | policy-assistant users add lee --role reader --password-stdin
  policy-assistant users list
  policy-assistant users set-password kim
  policy-assistant users token kim --label "laptop script" --days 30
  policy-assistant users remove lee
  policy-assistant users audit --since 2026-12-01 --format jsonl > audit.jsonl
"""


def _where(path: str | None, default: str, database_url: str | None):
    """The file given, else the shared database when one is set (--database-url or the setting), else the
    setting's file."""
    from assistant.shared_db import shared_database

    if path:
        return path
    settings = Settings.from_env(database_url=database_url)
    return shared_database(settings, getattr(settings, default))


def _store(path: str | None, database_url: str | None = None) -> UserStore:
    # The one place the CLI builds a store, so that tests can swap in cheap hash parameters.
    return UserStore(_where(path, "users_db", database_url))


def _audit(path: str | None, database_url: str | None = None) -> AuditLog:
    return AuditLog(_where(path, "audit_db", database_url))


def _actor() -> str:
    """Who ran the command, for the audit log: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in containers without a passwd entry
        return "cli"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != password:
        raise InputError("the two passwords differ")
    return password


def cmd_add(args: argparse.Namespace) -> int:
    store = _store(args.users_db, args.database_url)
    # Checked before asking for a password, so a typo does not cost the user a prompt.
    if store.get(check_username(args.username)) is not None:
        raise InputError(f"user {args.username!r} already exists")
    user = store.add(args.username, _read_password(args.password_stdin), args.role, args.clearance)
    _audit(args.audit_db, args.database_url).record(_actor(), "user_added", user.username,
                                   detail={"role": user.role, "clearance": user.clearance})
    print(f"added {user.username} (role {user.role}, clearance {user.clearance})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    users = _store(args.users_db, args.database_url).list()
    if not users:
        print("no users yet; add one with: policy-assistant users add NAME --role admin", file=sys.stderr)
    for u in users:
        print(f"{u.username:<24} {u.role:<7} {u.clearance}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    _store(args.users_db, args.database_url).remove(args.username)
    _audit(args.audit_db, args.database_url).record(_actor(), "user_removed", args.username)
    print(f"removed {args.username} and their tokens")
    return 0


def cmd_set_password(args: argparse.Namespace) -> int:
    store = _store(args.users_db, args.database_url)
    if store.get(check_username(args.username)) is None:
        raise InputError(f"no user named {args.username!r}")
    store.set_password(args.username, _read_password(args.password_stdin))
    _audit(args.audit_db, args.database_url).record(_actor(), "password_set", args.username)
    print(f"password changed for {args.username}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    token = _store(args.users_db, args.database_url).issue_token(args.username, label=args.label, days=args.days)
    _audit(args.audit_db, args.database_url).record(_actor(), "token_issued", args.username,
                                   detail={"label": args.label, "days": args.days})
    print(token)
    print(f"token for {args.username}, valid {args.days} days: copy it now, it is not shown again", file=sys.stderr)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Print the audit log (oldest first) as CSV or JSON lines; the export itself is recorded."""
    log = _audit(args.audit_db, args.database_url)
    out = log.to_jsonl(args.actor, args.since) if args.format == "jsonl" else log.to_csv(args.actor, args.since)
    sys.stdout.write(out)
    log.record(_actor(), "export", "audit", detail={"actor": args.actor, "since": args.since, "format": args.format})
    return 0


def _dbs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--users-db", metavar="PATH", help="accounts database (default: setting users_db, users.sqlite3)")
    p.add_argument("--audit-db", metavar="PATH", help="audit log (default: setting audit_db, audit.sqlite3)")
    p.add_argument("--database-url", metavar="URL",
                   help="keep accounts and the audit log in this PostgreSQL database (as the server configured with it)")


def _password_opt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input instead of prompting")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `users` command and its subcommands to the main CLI's subparsers."""
    users = subparsers.add_parser("users", help="manage accounts and API tokens", epilog=EXAMPLES,
                                  description="Manage who may use the app, their role and clearance, and API tokens.",
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = users.add_subparsers(dest="users_command", required=True)
    clearances = ", ".join(f"{role}: {level}" for role, level in DEFAULT_CLEARANCE.items())

    a = sub.add_parser("add", help="create an account (asks for the password)")
    a.add_argument("username", help="1-64 letters, digits, '.', '_' or '-'")
    a.add_argument("--role", required=True, choices=ROLES, help="reader; editor (adds documents); admin (manages users)")
    a.add_argument("--clearance", choices=ACCESS_LEVELS, help=f"highest document level seen (default by role: {clearances})")
    _password_opt(a)
    a.set_defaults(func=cmd_add)

    ls = sub.add_parser("list", help="list accounts with role and clearance")
    ls.set_defaults(func=cmd_list)

    rm = sub.add_parser("remove", help="delete an account and its tokens")
    rm.add_argument("username")
    rm.set_defaults(func=cmd_remove)

    pw = sub.add_parser("set-password", help="change an account's password (asks for it)")
    pw.add_argument("username")
    _password_opt(pw)
    pw.set_defaults(func=cmd_set_password)

    tk = sub.add_parser("token", help="issue an API token (printed once)")
    tk.add_argument("username")
    tk.add_argument("--label", default="", help="what the token is for, to recognise it later")
    tk.add_argument("--days", type=int, default=30, help="days until it expires (default 30)")
    tk.set_defaults(func=cmd_token)

    au = sub.add_parser("audit", help="export the audit log (CSV or JSON lines) to standard output")
    au.add_argument("--actor", help="only this user's events")
    au.add_argument("--since", metavar="YYYY-MM-DD", help="only events at or after this date (UTC)")
    au.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    au.set_defaults(func=cmd_audit)

    for p in (a, ls, rm, pw, tk, au):
        _dbs(p)
