"""Files are read in a worker process within a time and a memory limit: a file that overruns either is skipped
with its reason, the next file is read by a fresh worker, and the build finishes with everything else indexed.
Real files and a real child process; the limits are made tiny so that ordinary files breach them."""

import time

import pytest

from assistant.index import build_index, load
from assistant.index.worker import FileReader
from assistant.ingest import IngestError, SourceFile

from conftest import ROOT, FakeEmbedder, make_pdf

LONG_PDF_PAGES = 120


def source(root, rel) -> SourceFile:
    return SourceFile(root / rel, root, rel)


@pytest.fixture
def corpus(tiny_corpus):
    make_pdf(tiny_corpus / "pdf" / "long.pdf", [f"{i}. Section\n" + "A paragraph about zones. " * 80
                                               for i in range(1, LONG_PDF_PAGES + 1)], title="Long")
    return tiny_corpus


def test_the_worker_reads_a_file_as_the_build_does(corpus, settings_for):
    settings = settings_for(corpus)
    with FileReader(settings) as reader:
        chunks, doc = reader.load(source(corpus, "pdf/one-north.pdf"))
        again, _ = reader.load(source(corpus, "ko/daegu.md"))  # the same worker, the next file
    assert doc.title == "one-north, Singapore" and any("200-hectare" in c.text for c in chunks)
    assert again and all(c.doc_id == "ko/daegu.md" for c in again)


def test_a_file_over_the_time_limit_is_skipped_and_the_next_one_read(corpus, settings_for):
    settings = settings_for(corpus, file_timeout_s=0.05)
    with FileReader(settings) as reader:
        started = time.monotonic()
        with pytest.raises(IngestError, match=r"longer than 0.05 s to read \(setting file_timeout_s\)"):
            reader.load(source(corpus, "pdf/long.pdf"))
        assert time.monotonic() - started < 10  # the overrun costs its limit (and a restart), not the read
    with FileReader(settings_for(corpus, file_timeout_s=60)) as reader:
        assert reader.load(source(corpus, "ko/act.md"))[0]


def test_a_file_over_the_memory_limit_is_skipped_with_its_reason(corpus, settings_for):
    settings = settings_for(corpus, file_memory_mb=64)  # too little for the reader to start at all
    with FileReader(settings) as reader, pytest.raises(IngestError, match="file_memory_mb"):
        reader.load(source(corpus, "pdf/long.pdf"))


def test_a_build_skips_the_file_that_overran_and_indexes_the_rest(corpus, settings_for, monkeypatch):
    settings = settings_for(corpus, file_timeout_s=0.05)
    report = build_index(settings, embedders={"use-m3": FakeEmbedder()}, progress=False)
    skipped = dict(report.skipped)
    assert "pdf/long.pdf" in skipped and "file_timeout_s" in skipped["pdf/long.pdf"]
    index = load(settings.index_dir, ["use-m3"])
    assert {"ko/daegu.md", "ko/act.md", "en/cortex.md"} <= set(index.files)


def test_with_no_time_limit_the_file_is_read_in_this_process(corpus, settings_for):
    with FileReader(settings_for(corpus, file_timeout_s=0)) as reader:
        chunks, _ = reader.load(source(corpus, "pdf/long.pdf"))
    assert len(chunks) > LONG_PDF_PAGES / 2 and reader._proc is None
