import json
import subprocess
import sys


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_empty_question_is_a_clear_error(tmp_path):
    r = run("ask", "--index", str(tmp_path / "idx"), "--corpus", str(tmp_path / "none"), "   ")
    assert r.returncode == 2
    assert "error" in r.stderr and "Traceback" not in r.stderr


def test_missing_index_is_a_clear_error(tmp_path):
    r = run("ask", "--no-build", "--index", str(tmp_path / "idx"), "질문")
    assert r.returncode == 2 and "index build" in r.stderr and "Traceback" not in r.stderr


def test_missing_corpus_folder_for_build(tmp_path):
    r = run("index", "build", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "idx"))
    assert r.returncode == 2 and "corpus folder not found" in r.stderr


def test_build_ask_search_json(tiny_corpus, tmp_path):
    idx = tmp_path / "idx"
    r = run("index", "build", "--quiet", "--corpus", str(tiny_corpus), "--index", str(idx))
    assert r.returncode == 0, r.stderr
    assert "added 4" in r.stdout
    r = run("ask", "--json", "--index", str(idx), "--corpus", str(tiny_corpus), "대구 도심융합특구의 총사업비는 얼마인가요?")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"question", "answer", "abstained", "reason", "citations"}
    assert "7,872억" in out["answer"] and not out["abstained"] and out["reason"] == "answered"
    c = out["citations"][0]
    assert {"n", "doc_id", "title", "page", "section", "text", "score"} <= set(c) and c["doc_id"] == "ko/daegu.md"
    # --explain: the reason, and the chosen sentence and the runner-up with what each signal contributed
    r = run("ask", "--explain", "--index", str(idx), "--corpus", str(tiny_corpus), "대구 도심융합특구의 총사업비는 얼마인가요?")
    assert r.returncode == 0, r.stderr
    assert "reason: answered" in r.stdout and "lead (score" in r.stdout and "runner-up (score" in r.stdout
    assert "contributions: coverage=" in r.stdout and "kind_match=" in r.stdout
    r = run("search", "--json", "-k", "3", "--index", str(idx), "--corpus", str(tiny_corpus), "Cortex St. Louis")
    hits = json.loads(r.stdout)["hits"]
    assert len(hits) == 3 and hits[0]["doc_id"] == "en/cortex.md"
