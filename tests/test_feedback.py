"""Feedback store: the database is private to its owner, and the CSV export cannot smuggle spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from pathlib import Path

import pytest

from assistant.csvsafe import rows_to_csv, safe_cell
from assistant.feedback import FeedbackStore

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


@pytest.fixture(params=[0o000, 0o022, 0o277], ids=["umask000", "umask022", "umask277"])
def umask(request):
    """Run the test under a given umask: none, the usual one, and one stricter than 0600."""
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_new_database_is_owner_only(tmp_path, umask):
    db = tmp_path / "sub" / "feedback.sqlite3"
    store = FeedbackStore(db)
    store.add(1, "q", "a", [])
    assert mode(db) == 0o600


def test_loose_existing_database_and_journal_are_tightened(tmp_path):
    db = tmp_path / "feedback.sqlite3"
    FeedbackStore(db).add(1, "q", "a", [])
    journal = Path(f"{db}-journal")
    journal.write_bytes(b"")  # an empty journal is not "hot": SQLite ignores it
    os.chmod(db, 0o644)
    os.chmod(journal, 0o666)
    store = FeedbackStore(db)  # cheap: the file is opened, and tightened, on first use
    assert len(store.rows()) == 1
    assert mode(db) == 0o600 and mode(journal) == 0o600


def test_wal_files_are_owner_only(tmp_path, umask):
    db = tmp_path / "feedback.sqlite3"
    FeedbackStore(db).add(1, "q", "a", [])
    con = sqlite3.connect(db)  # another writer switching to WAL: SQLite gives -wal/-shm the database's mode
    try:
        assert con.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
        con.execute("INSERT INTO feedback (created, rating, question, answer, citations) VALUES ('t', 1, 'q', 'a', '[]')")
        con.commit()
        for suffix in ("-wal", "-shm"):
            assert mode(Path(f"{db}{suffix}")) == 0o600
    finally:
        con.close()


@pytest.mark.parametrize("text", FORMULAS)
def test_safe_cell_neutralises_formulas(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "", "a=b", " =1", "'=1", "대구 =1", -1, 1, 2.5, None])
def test_safe_cell_leaves_other_values(value):
    assert safe_cell(value) == value


def test_rows_to_csv_neutralises_every_cell():
    text = rows_to_csv(["=h", "ok"], [["+1", "fine"], [-1, "@x"]])
    assert list(csv.reader(io.StringIO(text))) == [["'=h", "ok"], ["'+1", "fine"], ["-1", "'@x"]]


@pytest.mark.parametrize("comment", FORMULAS)
def test_feedback_csv_export_neutralises_formulas(tmp_path, comment):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.add(-1, "-question?", "=answer", [{"n": 1, "doc_id": "d"}], comment=comment)
    header, row = list(csv.reader(io.StringIO(store.to_csv(), newline="")))
    cells = dict(zip(header, row))
    assert cells["rating"] == "-1"  # a number stays a number
    assert cells["question"] == "'-question?" and cells["answer"] == "'=answer"
    # FeedbackStore strips comments, so a leading tab or CR goes; the formula behind it must still be neutralised.
    assert cells["comment"] == "'" + comment.strip()
