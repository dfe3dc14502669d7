"""Property-based tests (hypothesis) of what comes from outside: front matter, whole files, upload names,
questions and conversation histories. Each property states what the boundary promises for *any* input, not only
for the inputs someone thought of: a dict or an IngestError, never another exception; a name the build indexes or a
reason; an answer or an InputError.

Runs derandomized (the same examples every run), without an example database, with modest example counts."""

from __future__ import annotations

import json
import math
import random
import re
import time
import unicodedata
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, Phase, assume, event, example, given, settings
from hypothesis import strategies as st

from assistant.clean import MAX_TURN_CHARS, MAX_TURNS, clean_history, clean_text
from assistant.errors import IngestError, InputError
from assistant.ingest import SUPPORTED_SUFFIXES, Limits, SourceFile, ignored_reason, load_file
from assistant.ingest.markdown import (MAX_ALIASES, MAX_DEPTH, MAX_FRONT_MATTER_CHARS, MAX_NODES,
                                       split_front_matter)
from assistant.query import followup_context, resolve_followup
from assistant.uploads import MAX_NAME_BYTES, upload_name

from conftest import MD_ACT, MD_DAEGU, MD_EN, FakeEmbedder, make_pdf

PROPS = dict(derandomize=True, database=None, deadline=None,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
SLOW_CALL = 20.0  # seconds: no single call may take longer ("never hangs"); cost is tested on its own below

# Characters that break naive code: lone surrogates, C0/C1 controls, bidi overrides, zero-width, BOM, U+FFFD.
NASTY = st.sampled_from(["\ud800", "\udfff", "\udc80", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\u202e", "\u2066",
                         "\u200b", "\ufeff", "\ufffd", "\r", "\r\n", "\t", "\u3000", "\u0301", "\U0001F600"])
CHARS = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.characters(categories=["Cc", "Cf"]),
                  st.sampled_from("대구도심융합특구사업비는얼마인가요그럼부산광주 ?.,"))
ANY_TEXT = st.lists(st.one_of(st.text(CHARS, max_size=8), NASTY), max_size=12).map("".join)


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    try:
        return fn(*args, **kw)
    finally:
        assert time.perf_counter() - t0 < SLOW_CALL, f"{fn.__name__} took over {SLOW_CALL} s"


# --- front matter --------------------------------------------------------------------------------------------------

def expanded_size(value, depth: int = 0, budget: list[int] | None = None, cap: int = 10 * MAX_NODES) -> tuple[int, int]:
    """(values, depth) of value with every alias expanded, counting no further than cap (aliases may form cycles)."""
    budget = budget if budget is not None else [cap]
    budget[0] -= 1
    if budget[0] < 0 or depth > 4 * MAX_DEPTH:
        return cap, depth
    deepest = depth
    children = []
    if isinstance(value, dict):
        for k, v in value.items():
            children += [k, v]
    elif isinstance(value, (list, tuple)):
        children = list(value)
    for child in children:
        _, d = expanded_size(child, depth + 1, budget, cap)
        deepest = max(deepest, d)
        if budget[0] < 0:
            break
    return cap - budget[0], deepest


SCALAR = st.sampled_from([
    "x", "대구", "1", "-1", "0x1F", "1e3", ".nan", "-.inf", "~", "null", "true", "no", "2024-11-10", "2020-13-45",
    "2020-02-30", "2020-01-01 25:00:00", "2024-01-01T10:00:00Z", "'quoted'", '"dq"', '"\\ud800"', '"\\udc80 x"',
    '"\\x00"', '"\\u202e"', '"\\U0001F600"', "!!str 1", "!!int x", "!!binary aGVsbG8=", "!!timestamp 2020-01-01",
    "!!python/object:os.system x", "!foo bar", "&anc v", "*anc", "*undefined", "|", ">", "@x", "`x", "%x", "9" * 5000,
    "[", "]", "{", "}", "[a, b]", "{a: 1}", "[[[]]]", "{? a}", "- x", "? k", ": v", "#comment", "'unterminated",
])
KEY = st.sampled_from(["title", "date", "lang", "doc_type", "sources", "topics", "city", "k", "1", "null", "? [a]",
                       "<<", "a b", "제목", '"q"', "&k title", "*k"])
LINE = st.one_of(
    st.builds(lambda ind, k, v: f"{' ' * ind}{k}: {v}", st.integers(0, 6), KEY, SCALAR),
    st.builds(lambda ind, v: f"{' ' * ind}- {v}", st.integers(0, 6), SCALAR),
    st.builds(lambda k, vs: f"{k}: [{', '.join(vs)}]", KEY, st.lists(SCALAR, max_size=5)),
    st.builds(lambda k, vs: f"{k}: {{{', '.join(f'k{i}: {v}' for i, v in enumerate(vs))}}}", KEY,
              st.lists(SCALAR, max_size=5)),
    SCALAR, st.text(CHARS, max_size=20), st.just("---"), st.just("..."), st.just("\t x: 1"),
)
YAMLISH = st.lists(LINE, max_size=12).map("\n".join)
BODY = st.one_of(st.just("# 제목\n\n본문입니다."), st.text(CHARS, max_size=40), st.just(""))


def check_front_matter(text: str) -> None:
    try:
        meta, body = timed(split_front_matter, text, "doc.md")
    except IngestError as exc:
        assert exc.reason and exc.path == "doc.md"
        return
    assert isinstance(meta, dict) and isinstance(body, str)
    assert text.endswith(body)
    values, depth = expanded_size(meta)
    assert values <= MAX_NODES and depth <= MAX_DEPTH + 1, (values, depth)


@settings(max_examples=250, **PROPS)
@given(YAMLISH, BODY)
def test_yamlish_front_matter_is_a_dict_or_an_ingest_error(yaml_text, body):
    check_front_matter(f"---\n{yaml_text}\n---\n{body}")


@settings(max_examples=150, **PROPS)
@given(ANY_TEXT, ANY_TEXT)
def test_arbitrary_text_between_dashes_is_a_dict_or_an_ingest_error(inner, body):
    check_front_matter(f"---\n{inner}\n---\n{body}")
    check_front_matter(f"---{inner}")  # no closing line: read as a document without front matter or refused


@settings(max_examples=100, **PROPS)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_between_dashes_are_a_dict_or_an_ingest_error(data):
    check_front_matter("---\n" + data.decode("latin-1") + "\n---\nbody")
    check_front_matter("---\n" + data.decode("utf-8", "surrogateescape") + "\n---\nbody")


@settings(max_examples=80, **PROPS)
@given(st.integers(2, 12), st.integers(1, 8), st.booleans())
def test_alias_chains_are_refused_or_bounded(width, levels, flow):
    """a0 holds width values; each next level holds width aliases of the one before: width**(levels+1) values
    once expanded, with width*levels aliases."""
    lines = ["title: chain", f"a0: &a0 [{', '.join(['x'] * width)}]"]
    for i in range(1, levels + 1):
        refs = [f"*a{i - 1}"] * width
        if flow:
            lines.append(f"a{i}: &a{i} [{', '.join(refs)}]")
        else:
            lines.append(f"a{i}: &a{i}\n" + "\n".join(f"  - {r}" for r in refs))
    text = "---\n" + "\n".join(lines) + "\n---\n\n# Chain\n\nbody\n"
    aliases, expanded = width * levels, width ** (levels + 1)
    try:
        meta, _ = timed(split_front_matter, text, "chain.md")
    except IngestError as exc:
        assert "alias" in exc.reason or "values" in exc.reason or "nested" in exc.reason, exc.reason
        return
    assert aliases <= MAX_ALIASES and expanded <= MAX_NODES, (width, levels)
    assert expanded_size(meta)[0] <= MAX_NODES


NEST_OPEN = {"flow-list": ("[", "]"), "flow-map": ("{k: ", "}"), "mixed": ("[{k: ", "}]")}


# No shrinking: a failure here recurses a thousand frames per call, and the smallest example is the next test.
@settings(max_examples=40, phases=[Phase.explicit, Phase.generate], **PROPS)
@given(st.sampled_from(["flow-list", "flow-map", "mixed", "block-dash"]), st.integers(0, 4000))
def test_deeply_nested_front_matter_is_refused_with_an_ingest_error(style, depth):
    """Nesting past MAX_DEPTH is refused as an IngestError whatever its depth: never a RecursionError, however
    deep the (under 16 KiB) front matter is nested."""
    if style == "block-dash":
        value = "- " * depth + "x"  # "- - - x": block sequences nested on one line
        text = f"---\ntitle: deep\nv:\n  {value}\n---\nbody"
    else:
        opener, closer = NEST_OPEN[style]
        text = f"---\ntitle: deep\nv: {opener * depth}x{closer * depth}\n---\nbody"
    assume(len(text) < MAX_FRONT_MATTER_CHARS)
    levels = depth * (2 if style == "mixed" else 1) + 1  # "v" itself is one level below the top mapping
    try:
        meta, _ = timed(split_front_matter, text, "deep.md")
    except IngestError as exc:
        assert levels > MAX_DEPTH - 1 and exc.reason
        return
    assert expanded_size(meta)[1] <= MAX_DEPTH + 1


def test_deep_flow_nesting_regression_example():
    """The smallest shape of the failure the property above finds: 400 nested '[' (800 characters)."""
    text = "---\nx: " + "[" * 400 + "]" * 400 + "\n---\nbody"
    with pytest.raises(IngestError):
        split_front_matter(text, "deep.md")


# --- whole files ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("props-files")


FILE_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda y, b: f"---\n{y}\n---\n{b}".encode("utf-8", "surrogatepass"), YAMLISH, BODY),
    st.builds(lambda t: t.encode("utf-8", "surrogatepass"), ANY_TEXT),
    st.builds(lambda b, junk: b + junk, st.sampled_from([MD_DAEGU.encode(), MD_EN.encode(), b"\xef\xbb\xbf" + MD_ACT.encode()]),
              st.binary(max_size=50)),
)


def check_document(doc, doc_id: str) -> None:
    assert doc.doc_id == doc_id and isinstance(doc.title, str) and doc.text.strip()
    for seg in doc.segments:
        assert 0 <= seg.start < seg.end <= len(doc.text) and doc.text[seg.start:seg.end].strip()
        assert all(isinstance(s, str) for s in seg.section)
    meta = doc.meta
    assert all(isinstance(meta[k], str) for k in ("doc_type", "lang", "date"))
    assert all(isinstance(meta[k], list) and all(isinstance(v, str) for v in meta[k]) for k in ("sources", "topics"))


@settings(max_examples=200, **PROPS)
@given(FILE_BYTES, st.sampled_from([".md", ".markdown", ".txt", ".MD"]))
def test_any_text_file_loads_as_a_document_or_an_ingest_error(scratch, data, suffix):
    path = scratch / f"doc{suffix}"
    path.write_bytes(data)
    doc_id = f"sub/doc{suffix}"
    try:
        doc = timed(load_file, SourceFile(path, scratch, doc_id), Limits())
    except IngestError as exc:
        assert exc.reason and exc.path == doc_id
        return
    check_document(doc, doc_id)


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("props-corpus") / "corpus"
    (root / "ko").mkdir(parents=True)
    (root / "en").mkdir()
    (root / "ko" / "daegu.md").write_text(MD_DAEGU, encoding="utf-8")
    (root / "ko" / "act.md").write_text(MD_ACT, encoding="utf-8")
    (root / "en" / "cortex.md").write_text(MD_EN, encoding="utf-8")
    make_pdf(root / "en" / "one-north.pdf", ["1. Overview\none-north is a 200-hectare business park in Singapore.",
                                             "2. Clusters\nBiopolis serves biomedical research."], title="one-north")
    return root


@settings(max_examples=30, **PROPS)
@given(YAMLISH, BODY)
@example('title: "\\ud800"', "# 제목\n\n본문입니다.")  # the title reaches the tokenizer and chunks.jsonl
@example('title: ok\nnote: "x \\udc80 y"', "# 제목\n\n본문입니다.")  # the value reaches manifest.json
@example('title: ok', "# 제목\n\n본문입니다.")
def test_a_build_with_any_one_front_matter_file_completes(tmp_path_factory, small_corpus, yaml_text, body):
    """One file with any front matter is indexed or skipped; the build itself never fails and the index loads.
    (Found: a double-quoted YAML escape of a lone surrogate, title: "\\ud800", stopped the whole build.)"""
    import shutil

    from assistant.index import build_index, load
    from assistant.settings import Settings

    work = tmp_path_factory.mktemp("one-file")
    corpus = work / "corpus"
    shutil.copytree(small_corpus, corpus)
    (corpus / "odd.md").write_text(f"---\n{yaml_text}\n---\n{body or 'text'}\n", encoding="utf-8",
                                   errors="surrogatepass")
    s = Settings(corpus_dirs=(corpus,), index_dir=work / "index", upload_dir=work / "uploads", embedder="use-m3")
    report = build_index(s, embedders={"use-m3": FakeEmbedder()}, progress=False)
    assert {"ko/daegu.md", "ko/act.md", "en/cortex.md", "en/one-north.pdf"} <= set(report.added)
    assert ("odd.md" in report.added) != ("odd.md" in dict(report.skipped))
    index = load(s.index_dir, ["use-m3"])
    assert set(index.files) == set(report.added)
    assert len(index.chunks) == index.vectors["use-m3"].count == report.chunks
    shutil.rmtree(work)


# --- upload names --------------------------------------------------------------------------------------------------

NAME_CHARS = st.one_of(st.characters(exclude_characters="\x00"), st.sampled_from("/\\._ -~:*?\"<>|\t\n\u3000"))
STEM = st.text(NAME_CHARS, max_size=30)
SUFFIX = st.sampled_from(list(SUPPORTED_SUFFIXES) + [".PDF", ".Md", ".docx", ".exe", "", ".", ".md.", ".md ", ". md",
                                                     ".pdf/", ".pdf\\", ".tar.gz"])
GIVEN_NAME = st.one_of(
    st.builds(lambda d, s, x: d + s + x, st.lists(st.sampled_from(["../", "..\\", "/etc/", "C:\\", "./", ".", "_",
                                                                   "  ", "a/b/"]), max_size=4).map("".join), STEM, SUFFIX),
    st.text(NAME_CHARS, max_size=60),
    st.builds(lambda n, x: "가" * n + x, st.integers(100, 200), SUFFIX),
)


def check_upload_name(given: str) -> tuple[str, str]:
    name, reason = upload_name(given)
    assert isinstance(name, str) and isinstance(reason, str)
    assert bool(name) != bool(reason), (name, reason)
    if name:
        assert "/" not in name and "\\" not in name
        assert not name.startswith((".", "_"))
        assert PurePosixPath(name).suffix.lower() in SUPPORTED_SUFFIXES
        assert ignored_reason(PurePosixPath(name)) is None and ignored_reason(Path(name)) is None
        assert len(name.encode()) <= MAX_NAME_BYTES
        # Taken from the name given, not invented: its suffix, and its stem or the start of it when shortened.
        stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
        shown = clean_text(given, "").replace("\\", "/").rsplit("/", 1)[-1]  # hidden characters dropped
        assert suffix in shown and "".join(stem.split()) in "".join(shown.split())  # spacing may be tidied
    return name, reason


@settings(max_examples=400, **PROPS)
@given(GIVEN_NAME)
def test_upload_names_are_stored_names_the_build_indexes_or_a_reason(given):
    check_upload_name(given)


@settings(max_examples=100, **PROPS)
@given(st.one_of(st.text(st.one_of(st.characters(exclude_characters="\x00"), st.characters(categories=["Cs"])),
                         max_size=20),
                 st.builds(lambda c, n: c * n, st.sampled_from(["가", "a", "😀", "é"]), st.integers(50, 130))),
       st.sampled_from(SUPPORTED_SUFFIXES))
def test_an_accepted_upload_name_can_be_a_file_name(tmp_path_factory, stem, suffix):
    """upload_name promises a name to store the file under: the file system must be able to take it.
    (Found: a lone surrogate, "\\ud800.md", is accepted and then cannot be written; so is a name of 120 Hangul
    characters, 360 bytes, over the 255 bytes a Linux file name may have.)"""
    name, _ = check_upload_name(stem + suffix)
    if name:
        folder = tmp_path_factory.mktemp("names")
        (folder / name).write_bytes(b"x")
        assert [p.name for p in folder.iterdir()] == [name]


@settings(max_examples=60, **PROPS)
@given(st.integers(1, 300), st.sampled_from(["가", "a", "2024년 지역균형발전 시행계획(안) "]),
       st.sampled_from(SUPPORTED_SUFFIXES))
def test_a_long_name_of_a_supported_type_is_never_called_unsupported(n, piece, suffix):
    """Official documents often carry long names. A long name with a supported suffix may be shortened (or refused
    as too long), but it must not be refused as an unsupported file type: the type is the one thing it has right.
    (Found: names over the length limit were cut before the suffix, then refused as "unsupported file type '(none)'".)"""
    given = (piece * n).strip() + suffix
    name, reason = check_upload_name(given)
    assert "unsupported" not in reason, (len(given), reason)
    if name:
        assert name.lower().endswith(suffix)


# --- questions -----------------------------------------------------------------------------------------------------

@settings(max_examples=300, **PROPS)
@given(st.one_of(ANY_TEXT, st.binary(max_size=100)))
def test_clean_text_gives_valid_normalised_visible_text(value):
    out = clean_text(value)
    assert isinstance(out, str)
    out.encode("utf-8")  # no lone surrogates left
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", out)
    assert unicodedata.is_normalized("NFC", out)
    assert clean_text(out) == out  # idempotent
    spaced = clean_text(value, " ")
    assert "\ufffd" not in spaced and len(spaced) == len(out)


@settings(max_examples=100, **PROPS)
@given(st.text(st.characters(categories=["L", "N", "Zs", "P"]), max_size=50))
def test_clean_text_leaves_ordinary_text_as_it_is(value):
    assume("\ufeff" not in value)
    assert clean_text(value) == unicodedata.normalize("NFC", value)


@pytest.fixture(scope="module")
def bot(tmp_path_factory, small_corpus):
    from assistant import Assistant
    from assistant.index import build_index, load
    from assistant.settings import Settings

    work = tmp_path_factory.mktemp("props-index")
    s = Settings(corpus_dirs=(small_corpus,), index_dir=work / "index", upload_dir=work / "uploads", embedder="use-m3")
    build_index(s, embedders={"use-m3": FakeEmbedder()}, progress=False)
    return Assistant(load(s.index_dir, ["use-m3"]), s, embedders={"use-m3": FakeEmbedder()})


REAL_QUESTIONS = ["대구 도심융합특구 사업비는 얼마인가요?", "그럼 면적은요?", "What is Cortex?", "Who founded Cortex and when?",
                  "도심융합특구 지정 신청은 누가 하나요?", "one-north는 어디에 있나요?", "2단계는요?", "그건 어디에 짓는 거예요?"]
QUESTION = st.one_of(
    ANY_TEXT,
    st.builds(lambda q, i, junk: q[:i] + junk + q[i:], st.sampled_from(REAL_QUESTIONS), st.integers(0, 30), ANY_TEXT),
    # (A long unspaced Hangul run is left to test_the_longest_question_allowed_costs_little: it takes seconds.)
    st.builds(lambda c, n: c * n, st.sampled_from(["가 ", "a ", "\ud800", " ", "\u200b", "대구 ", "가" * 20 + " "]),
              st.sampled_from([1, 50, 95, 999, 1000, 1999, 2000, 2001, 20_000])),
    st.binary(max_size=60),
)
TURN = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]),
                           "content": st.one_of(st.sampled_from(REAL_QUESTIONS), ANY_TEXT)}),
    st.dictionaries(st.sampled_from(["role", "content", "x"]),
                    st.one_of(st.none(), st.integers(), st.sampled_from(["user", "assistant", "system", "USER"]),
                              ANY_TEXT, st.binary(max_size=10), st.lists(st.integers(), max_size=2)), max_size=3),
    st.none(), st.integers(), ANY_TEXT, st.lists(st.text(max_size=3), max_size=2),
    st.builds(lambda r, n: {"role": r, "content": "대구 " * n}, st.sampled_from(["user", "assistant"]),
              st.sampled_from([3000, 10_000])),
)
HISTORY = st.one_of(st.none(), st.lists(TURN, max_size=25), st.just([]), ANY_TEXT, st.integers(),
                    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2))


def usable(question) -> str:
    return clean_text(question, " ").strip() if isinstance(question, (str, bytes)) else ""


@settings(max_examples=100, **PROPS)
@given(QUESTION, HISTORY)
def test_ask_answers_or_raises_input_error(bot, question, history):
    q = usable(question)
    if not q or len(q) > 2000:
        event("refused")
        with pytest.raises(InputError):
            bot.ask(question, history=history)
        return
    answer = timed(bot.ask, question, history=history)
    event("abstained" if answer.abstained else "answered")
    assert answer.question == q and isinstance(answer.text, str) and answer.text.strip()
    answer.text.encode("utf-8")
    json.dumps(answer.to_json(), ensure_ascii=False).encode("utf-8")
    assert {c.doc_id for c in answer.citations} <= set(bot.index.files)
    if not answer.abstained:
        numbers = {c.n for c in answer.citations}
        assert numbers and {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} <= numbers


@settings(max_examples=80, **PROPS)
@given(QUESTION, HISTORY, st.integers(1, 12))
def test_search_finds_passages_or_raises_input_error(bot, question, history, k):
    q = usable(question)
    if not q or len(q) > 2000:
        with pytest.raises(InputError):
            bot.search(question, k=k, history=history)
        return
    hits = timed(bot.search, question, k=k, history=history)
    assert 0 < len(hits) <= k  # the index holds passages; any question gets the nearest
    texts = {c.chunk_id: c.text for c in bot.index.chunks}
    for hit in hits:
        assert hit.doc_id in bot.index.files and texts[hit.chunk_id] == hit.text
        assert math.isfinite(hit.score)


def test_the_longest_question_allowed_costs_little(bot):
    """MAX_QUESTION_CHARS bounds what one question may cost; a question within it must cost about what any other
    does (an ordinary 2000-character question is answered in ~0.3 s here). (Found: one unspaced run of Hangul
    syllables, "가" * 1999, takes ~8 s and ~0.5 GB in compound_aliases, which makes every 2- or 3-part split of a
    token: quadratic in the token's length.)"""
    rng = random.Random(7)
    for question in ["대구 " * 666, "가" * 1999, "".join(chr(rng.randrange(0xAC00, 0xD7A4)) for _ in range(1999))]:
        t0 = time.perf_counter()
        bot.ask(question)
        elapsed = time.perf_counter() - t0
        assert elapsed < 2.0, f"ask({question[:5]!r}… {len(question)} chars) took {elapsed:.1f} s"


@pytest.mark.parametrize("k", [0, -1, 1.5, "3", None])
def test_search_refuses_a_bad_k_with_input_error(bot, k):
    with pytest.raises(InputError):
        bot.search("대구 사업비", k=k)


# --- history -------------------------------------------------------------------------------------------------------

def valid_turns(history) -> int:
    if not isinstance(history, (list, tuple)):
        return 0
    return sum(1 for t in history if isinstance(t, dict) and t.get("role") in ("user", "assistant")
               and isinstance(t.get("content"), (str, bytes)))


@settings(max_examples=300, **PROPS)
@given(HISTORY)
def test_clean_history_returns_well_formed_bounded_turns(history):
    turns = clean_history(history)
    assert isinstance(turns, list) and len(turns) == min(MAX_TURNS, valid_turns(history))
    for t in turns:
        assert type(t) is dict and set(t) == {"role", "content"}
        assert t["role"] in ("user", "assistant")
        assert isinstance(t["content"], str) and len(t["content"]) <= MAX_TURN_CHARS
        t["content"].encode("utf-8")
        assert "\ufffd" not in t["content"]
    # The last turns are kept, in order.
    if turns and isinstance(history, list):
        last = [t for t in history if isinstance(t, dict) and t.get("role") in ("user", "assistant")
                and isinstance(t.get("content"), (str, bytes))][-1]
        assert turns[-1]["role"] == last["role"]
    assert clean_history(turns) == turns  # cleaning what is clean changes nothing


@settings(max_examples=120, **PROPS)
@given(QUESTION, HISTORY)
def test_followups_over_cleaned_history_never_raise_and_stay_bounded(question, history):
    q = usable(question)
    assume(q)
    turns = clean_history(history)
    context = timed(followup_context, q, turns)
    resolved = timed(resolve_followup, q, turns)
    assert isinstance(context, str) and isinstance(resolved, str)
    assert resolved == (f"{context} {q}" if context else q)
    resolved.encode("utf-8")
    assert len(context) <= len(q) + 4 * sum(len(t["content"]) for t in turns) + 64
