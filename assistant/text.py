"""Text analysis shared by indexing and answering: Korean morphemes for BM25, sentence splitting, number forms.

Kiwi (kiwipiepy) loads once, on first use (~1 s); the tokenizer keeps content morphemes only, so Korean
particles ("보고서를" → "보고서") and verb endings never decide a match. English words are lower-cased and
Porter-stemmed.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

_lock = threading.RLock()  # Kiwi calls are serialised; re-entrant because kiwi() is called under it
_kiwi = None

# Nouns, proper nouns, numerals, foreign words, hanja, verb and adjective stems, roots.
CONTENT_TAGS = {"NNG", "NNP", "NR", "SN", "SL", "SH", "VV", "VA", "XR", "NP"}
EN_STOP = frozenset(
    "a an the of to in on for and or by with from at as is are was were be been being it its this that these those "
    "which what who whom whose when where why how does do did can could may might will would shall should has have had "
    "not no yes than then there their they them he she his her i you we our your about into over under any all each "
    "much many more most some such".split()
)
# Korean function-like nouns that every question carries: "what", "how much", "which".
KO_STOP = frozenset("무엇 어디 언제 누구 얼마 어떻 어떤 어느 곳 것 수 등 때 무엇인가 뭐 중 및 이 그 저 경우 관련 대하 위하 통하 있 하 되 없 같".split())

# Words Kiwi splits where a question puts them first: "부칙상 언제부터 시행되나요" read as 부/칙 (a bill's
# supplementary provisions, which the documents write 부칙 and Kiwi reads whole there).
USER_WORDS = ("부칙",)


def tokenizer_version() -> str:
    """Changes whenever the token rules change, so an index built with older rules is rebuilt, not trusted."""
    import hashlib

    rules = "|".join([",".join(sorted(CONTENT_TAGS)), ",".join(USER_WORDS), ",".join(sorted(EN_STOP)), ",".join(sorted(KO_STOP)), _SPECIAL.pattern,
                      _FINAL_STOP.pattern, ",".join(sorted(_BOUND_SUFFIXES)),
                      "XPN+1"])  # the prefix rule in tokens_from_morphs: rename this marker when that rule changes
    return "kiwi-" + hashlib.sha1(rules.encode("utf-8")).hexdigest()[:10]


_SPECIAL = re.compile(r"\b\d+@|[A-Za-z]+(?:-[A-Za-z]+)+")  # 22@, one-north: keep whole as well as in parts
# Kiwi reads a Latin word or a number with a full stop after it as one token, as if an abbreviation: "opened on
# 17 October 2008." gave "2008." and "two towers." gave "t" + "owers.", so the last word of every English sentence
# matched nothing. The stop is set apart first; an abbreviation (U.S., e.g.) has a one-letter last part and keeps
# its stops. Measured with BM25 alone on SQuAD 2.0 half dev (2,910 answerable): hit@1 0.811 -> 0.825, hit@5
# 0.942 -> 0.951.
_FINAL_STOP = re.compile(r"(?<![A-Za-z.])([A-Za-z]{2,}|\d[\d,]*)\.(?=[\s\"'”’)\]]|$)")


def _for_kiwi(text: str) -> str:
    return _FINAL_STOP.sub(r"\1 .", text)


def kiwi():
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi(num_workers=-1)  # single-threaded: calls are serialised under _lock anyway
                for word in USER_WORDS:
                    _kiwi.add_user_word(word, "NNG")
    return _kiwi


@lru_cache(maxsize=20000)
def _stem(word: str) -> str:
    return _porter().stem(word)


@lru_cache(maxsize=1)
def _porter():
    from nltk.stem import PorterStemmer

    return PorterStemmer()


def normalise_number(form: str) -> str:
    return form.replace(",", "")


def _keep(form: str, tag: str) -> str | None:
    if tag not in CONTENT_TAGS:
        return None
    if tag == "SL":
        word = form.lower()
        if word in EN_STOP or len(word) < 2:
            return None
        return _stem(word)
    if tag == "SN":
        return normalise_number(form)
    if form in KO_STOP:
        return None
    return form


# Suffixes that make a different word of the noun they close: 수도권 (the capital region) is not 수도 (water
# supply, as in 「수도법」), nor 역세권 a station, nor 소유권 ownership. Kiwi splits them off (수도/NNG 권/XSN).
_BOUND_SUFFIXES = frozenset({"권"})


def tokens_from_morphs(morphs, text: str = "") -> list[str]:
    out: list[str] = []
    prev = None
    for m in morphs:
        kept = _keep(m.form, m.tag)
        touching = prev is not None and prev.start + prev.len == m.start
        if (touching and m.tag == "XSN" and m.form in _BOUND_SUFFIXES and out and out[-1] == prev.form
                and prev.tag in ("NNG", "NNP")):
            out[-1] = prev.form + m.form
        elif touching and kept and prev.tag == "XPN" and m.tag in ("NNG", "NNP") and len(m.form) == 1:
            # A prefix before a one-syllable noun is one word Kiwi split by context: 재결 read as 재/XPN 결/NNG.
            out.append(prev.form + m.form)
        elif kept:
            out.append(kept)
        prev = m
    out.extend(s.lower() for s in _SPECIAL.findall(text))
    return out


def morphemes(text: str) -> list:
    """Kiwi's morphemes of one text (form and tag), as tokenize reads them."""
    if not text.strip():
        return []
    with _lock:
        return kiwi().tokenize(_for_kiwi(text))


def tokenize(text: str) -> list[str]:
    """Content tokens of one text, in order (duplicates kept: BM25 counts them)."""
    return tokens_from_morphs(morphemes(text), text) if text.strip() else []


# Answering reads the same passages' sentences again and again (the bridge pass and the answer itself, then the
# next question on the topic): Kiwi took 41% of `ask` before its results for sentences were remembered.
@lru_cache(maxsize=10_000)
def _sentence_tokens(text: str) -> tuple[str, ...]:
    return tuple(tokenize(text))


def tokenize_many(texts: list[str]) -> list[list[str]]:
    """`tokenize` over many texts, taking the lock once (results remembered per text)."""
    if not texts:
        return []
    with _lock:
        # Sentences are remembered, whole passages (an index build) are not: they would fill the cache for nothing.
        return [list(_sentence_tokens(t)) if len(t) <= 400 else tokenize(t) for t in texts]


@lru_cache(maxsize=10_000)
def _kiwi_sentences(line: str) -> tuple[tuple[int, int], ...]:
    with _lock:
        return tuple((s.start, s.end) for s in kiwi().split_into_sents(line))


_LINE_BREAK = re.compile(r"\n+")
_EN_SENT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9가-힣])")
# A full stop after these ends no sentence: "Act No. 19767", "Art. 63", "St. Louis", "Dr. Kim", "U.S. law".
_ABBREVIATION = re.compile(r"(?:\b(?:No|Nos|Art|Arts|St|Mt|Mr|Mrs|Ms|Dr|Prof|Inc|Corp|Co|Ltd|Jr|Sr|vs|cf|approx|"
                           r"para|paras|p|pp|incl|est|ca|Vol|Fig|Sec|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|"
                           r"\b(?:e\.g|i\.e|U\.S|U\.K))\.$")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _english_sentences(line: str) -> list[tuple[int, int]]:
    """Spans of a Latin line's sentences: cut after a full stop, question or exclamation mark before a capital or
    a digit, unless the stop closes an abbreviation."""
    parts, last = [], 0
    for m in _EN_SENT.finditer(line):
        if _ABBREVIATION.search(line[last:m.start()]):
            continue
        parts.append((last, m.start()))
        last = m.end()
    parts.append((last, len(line)))
    return parts


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of sentences; lines (bullets, table rows, headings) are split first, then sentences inside a line."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in _LINE_BREAK.split(text):
        start = text.find(line, pos)
        pos = start + len(line)
        if not line.strip():
            continue
        if line.lstrip().startswith("|"):
            # A table row is one statement, read with its column names: its cells are not cut into sentences.
            parts = [(0, len(line))]
        elif is_korean(line):
            parts = list(_kiwi_sentences(line))
        else:
            # Kiwi leaves an English paragraph that glosses a Korean term ("zones (도심융합특구) on 23 September
            # 2020, …") whole: a line that is mostly Latin is split by its full stops.
            parts = _english_sentences(line)
        for s, e in parts:
            seg = line[s:e]
            if seg.strip():
                lead = len(seg) - len(seg.lstrip())
                spans.append((start + s + lead, start + s + len(seg.rstrip())))
    return spans


def is_bilingual(text: str, least: float = 0.3) -> bool:
    """Both Hangul and Latin letters make up at least `least` of the letters (a glossary row, a bilingual table)."""
    hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    total = hangul + latin
    return total > 0 and min(hangul, latin) / total >= least


def is_korean(text: str) -> bool:
    hangul = len(HANGUL.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return hangul > 0 and hangul * 3 >= latin
