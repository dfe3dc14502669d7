"""The app's HTTP surface as a hostile client sees it: a real uvicorn server with the real embedders and a login.

Each test failed on the code before its fix: the upload API copied any server file it was told to, /source answered
without a login, uploads under names the build never indexes were reported as added, a lone surrogate reached the
tokenizer, and a client that sent no history still got answers read against hidden turns of its session."""

from __future__ import annotations

import json

import pytest

from conftest import MD_DAEGU, served, small_app_settings

pytestmark = pytest.mark.slow
USER, PASSWORD = "officer", "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from assistant.ui.server import make_app

    tmp = tmp_path_factory.mktemp("app")
    settings = small_app_settings(tmp)
    app, state = make_app(settings, (USER, PASSWORD))
    with served(app) as url:
        yield url, state, tmp


@pytest.fixture()
def client(server):
    import httpx

    url, _, _ = server
    with httpx.Client(base_url=url, timeout=120) as c:
        r = c.post("/login", data={"username": USER, "password": PASSWORD})
        assert r.status_code == 200, r.text
        yield c


def call(c, api: str, data: list, session: str = "s1") -> tuple[str, object]:
    """Run one Gradio event through its HTTP API; (final event name, its data)."""
    body = json.dumps({"data": data, "session_hash": session})  # ASCII JSON: a lone surrogate travels as \\ud800
    r = c.post(f"/gradio_api/call/{api}", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    event_id = r.json()["event_id"]
    last = ("", None)
    with c.stream("GET", f"/gradio_api/call/{api}/{event_id}") as stream:
        name = ""
        for line in stream.iter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                payload = line.split(":", 1)[1].strip()
                last = (name, json.loads(payload) if payload and payload != "null" else None)
    return last


def upload(c, name: str, text: str) -> dict:
    r = c.post("/gradio_api/upload", files={"files": (name, text.encode("utf-8"), "text/markdown")})
    assert r.status_code == 200, r.text
    path = r.json()[0]
    return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def test_source_needs_the_login(server):
    import httpx

    url, _, _ = server
    assert httpx.get(f"{url}/source/ko/daegu.md").status_code == 401


def test_a_server_path_named_by_a_client_is_not_read(client, server, tmp_path):
    _, state, tmp = server
    secret = tmp / "server-notes.md"
    secret.write_text("# Server notes\n\nThe database password is hunter2.\n", encoding="utf-8")
    event, _ = call(client, "add_files", [[{"path": str(secret), "meta": {"_type": "gradio.FileData"}}], "internal"])
    assert "server-notes.md" not in state.bot.documents
    assert not (tmp / "uploads" / "server-notes.md").exists()
    assert client.get("/source/server-notes.md").status_code == 404


def test_uploads_are_reported_as_what_happened(client, server):
    _, state, tmp = server
    body = MD_DAEGU.replace("대구 도심융합특구 현황", "업로드 시험 문서")
    files = [upload(client, "_hidden-name.md", body), upload(client, "README.md", body)]
    event, data = call(client, "add_files", [files, "internal"])
    assert event == "complete", data
    status = data[-1]
    assert "✓ hidden-name.md" in status and "✗ README.md" in status
    assert "hidden-name.md" in state.bot.documents and "README.md" not in state.bot.documents
    assert sorted(p.name for p in (tmp / "uploads").iterdir()) == ["hidden-name.md", "hidden-name.md.meta.yaml"]


def test_a_lone_surrogate_gets_an_answer_not_a_traceback(client, server):
    _, state, _ = server
    event, data = call(client, "respond", ["대구\ud800 도심융합특구 총사업비는?", [], None, "ko", [], [], "", ""], "s-sur")
    assert event == "complete", data
    shown = json.dumps(data[0][-1]["content"], ensure_ascii=False)
    clean = state.bot.ask("대구 도심융합특구 총사업비는?").text  # the undecodable character reads as a space
    assert clean.split("[")[0].strip()[:30] in shown
    assert "Error" not in shown and "Traceback" not in shown and "surrogate" not in shown


def test_the_history_the_caller_sends_is_the_history_used(client, server):
    _, state, _ = server
    call(client, "respond", ["대구 도심융합특구 총사업비는 얼마인가요?", [], None, "ko", [], [], "", ""], "s-hist")
    follow_up = "부산은요?"
    event, data = call(client, "respond", [follow_up, [], None, "ko", [], [], "", ""], "s-hist")  # no history sent
    assert event == "complete", data
    fresh = state.bot.ask(follow_up)
    shown = data[0][-1]["content"]
    shown = shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False)
    assert fresh.text.split("[")[0].strip()[:30] in shown
    first = state.bot.ask("대구 도심융합특구 총사업비는 얼마인가요?")
    with_history = state.bot.ask(follow_up, history=[{"role": "user", "content": first.question},
                                                     {"role": "assistant", "content": first.text}])
    assert with_history.text != fresh.text  # the follow-up would read differently with the turn it was not sent


def test_concurrent_users_each_get_the_answer_to_their_own_question(server):
    """Eight clients at once, two questions each, in their own sessions: every answer is the one the assistant
    gives to that question alone (the engine is deterministic, so a mix-up shows as a different text)."""
    import httpx
    from concurrent.futures import ThreadPoolExecutor

    url, state, _ = server
    questions = ["대구 도심융합특구 총사업비는 얼마인가요?", "Who founded Cortex?", "부산 센텀2 특구 면적은?",
                 "도심융합특구 지정은 누가 신청하나요?", "대구의 중점 산업은 무엇인가요?", "Where is Cortex?",
                 "특별법 제4조는 무엇을 정하나요?", "부산 특구는 언제 선정됐나요?"]
    expected = {q: state.bot.ask(q).text.split("[")[0].strip()[:40] for q in questions}

    def client_run(i: int) -> list[tuple[str, bool]]:
        out = []
        with httpx.Client(base_url=url, timeout=300) as c:
            c.post("/login", data={"username": USER, "password": PASSWORD})
            for j in range(2):
                q = questions[(i + j) % len(questions)]
                event, data = call(c, "respond", [q, [], None, "ko", [], [], "", ""], f"conc-{i}-{j}")
                shown = json.dumps(data[0][-1]["content"], ensure_ascii=False) if event == "complete" else ""
                out.append((q, expected[q] in shown))
        return out

    with ThreadPoolExecutor(8) as pool:
        results = [r for rs in pool.map(client_run, range(8)) for r in rs]
    assert len(results) == 16 and all(ok for _, ok in results), [q for q, ok in results if not ok]


def test_the_source_view_opens_at_the_passage_with_document_text_escaped(client):
    r = client.get("/source/ko/busan.md", params={"at": "<script>alert(1)</script>"})
    assert r.status_code == 200 and "<script>alert(1)" not in r.text
    first = "국토교통부는 2021년 11월 24일"
    r = client.get("/source/ko/busan.md", params={"at": first})
    assert r.status_code == 200 and "id='at'" in r.text
