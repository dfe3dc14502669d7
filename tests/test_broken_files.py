"""A corpus of broken and hostile files beside the good tiny corpus, all made at test time: one build reads past
every one of them, reports each with its reason, indexes every good file, finishes in bounded time, and a second
build finds nothing to do."""

from __future__ import annotations

import os
import random
import struct
import time
import zipfile
from pathlib import Path

import pytest

from assistant.index import build_index, is_stale, load
from assistant.index.store import current_build

from conftest import FakeEmbedder, make_pdf

TINY = {"ko/daegu.md", "ko/act.md", "en/cortex.md", "pdf/one-north.pdf"}  # the conftest tiny corpus
GOOD = TINY | {"good/plan.hwpx", "good/notes.txt"}
BUILD_SECONDS = 60


# --- makers of broken files ----------------------------------------------------------------------------------------

def raw_pdf(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF written byte by byte (objects, a correct xref table and trailer), for structures no writer makes."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def _page(num: int, parent: int) -> dict[int, bytes]:
    content = b"BT /F1 12 Tf 72 720 Td (Regional development zone plan) Tj ET"
    return {num: b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                 b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (parent, num + 1, num + 2),
            num + 1: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            num + 2: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}


def deep_page_tree(depth: int) -> bytes:
    """/Pages nodes nested depth deep, one page at the bottom: a reader that walks the tree recursively overflows."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    for i in range(depth):
        objs[2 + i] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (3 + i)
    objs.update(_page(2 + depth, 1 + depth))
    return raw_pdf(objs)


def huge_page_tree(kids: int) -> bytes:
    """One /Pages node listing the same page kids times: a 600 kB file of 100,000 pages."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [" + b" ".join([b"3 0 R"] * kids) + b"] /Count %d >>" % kids}
    objs.update(_page(3, 2))
    return raw_pdf(objs)


def cyclic_page_tree() -> bytes:
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>"}
    objs.update(_page(3, 2))
    return raw_pdf(objs)


def bit_flipped(data: bytes, flips: int, seed: int) -> bytes:
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        i = rng.randrange(16, len(out))  # past "%PDF-1.x": the header is what tells a PDF at all
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


HWPX_NS = ('xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
           'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"')
SECTION_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><hs:sec {HWPX_NS}><hp:p paraPrIDRef="0"><hp:run><hp:t>'
SECTION_TAIL = "</hp:t></hp:run></hp:p></hs:sec>"


def write_hwpx(path: Path, text: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("Contents/section0.xml", SECTION_HEAD + text + SECTION_TAIL)
    return path


def write_zip_bomb(path: Path, megabytes: int = 50) -> Path:
    """A well-formed HWPX whose one section inflates from ~50 kB to 50 MB of spaces (about 1000:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        with zf.open("Contents/section0.xml", "w") as fh:
            fh.write(SECTION_HEAD.encode())
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                fh.write(block)
            fh.write(SECTION_TAIL.encode())
    return path


def lie_about_size(path: Path, member: str, size: int) -> Path:
    """Rewrite the central directory so member claims to unpack to size bytes: a bomb that passes a ratio check
    made on the directory alone."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    i = data.find(b"PK\x01\x02")
    while i >= 0:
        n = struct.unpack_from("<H", data, i + 28)[0]
        if bytes(data[i + 46:i + 46 + n]) == name:
            struct.pack_into("<I", data, i + 24, size)
        i = data.find(b"PK\x01\x02", i + 4)
    path.write_bytes(bytes(data))
    return path


def nested_flow(depth: int) -> str:
    return "[" * depth + "x" + "]" * depth


ALIAS_BOMB = ("---\ntitle: bomb\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
              "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
              "sources: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n---\n\n# Bomb\n\nbody text\n")


def make_broken(corpus: Path, tmp: Path) -> tuple[dict[str, str], set[str]]:
    """Write the broken files under corpus/broken; return {doc_id: a word its skip reason must hold ('' for any
    non-empty reason)} and the doc_ids of the links, which are not documents at all."""
    broken = corpus / "broken"
    broken.mkdir()
    good_pdf = make_pdf(tmp / "source.pdf", ["1. Overview\nThe zone is planned by the city and the ministry.",
                                            "2. Budget\nThe budget is spread over ten years of work."])
    pdf = good_pdf.read_bytes()
    (broken / "truncated.pdf").write_bytes(pdf[:len(pdf) // 2])
    (broken / "bit-flipped.pdf").write_bytes(bit_flipped(pdf, 40, seed=7))
    (broken / "deep-page-tree.pdf").write_bytes(deep_page_tree(5000))
    (broken / "huge-page-tree.pdf").write_bytes(huge_page_tree(100_000))
    (broken / "cyclic-page-tree.pdf").write_bytes(cyclic_page_tree())
    (broken / "not-a.pdf").write_text("plain words with a pdf suffix", encoding="utf-8")

    write_zip_bomb(broken / "zip-bomb.hwpx")
    lie_about_size(write_zip_bomb(broken / "lying-bomb.hwpx"), "Contents/section0.xml", 4096)
    good_hwpx = write_hwpx(tmp / "source.hwpx", "도심융합특구 지정 절차를 설명한다. " * 40).read_bytes()
    (broken / "truncated.hwpx").write_bytes(good_hwpx[:len(good_hwpx) // 2])
    (broken / "random.hwp").write_bytes(random.Random(1).randbytes(8192))
    (broken / "ole-garbage.hwp").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + random.Random(2).randbytes(8192))

    (broken / "nested-yaml.md").write_text(f"---\ntitle: n\nv: {nested_flow(20)}\n---\n\n# N\n\nbody\n", encoding="utf-8")
    (broken / "very-nested-yaml.md").write_text(f"---\ntitle: n\nv: {nested_flow(3000)}\n---\n\n# N\n\nbody\n",
                                                encoding="utf-8")
    (broken / "alias-bomb.md").write_text(ALIAS_BOMB, encoding="utf-8")
    (broken / "one-long-line.md").write_text("가나다 " * (2 * 1024 * 1024 // 10 + 1), encoding="utf-8")  # ~2 MB
    (broken / "latin1.md").write_bytes("# Café\n\nRésumé des travaux à São Paulo.\n".encode("latin-1"))
    (broken / "cut-utf8.txt").write_bytes("대구 도심융합특구".encode()[:-1] + b"\xff\xfe text")
    (broken / "whitespace.md").write_text(" \n\t\n   \r\n" * 50, encoding="utf-8")
    (broken / "whitespace.txt").write_text("\n \u3000 \n" * 50, encoding="utf-8")
    (broken / "empty.md").write_bytes(b"")
    (broken / "empty.pdf").write_bytes(b"")
    (broken / "empty.hwpx").write_bytes(b"")

    expected = {
        "broken/truncated.pdf": "", "broken/bit-flipped.pdf": "", "broken/deep-page-tree.pdf": "",
        "broken/huge-page-tree.pdf": "max_pages", "broken/cyclic-page-tree.pdf": "", "broken/not-a.pdf": "not a PDF",
        "broken/zip-bomb.hwpx": "hostile", "broken/lying-bomb.hwpx": "", "broken/truncated.hwpx": "",
        "broken/random.hwp": "", "broken/ole-garbage.hwp": "",
        "broken/nested-yaml.md": "nested", "broken/very-nested-yaml.md": "nested", "broken/alias-bomb.md": "alias",
        "broken/one-long-line.md": "max_file_mb", "broken/latin1.md": "UTF-8", "broken/cut-utf8.txt": "UTF-8",
        "broken/whitespace.md": "", "broken/whitespace.txt": "",
        "broken/empty.md": "empty", "broken/empty.pdf": "empty", "broken/empty.hwpx": "empty",
    }

    os.symlink("loop-b.md", broken / "loop-a.md")
    os.symlink("loop-a.md", broken / "loop-b.md")
    os.symlink("self.md", broken / "self.md")
    os.symlink("..", broken / "parent-loop")  # a folder that contains itself
    os.symlink("missing.md", broken / "dangling.md")
    links = {"broken/loop-a.md", "broken/loop-b.md", "broken/self.md", "broken/parent-loop", "broken/dangling.md"}
    return expected, links


def add_good(corpus: Path) -> None:
    (corpus / "good").mkdir()
    write_hwpx(corpus / "good" / "plan.hwpx", "지역균형발전 특별법 시행 계획. 도심융합특구 지정 절차를 설명한다. " * 20)
    (corpus / "good" / "notes.txt").write_text("광주 도심융합특구 메모\n\n광주는 AI 산업을 중심으로 특구를 조성한다.\n",
                                               encoding="utf-8")


def build(settings, emb=None):
    emb = emb or FakeEmbedder()
    return build_index(settings, embedders={"use-m3": emb}, progress=False), emb


# --- tests ---------------------------------------------------------------------------------------------------------

def test_one_build_reads_past_every_broken_file(tiny_corpus, settings_for, tmp_path):
    from assistant import Assistant

    add_good(tiny_corpus)
    expected, links = make_broken(tiny_corpus, tmp_path)
    s = settings_for(tiny_corpus, max_file_mb=1)

    t0 = time.perf_counter()
    report, emb = build(s)
    elapsed = time.perf_counter() - t0
    assert elapsed < BUILD_SECONDS, f"the build took {elapsed:.0f} s"

    skipped, ignored = dict(report.skipped), dict(report.ignored)
    assert set(report.added) == GOOD
    assert set(skipped) == set(expected), (set(skipped) ^ set(expected))
    for doc_id, word in expected.items():
        assert skipped[doc_id].strip(), doc_id
        assert word in skipped[doc_id], (doc_id, skipped[doc_id])
    for doc_id in links:
        assert ignored.get(doc_id, "").strip(), doc_id
    assert not set(ignored) & (GOOD | set(expected))
    text = "\n".join(report.lines())
    assert all(doc_id in text for doc_id in expected)

    # The index loads, holds exactly the good files, and answers from them.
    index = load(s.index_dir, ["use-m3"])
    assert set(index.files) == GOOD == {c.doc_id for c in index.chunks}
    assert len(index.chunks) == index.vectors["use-m3"].count == report.chunks
    assert set(index.manifest["skipped"]) == set(expected)
    assert len(emb.embedded) == report.embedded == report.chunks
    bot = Assistant(index, s, embedders={"use-m3": FakeEmbedder()})
    assert bot.search("one-north business park in Singapore", k=3)[0].doc_id == "pdf/one-north.pdf"

    # Nothing changed: the second build embeds nothing, reads no file again and writes nothing.
    assert not is_stale(s)
    live = current_build(s.index_dir)
    again, emb2 = build(s)
    assert emb2.embedded == [] and again.embedded == 0
    assert not again.added and not again.changed and not again.removed
    assert GOOD <= set(again.unchanged) <= GOOD | set(expected)
    # (Found: every build with a skipped file in the corpus loads all skipped files again and writes a new build.)
    assert not again.written, "an unchanged corpus with skipped files was built again"
    assert current_build(s.index_dir) == live


def test_a_broken_file_that_replaces_a_good_one_keeps_the_good_version(tiny_corpus, settings_for, tmp_path):
    """A document overwritten by a truncated copy is skipped, and its indexed version stays searchable."""
    s = settings_for(tiny_corpus)
    build(s)
    before = [c.text for c in load(s.index_dir, ["use-m3"]).chunks if c.doc_id == "pdf/one-north.pdf"]
    pdf = tiny_corpus / "pdf" / "one-north.pdf"
    pdf.write_bytes(pdf.read_bytes()[:300])
    report, emb = build(s)
    assert "previously indexed version is kept" in dict(report.skipped)["pdf/one-north.pdf"]
    assert emb.embedded == []
    assert [c.text for c in load(s.index_dir, ["use-m3"]).chunks if c.doc_id == "pdf/one-north.pdf"] == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_a_file_unreadable_for_its_permissions_is_skipped(tiny_corpus, settings_for):
    locked = tiny_corpus / "ko" / "locked.md"
    locked.write_text("# 잠김\n\n읽을 수 없는 문서.\n", encoding="utf-8")
    locked.chmod(0)
    try:
        report, _ = build(settings_for(tiny_corpus))
    finally:
        locked.chmod(0o644)
    assert dict(report.skipped).get("ko/locked.md", "").strip()
    assert set(report.added) == TINY


def test_a_file_that_cannot_be_opened_is_skipped_not_fatal(tiny_corpus, settings_for, monkeypatch):
    """The test above where it runs as root (root opens any file): here every open() of the file fails with
    EACCES, as it does for a file of mode 000 under another user. One unreadable file must not stop the build.
    (Found: build.sha256_file lets the PermissionError out of build_index, so no build can finish.)"""
    import builtins
    import io

    locked = tiny_corpus / "ko" / "locked.md"
    locked.write_text("# 잠김\n\n읽을 수 없는 문서.\n", encoding="utf-8")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and Path(file).name == "locked.md":
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    report, _ = build(settings_for(tiny_corpus))
    monkeypatch.undo()
    assert set(report.added) == TINY
    assert dict(report.skipped).get("ko/locked.md", "").strip()


@pytest.mark.parametrize("value", ['"\\ud800"', '"bad \\udc80 value"'])
@pytest.mark.parametrize("key", ["title", "note"])
def test_front_matter_escaping_a_lone_surrogate_skips_only_its_file(tiny_corpus, settings_for, key, value):
    """YAML's double-quoted "\\ud800" is a lone surrogate, which no UTF-8 file (chunks.jsonl, manifest.json) can
    hold and the tokenizer cannot read. The file may be indexed (cleaned) or skipped; the build must complete.
    (Found: the build fails with UnicodeDecodeError in the tokenizer (title) or UnicodeEncodeError writing
    manifest.json (any other key); no build can finish while the file is in the corpus.)"""
    (tiny_corpus / "ko" / "surrogate.md").write_text(
        f"---\ntitle: ok\n{key}: {value}\n---\n\n# 제목\n\n본문입니다.\n".replace("title: ok\ntitle:", "title:"),
        encoding="utf-8")
    s = settings_for(tiny_corpus)
    report, _ = build(s)
    assert set(report.added) - {"ko/surrogate.md"} == TINY
    index = load(s.index_dir, ["use-m3"])
    for chunk in index.chunks:
        (chunk.title + chunk.text).encode("utf-8")


SIDECARS = {
    "deep-nesting": ("title: plan\nx: " + nested_flow(400) + "\n").encode(),
    "invalid-yaml": b"title: [unclosed\n  : :\n",
    "alias-bomb": ALIAS_BOMB.split("---\n")[1].encode(),
    "not-utf8": "title: Caf\xe9\n".encode("latin-1"),
    "unknown-access": b"access: top-secret\n",
    "not-a-mapping": b"- just\n- a list\n",
    "surrogate-title": b'title: "\\ud800"\n',
}


@pytest.mark.parametrize("kind", sorted(SIDECARS))
def test_a_broken_metadata_sidecar_skips_only_its_document(tiny_corpus, settings_for, kind):
    """A "<file>.meta.yaml" beside a document is read like front matter: when it is broken, the document is
    skipped with the reason (or indexed), and the build completes. (Found: a sidecar nested 400 deep raises
    RecursionError out of load_file, which reads sidecars outside its catch-all, and stops the whole build; the
    surrogate title stops it as in front matter.)"""
    import assistant.ingest as ingest

    sidecar_of = getattr(ingest, "sidecar_of", None)
    if sidecar_of is None:
        pytest.skip("this version reads no metadata sidecars")
    pdf = tiny_corpus / "pdf" / "one-north.pdf"
    sidecar_of(pdf).write_bytes(SIDECARS[kind])
    s = settings_for(tiny_corpus)
    report, _ = build(s)
    assert set(report.added) - {"pdf/one-north.pdf"} == TINY - {"pdf/one-north.pdf"}
    if "pdf/one-north.pdf" not in report.added:
        assert dict(report.skipped)["pdf/one-north.pdf"].strip()
    elif kind != "surrogate-title":
        pytest.fail(f"a document with a broken sidecar ({kind}) was indexed")
    index = load(s.index_dir, ["use-m3"])
    assert set(index.files) == set(report.added)
    for chunk in index.chunks:
        (chunk.title + chunk.text).encode("utf-8")
