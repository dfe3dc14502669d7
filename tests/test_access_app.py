"""Accounts, roles, clearance and the audit trail through the real app: a uvicorn server with the real embedders and
a user store holding a reader (public clearance), an editor (internal) and an admin (restricted)."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest

from conftest import MD_DAEGU, served
from test_access import RESTRICTED_MD
from test_app_security import call, upload

pytestmark = pytest.mark.slow
PASSWORDS = {"reader1": "reader-password-1", "editor1": "editor-password-1", "admin1": "admin-password-1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from assistant.accounts import UserStore
    from assistant.settings import Settings
    from assistant.ui.server import make_app

    tmp = tmp_path_factory.mktemp("access-app")
    corpus = tmp / "corpus" / "ko"
    corpus.mkdir(parents=True)
    (corpus / "daegu.md").write_text(MD_DAEGU.replace("lang: ko", "lang: ko\naccess: public"), encoding="utf-8")
    (corpus / "vault.md").write_text(RESTRICTED_MD, encoding="utf-8")
    settings = Settings(corpus_dirs=(tmp / "corpus",), index_dir=tmp / "index", upload_dir=tmp / "uploads",
                        feedback_db=tmp / "feedback.sqlite3", users_db=tmp / "users.sqlite3",
                        audit_db=tmp / "audit.sqlite3")
    users = UserStore(settings.users_db)
    users.add("reader1", PASSWORDS["reader1"], "reader", "public")
    users.add("editor1", PASSWORDS["editor1"], "editor")
    users.add("admin1", PASSWORDS["admin1"], "admin")
    app, state = make_app(settings)
    with served(app) as url:
        yield url, state, tmp


@contextmanager
def signed_in(url: str, name: str):
    import httpx

    with httpx.Client(base_url=url, timeout=120) as c:
        assert c.post("/login", data={"username": name, "password": PASSWORDS[name]}).status_code == 200
        yield c


def test_wrong_passwords_are_refused_and_audited(server):
    import httpx

    url, state, tmp = server
    r = httpx.post(f"{url}/login", data={"username": "reader1", "password": "wrong-password-123"})
    assert r.status_code >= 400
    events = [(e.actor, e.action) for e in state.audit.events()]
    assert ("reader1", "login_failed") in events
    assert b"wrong-password-123" not in (tmp / "audit.sqlite3").read_bytes()


def test_a_reader_never_sees_a_restricted_passage(server):
    url, state, _ = server
    with signed_in(url, "reader1") as c:
        assert c.get("/source/ko/vault.md").status_code == 404
        assert c.get("/source/ko/daegu.md").status_code == 200
        event, data = call(c, "respond", ["금고동 비밀 청사 이전 예산은 얼마인가요?", [], None, "ko", [], [], "", ""], "r1")
        shown = json.dumps(data, ensure_ascii=False)
        assert event == "complete" and "9,876" not in shown and "vault.md" not in shown
        event, data = call(c, "search", ["금고동 비밀 청사 이전 예산", 20], "r1")
        assert event == "complete" and data[0] and not [h for h in data[0] if h["doc_id"] == "ko/vault.md"]
        event, data = call(c, "on_load", [], "r1")
        assert "ko/vault.md" not in json.dumps(data, ensure_ascii=False)
        event, data = call(c, "run_brief", ["금고동 비밀 청사 이전 예산", "ko"], "r1")
        assert "9,876" not in json.dumps(data, ensure_ascii=False)
    with signed_in(url, "admin1") as c:
        assert c.get("/source/ko/vault.md").status_code == 200
        event, data = call(c, "respond", ["금고동 비밀 청사 이전 예산은 얼마인가요?", [], None, "ko", [], [], "", ""], "a1")
        assert "9,876" in json.dumps(data, ensure_ascii=False)
        event, data = call(c, "search", ["금고동 비밀 청사 이전 예산", 20], "a1")
        assert [h for h in data[0] if h["doc_id"] == "ko/vault.md"]
    asked = [e for e in state.audit.events(actor="reader1") if e.action == "ask"]
    assert asked and "ko/vault.md" not in asked[-1].detail.get("shown", [])


def test_only_editors_add_documents_and_only_at_their_clearance(server):
    url, state, tmp = server
    body = MD_DAEGU.replace("대구 도심융합특구 현황", "편집자 시험 문서")
    with signed_in(url, "reader1") as c:
        event, data = call(c, "add_files", [[upload(c, "by-reader.md", body)], "public"], "r2")
        assert "editor" in data[-1] and "by-reader.md" not in state.bot.documents
    with signed_in(url, "editor1") as c:
        event, data = call(c, "add_files", [[upload(c, "too-high.md", body)], "restricted"], "e1")
        assert "too-high.md" not in state.bot.documents
        event, data = call(c, "add_files", [[upload(c, "by-editor.md", body)], "public"], "e1")
        assert "✓ by-editor.md" in data[-1]
    assert state.bot.index.files["by-editor.md"]["meta"]["access"] == "public"
    assert ("editor1", "document_added") in [(e.actor, e.action) for e in state.audit.events()]


def test_feedback_belongs_to_its_user(server):
    url, state, _ = server
    for name in ("reader1", "admin1"):
        with signed_in(url, name) as c:
            call(c, "respond", ["대구 도심융합특구 총사업비는?", [], None, "ko", [], [], "", ""], f"fb-{name}")
            call(c, "rate_good", [None, f"comment from {name}", "ko"], f"fb-{name}")
    with signed_in(url, "reader1") as c:
        event, data = call(c, "fb_rows", [], "fb-reader1")
        rows = json.dumps(data, ensure_ascii=False)
        assert "comment from reader1" in rows and "comment from admin1" not in rows
    with signed_in(url, "admin1") as c:
        event, data = call(c, "fb_rows", [], "fb-admin1")
        rows = json.dumps(data, ensure_ascii=False)
        assert "comment from reader1" in rows and "comment from admin1" in rows


def test_an_api_token_signs_a_script_in_as_its_user(server):
    import httpx

    url, state, _ = server
    token = state.users.issue_token("reader1", label="script", days=1)
    with httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"}) as c:
        event, data = call(c, "search", ["금고동 비밀 청사 이전 예산", 20], "tok")
        assert event == "complete" and data[0] and not [h for h in data[0] if h["doc_id"] == "ko/vault.md"]
        assert c.get("/source/ko/vault.md").status_code == 404 and c.get("/source/ko/daegu.md").status_code == 200
    assert state.audit.events(actor="reader1")[0].action == "search"  # newest first
    with httpx.Client(base_url=url, timeout=60, headers={"Authorization": "Bearer not-a-token"}) as c:
        r = c.get("/source/ko/daegu.md")
        assert r.status_code == 401 and r.json()["error"]["code"] == "bad_token"
    state.users.revoke_token(token)
    assert httpx.get(f"{url}/source/ko/daegu.md", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_http_api_answers_a_token_at_its_users_clearance_and_audits_it(server):
    import httpx

    url, state, _ = server
    token = state.users.issue_token("reader1", label="api", days=1)
    with httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"}) as c:
        r = c.post("/v1/ask", json={"question": "금고동 비밀 청사 이전 예산은 얼마인가요?"})
        assert r.status_code == 200 and "9,876" not in r.text and "vault.md" not in r.text
        hits = c.post("/v1/search", json={"query": "금고동 비밀 청사 이전 예산", "k": 20}).json()["hits"]
        assert hits and all(h["doc_id"] != "ko/vault.md" for h in hits)
    assert httpx.post(f"{url}/v1/ask", json={"question": "대구"}).status_code == 401  # no token, no answer
    assert ("reader1", "ask") in [(e.actor, e.action) for e in state.audit.events()]
    with httpx.Client(base_url=url, timeout=120, headers={"Authorization": "Bearer " + state.users.issue_token(
            "admin1", label="api", days=1)}) as c:
        assert "9,876" in c.post("/v1/ask", json={"question": "금고동 비밀 청사 이전 예산은 얼마인가요?"}).text
    state.users.revoke_token(token)
