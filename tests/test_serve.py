"""`policy-assistant serve --workers 2` on a real PostgreSQL: two worker processes answer the API, and a build
another process publishes reaches every worker without a restart."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import free_port, markdown_corpus

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def wait_ready(url: str, seconds: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("the server never became ready")


def test_two_workers_share_the_database_and_pick_up_a_new_build(tmp_path, database_url):
    import httpx

    corpus = markdown_corpus(tmp_path / "corpus")
    common = ["--database-url", database_url, "--embedder", "use-m3", "--corpus", str(corpus)]
    built = cli("index", "build", *common, "--quiet", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", *common, "--workers", "2",
                               "--port", str(port)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url)
        assert httpx.get(f"{url}/").json() == {"api": "/v1", "docs": "/docs"}  # the API alone in many workers

        def ask(question: str) -> dict:
            return httpx.post(f"{url}/v1/ask", json={"question": question}, timeout=120).json()

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, ["When was Cortex founded?"] * 16))
        assert all("2002" in a["answer"] and a["citations"][0]["doc_id"] == "en/cortex.md" for a in answers)

        (corpus / "en" / "notice.md").write_text(
            "---\ntitle: Test notice\nlang: en\n---\n# Notice\nApplications for the test grant close on 31 March 2026.\n",
            encoding="utf-8")
        again = cli("index", "build", *common, "--quiet", cwd=tmp_path)  # another process publishes a build
        assert again.returncode == 0 and "generation 2" in again.stdout, again.stderr
        # Each worker asks the database for a newer build at most every 2 s and answers from the build it has
        # while it loads the new one: within seconds every answer comes from the new build.
        deadline, answers = time.monotonic() + 60, []
        while time.monotonic() < deadline:
            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(ask, ["When do applications for the test grant close?"] * 16))
            if all("31 March 2026" in a["answer"] for a in answers):
                break
            time.sleep(1)
        assert all("31 March 2026" in a["answer"] for a in answers), [a["answer"] for a in answers]
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def test_a_first_start_listens_at_once_and_reports_the_build(tmp_path):
    """No index yet: the server answers within seconds, says not ready with the build's progress (JSON for /readyz
    and /v1, a page for a browser), then serves the app and the API from the same port."""
    import httpx

    corpus = markdown_corpus(tmp_path / "corpus")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ui", "--corpus", str(corpus), "--embedder",
                               "use-m3", "--index", str(tmp_path / "index"), "--port", str(port)], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        started, seen = time.monotonic(), []
        while time.monotonic() - started < 300:
            try:
                r = httpx.get(f"{url}/readyz", timeout=5)
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            seen.append(r.status_code)
            if r.status_code == 503:
                assert r.json()["ready"] is False and "percent" in r.json()["building"]
                try:
                    page = httpx.get(f"{url}/")
                    api = httpx.post(f"{url}/v1/ask", json={"question": "When was Cortex founded?"})
                except httpx.HTTPError:  # the build ended between these requests: the server is handing over
                    continue
                assert page.status_code in (200, 503) and api.status_code in (200, 503)  # 200: the build just ended
                if page.status_code == 503:
                    assert "<progress" in page.text and page.headers["retry-after"]
                if api.status_code == 503:
                    assert api.json()["error"]["code"] == "not_ready"
            if r.status_code == 200:
                break
            time.sleep(0.2)
        assert seen and seen[0] == 503 and seen[-1] == 200, seen  # listening before the build, ready after it
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
        answer = httpx.post(f"{url}/v1/ask", json={"question": "When was Cortex founded?"}, timeout=120).json()
        assert "2002" in answer["answer"]
        assert "gradio" in httpx.get(f"{url}/", timeout=30).text.lower()  # the app now
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
