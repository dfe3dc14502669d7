"""What the web server shares between sessions, and the decisions the app's handlers leave to it: who is asking
(their role and clearance), which view of the assistant they get, what they may add or remove, and the audit trail.

With no user accounts configured the app serves one person on their own machine: that person is a local admin
who sees every document, as before accounts existed.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from assistant.accounts import User, UserStore, check_username
from assistant.audit import AuditLog
from assistant.errors import AssistantError, InputError
from assistant.settings import Settings
from assistant.shared_db import shared_database
from assistant.types import access_of

log = logging.getLogger("policy-assistant")
LOCAL_USER = User(username="local", role="admin", clearance="restricted")


class AppState:
    """The assistant, the settings, the feedback store, the accounts, the audit log and a build lock."""

    def __init__(self, settings: Settings, shared_login: str | None = None):
        from assistant.bot import Assistant
        from assistant.feedback import FeedbackStore

        self.bot = Assistant.from_index(settings.index_dir, settings=settings)
        self.settings = self.bot.settings  # with the sources the index was built from
        self.feedback = FeedbackStore(shared_database(self.settings, self.settings.feedback_db))
        self.users = UserStore(shared_database(self.settings, self.settings.users_db))
        self.audit = AuditLog(shared_database(self.settings, self.settings.audit_db))
        self.shared_login = shared_login  # the one --auth USER:PASSWORD login, when that is how the app is run
        self.build_lock = threading.Lock()

    # --- who is asking --------------------------------------------------------------------------------------------
    @property
    def has_accounts(self) -> bool:
        return bool(self.users.list())

    def authenticate(self, username: str, password: str) -> bool:
        """The login check the app calls; every attempt is audited (a name that is no valid username is not
        recorded as typed: people type their password there)."""
        user = self.users.authenticate(username, password)
        try:
            who = check_username(username)
        except InputError:
            who = "(not a username)"
        self.audit.record(who, "login" if user else "login_failed")
        return user is not None

    def user(self, username: str | None) -> User:
        """The signed-in user; the local admin when the app runs without accounts. A name the store does not know
        (removed since signing in) gets the narrowest view."""
        if not self.has_accounts:
            return LOCAL_USER if not username or username == self.shared_login else _nobody(username)
        found = self.users.get(username) if username else None
        return found or _nobody(username or "anonymous")

    def bot_for(self, user: User):
        """The user's view of the assistant, over the newest published build (see Assistant.refresh)."""
        try:
            self.bot.refresh()
        except AssistantError as exc:  # the store is unreachable for a moment: keep answering from what is loaded
            log.warning("could not check for a newer index: %s", exc)
        return self.bot.scoped(user.allowed_levels())

    def record(self, user: User, action: str, target: str = "", detail: dict[str, Any] | None = None) -> None:
        self.audit.record(user.username, action, target, detail=detail)

    # --- documents ------------------------------------------------------------------------------------------------
    def documents_rows(self, user: User) -> list[list[Any]]:
        rows = []
        for doc_id, f in sorted(self.bot_for(user).documents.items()):
            m = f.get("meta", {})
            rows.append([doc_id, f.get("title", ""), m.get("doc_type", ""), m.get("lang", ""), m.get("date", ""),
                         access_of(m), f.get("chunks", 0)])
        return rows

    def uploaded(self, user: User | None = None) -> list[str]:
        """Uploaded documents (the ones the app may remove), as far as user may see them."""
        up = Path(self.settings.upload_dir).resolve()
        docs = self.bot_for(user).documents if user else self.bot.documents
        return sorted(d for d, f in docs.items() if Path(f["path"]).resolve().parent == up)

    def add_uploads(self, user: User, received: list[tuple[Path, str]], received_in: Path, access: str,
                    progress=None) -> list:
        """Stage the received files, index them, and report what became of each (see assistant.uploads)."""
        from assistant.index.worker import FileReader
        from assistant.uploads import settle, stage

        if not user.can_edit:
            raise InputError("adding documents needs the editor role")
        if access not in user.allowed_levels():  # the levels up to the user's clearance, all of them known
            raise InputError(f"you may add documents at these access levels: {', '.join(user.allowed_levels())}")
        corpus_ids = set(self.bot.documents) - set(self.uploaded())
        with FileReader(self.settings) as reader:  # an upload is read within the build's limits, never in the app
            copied, refused = stage(received, self.settings, received_in, corpus_ids, reader.load, access=access)
        outcomes = list(refused)
        if copied:
            report = self.rebuild(progress)
            outcomes += settle(copied, set(self.bot.documents), dict(report.skipped))
        for o in outcomes:
            if o.added:
                self.record(user, "document_added", o.name, {"access": access})
        return outcomes

    def remove_upload(self, user: User, doc_id: str, progress=None) -> list[str]:
        from assistant.uploads import remove

        if not user.can_edit:
            raise InputError("removing documents needs the editor role")
        if doc_id not in self.uploaded(user):
            raise InputError("only uploaded documents you can see may be removed")
        remove(Path(self.settings.upload_dir) / doc_id)
        lines = self.rebuild(progress).lines()
        self.record(user, "document_removed", doc_id)
        return lines

    def rebuild(self, progress=None):
        from assistant.index import build_index

        def report(done: int, total: int, what: str) -> None:
            if progress is not None and total:
                progress(done / total, desc=what)

        with self.build_lock:
            rep = build_index(self.settings, embedders=self.bot.embedders, progress=report)
            self.bot.reload()
        return rep

    def source_entry(self, user: User, doc_id: str) -> dict[str, Any] | None:
        """The indexed file behind /source/<doc_id>, if this user may see it."""
        return self.bot_for(user).documents.get(doc_id)


def _nobody(username: str) -> User:
    return User(username=username, role="reader", clearance="public")

