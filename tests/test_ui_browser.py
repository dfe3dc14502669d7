"""The app in a real headless Chromium (Debian's package) driven by Playwright: chat with citations and sources
that open, a follow-up, an uploaded PDF cited in an answer, a hostile document shown as text, two sessions at once.
Screenshots go to artifacts/ui/."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, free_port, make_pdf

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "artifacts" / "ui"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    pytest.importorskip("playwright")
    from conftest import markdown_corpus

    tmp = tmp_path_factory.mktemp("ui")
    corpus = markdown_corpus(tmp / "corpus")
    port = free_port()
    env = dict(os.environ, POLICY_ASSISTANT_UPLOAD_DIR=str(tmp / "uploads"),
               POLICY_ASSISTANT_FEEDBACK_DB=str(tmp / "feedback.sqlite3"))
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ui", "--port", str(port), "--corpus", str(corpus),
                             "--index", str(tmp / "index")], env=env, cwd=ROOT,
                            stdout=open(tmp / "server.log", "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    if not _until_up(url, proc, tmp, seconds=120):
        proc.kill()
        pytest.fail("server did not start: " + (tmp / "server.log").read_text())
    # Wait for the first index build (/readyz) and ask once through the API, so that the models are loaded: the
    # page's timeouts then measure the app, not a cold start on a busy machine (the starting page answers the
    # app's URL while the index builds).
    if not _until_up(url + "readyz", proc, tmp, seconds=600):
        proc.kill()
        pytest.fail("the first index build did not finish: " + (tmp / "server.log").read_text())
    _warm(url)
    yield url, tmp
    proc.terminate()
    proc.wait(10)


def _until_up(url: str, proc, tmp: Path, seconds: int) -> bool:
    """Whether url answers 2xx within the time; fails the test at once when the server dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return True
        except OSError:
            if proc.poll() is not None:
                pytest.fail("server died: " + (tmp / "server.log").read_text())
            time.sleep(0.5)
    return False


def _warm(url: str) -> None:
    """One question through the HTTP API: the models load here, not in the first chat answer."""
    body = json.dumps({"question": "대구 도심융합특구의 면적은?"}).encode()
    request = urllib.request.Request(url + "v1/ask", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        assert response.status == 200


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def ask(page, text: str, n_answers: int):
    page.locator("#question textarea").fill(text)
    page.locator("#send").click()
    # Wait until the n-th assistant message holds a finished answer (citation marker or a decline).
    page.wait_for_function(
        """(n) => { const bots = document.querySelectorAll('#chat [data-testid="bot"]');
                    return bots.length >= n && /\\[\\d+\\]|찾지 못했습니다|do not answer/.test(bots[n-1].innerText); }""",
        arg=n_answers, timeout=180_000)  # the first answer loads the models: a minute or more on a busy machine
    page.wait_for_timeout(500)
    return page.locator('#chat [data-testid="bot"]').nth(n_answers - 1).inner_text()


def test_chat_answer_citation_source_and_followup(server, browser):
    url, _ = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    answer = ask(page, "대구 도심융합특구는 어떤 곳인가요?", 1)
    assert "[1]" in answer
    sources = page.locator("#sources")
    assert "대구 도심융합특구 현황" in sources.inner_text()
    assert sources.locator("mark").count() >= 1  # the answering sentence is highlighted
    page.screenshot(path=str(SHOTS / "chat-with-sources.png"), full_page=True)
    with page.context.expect_page() as popup:
        sources.locator("a.pa-open").first.click()
    src = popup.value
    src.wait_for_load_state()
    assert "7,872억" in src.content()
    src.close()
    follow = ask(page, "그럼 사업비는 얼마인가요?", 2)
    assert "7,872억" in follow
    page.screenshot(path=str(SHOTS / "follow-up.png"), full_page=True)
    page.close()


def upload(page, path: Path):
    page.get_by_role("tab", name="문서").click()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.wait_for_timeout(1000)
    page.locator("#add").click()
    page.wait_for_function("() => /✓|✗/.test(document.querySelector('#doc-status').innerText)", timeout=120_000)
    return page.locator("#doc-status").inner_text()


def test_uploaded_pdf_is_cited(server, browser):
    url, tmp = server
    pdf = make_pdf(tmp / "gangneung-note.pdf", [
        "1. Overview\nThe Gangneung harbour pilot budget is 4,321 million won according to this test note.",
        "2. Schedule\nThe harbour pilot starts in 2031.",
    ], title="Gangneung harbour note")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    status = upload(page, pdf)
    assert "✓ gangneung-note.pdf" in status
    assert "gangneung-note.pdf" in page.locator("#docs").inner_text()
    page.get_by_role("tab", name="대화").click()
    answer = ask(page, "What is the Gangneung harbour pilot budget?", 1)
    assert "4,321 million" in answer
    assert "gangneung-note.pdf" in page.locator("#sources").inner_text()
    page.screenshot(path=str(SHOTS / "uploaded-pdf-answer.png"), full_page=True)
    page.close()


def test_bad_upload_changes_nothing(server, browser):
    url, tmp = server
    bad = tmp / "broken.pdf"
    bad.write_bytes(b"not really a pdf")
    page = browser.new_page()
    page.goto(url)
    status = upload(page, bad)
    assert "✗ broken.pdf" in status and "not a PDF" in status
    assert "broken.pdf" not in page.locator("#docs").inner_text()
    page.close()


def test_script_in_a_document_is_shown_as_text_and_never_runs(server, browser):
    url, tmp = server
    doc = tmp / "hostile.md"
    doc.write_text("---\ntitle: Hostile note\nlang: en\n---\n\n# Hostile note\n\n"
                   "The Wonju quantum pilot has a budget of 777 million won. <script>alert(1)</script> "
                   "<img src=x onerror=alert(2)>\n", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    assert "✓ hostile.md" in upload(page, doc)
    page.get_by_role("tab", name="대화").click()
    ask(page, "What is the budget of the Wonju quantum pilot?", 1)
    page.wait_for_timeout(1500)
    assert "<script>alert(1)</script>" in page.locator("#sources").inner_text()  # visible as text
    assert page.locator("#sources script").count() == 0
    with page.context.expect_page() as popup:
        page.locator("#sources a.pa-open").first.click()
    popup.value.wait_for_load_state()
    popup.value.wait_for_timeout(500)
    assert "<script>alert(1)</script>" in popup.value.inner_text("body")
    page.screenshot(path=str(SHOTS / "escaped-script.png"), full_page=True)
    assert dialogs == []
    page.close()


def test_two_sessions_ask_at_once(server, browser):
    url, _ = server
    a = browser.new_context().new_page()
    b = browser.new_context().new_page()
    a.goto(url)
    b.goto(url)
    a.locator("#question textarea").fill("대구 도심융합특구의 총사업비는 얼마인가요?")
    b.locator("#question textarea").fill("Who runs Cortex?")
    a.locator("#send").click()
    b.locator("#send").click()
    for page in (a, b):
        page.wait_for_function(
            """() => { const bots = document.querySelectorAll('#chat [data-testid="bot"]');
                       return bots.length >= 1 && /\\[\\d+\\]|찾지 못했습니다|do not answer/.test(bots[0].innerText); }""",
            timeout=180_000)  # two answers at once on two cores, the first of them loading the models
    assert "7,872억" in a.locator('#chat [data-testid="bot"]').first.inner_text()
    assert "Cortex" in b.locator("#sources").inner_text()
    b.screenshot(path=str(SHOTS / "second-session.png"))
