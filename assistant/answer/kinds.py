"""Stage 1 of the answer pipeline, question analysis: the kinds of thing a question asks for, and whether a sentence
holds them. The kinds and their cues are data (assistant/data/question_kinds.yaml); this module reads them.
"""

from __future__ import annotations

import re
from typing import Sequence

from assistant.cues import cue, kinds

from .sentences import is_table_row

_SPACE = re.compile(r"\s")
# What a bare "얼마 / how much" may be asking for: any of the kinds a quantity can be.
QUANTITY_KINDS = ("amount", "area", "count", "percent", "duration", "size")
# A kind read against the question: a body or a law the question names itself does not answer it.
NAMED_IN_QUESTION = ("who", "law")


def question_kinds(question: str) -> list[str]:
    """The kinds a question asks for, in the data file's order. "quantity" (a bare 얼마) gives way to a named kind;
    "deadline" implies "date"."""
    found = [name for name, k in kinds().items() if k.asks.search(question)]
    if "deadline" in found and "date" not in found:
        found.append("date")  # "by when" asks for a date too
    return [t for t in found if t != "quantity"] if len(found) > 1 else found


def names_kind(asked: Sequence[str], remark: str) -> bool:
    """A "not given" remark names the kind of thing asked: "금액은 공개 자료에서 확인되지 않음" for "얼마", "the
    amounts are not published" for a cost question. It answers the question as far as the sources go."""
    wanted = {k for t in asked for k in (QUANTITY_KINDS if t == "quantity" else (t,))}
    return any(kinds()[k].asks.search(remark) for k in wanted)


def holds(kind: str, sentence: str, question: str = "") -> bool:
    """The sentence holds a thing of that kind (for who/law: one the question does not name itself)."""
    pattern = kinds()[kind].holds
    if kind not in NAMED_IN_QUESTION or not question:
        return bool(pattern.search(sentence))
    asked = _SPACE.sub("", question).lower()
    for m in pattern.finditer(sentence):
        start = m.start()
        while start > 0 and (sentence[start - 1].isalnum() or sentence[start - 1] == "·"):
            start -= 1
        if _SPACE.sub("", sentence[start:m.end()]).lower() not in asked:
            return True
    return False


def type_match(asked: Sequence[str], sentence: str, question: str = "") -> float:
    """+1 when the sentence holds what one of the kinds asks for, 0 when there is no kind, -1 otherwise. A date
    question is only half answered by a bare year, a deadline by a date not given as an end, a count by a bare
    figure."""
    if not asked:
        return 0.0
    if not any(holds(t, sentence, question) for t in asked):
        return -1.0
    if list(asked) == ["date"] and not cue("full_date").search(sentence):
        return 0.5
    if "deadline" in asked and not kinds()["deadline"].holds.search(sentence):
        return 0.5
    if list(asked) == ["count"] and not cue("counted").search(sentence):
        return 0.5
    return 1.0


_DEFINES_KO = re.compile(r"\s*(?:\([^)]*\)\s*)?(?:은|는|이란|란|(?:이)?라\s*함은)\s")
_DEFINES_EN = re.compile(r"\s*(?:\([^)]*\)\s*)?,?\s*(?:is|are|refers to|means)\b", re.I)


def definition_match(question: str, sentence: str, subjects: list[str]) -> float:
    """1 when the question asks what something is and the sentence opens by saying what one of its subjects is."""
    found = cue("definition").search(question.strip())
    if not found:
        return 0.0
    # The subject must be what is asked about, just before the cue (not "the reason X shrank").
    asked = question.strip()[max(0, found.start() - 24):found.end()].lower()
    head = sentence[:60]
    for name in (n for n in subjects if n.lower() in asked):
        i = head.lower().find(name.lower())
        if 0 <= i <= 20:
            rest = head[i + len(name):i + len(name) + 14]
            if _DEFINES_KO.match(rest) or _DEFINES_EN.match(rest):
                return 1.0
    return 0.0


# A form field's label names what it holds ("사업금액 : 1,062,888천원", "일 시 2024년5월7일").
FIELD_LABELS = {
    "date": ("일시", "일자", "날짜", "기간", "시행일", "출원일자", "등록일자", "공고일"),
    "amount": ("금액", "사업비", "예산", "추정가격", "사업금액", "계약금액"),
    "quantity": ("금액", "사업비", "예산", "추정가격", "사업금액", "면적", "인원", "규모"),
}
_LABEL_WORD = re.compile(r"[가-힣]{1,8}")
_LABEL_COLON = re.compile(r"([가-힣]{2,8})\s*[:：]")


def field_label(sentence: str) -> tuple[str, bool] | None:
    """(label, form-like): form-like when numbered, letter-spaced or "label : value", as on a printed form."""
    head = cue("field_head").match(sentence)
    numbered = bool(head.group(1))
    words = sentence[head.end():].split()
    for k in (1, 2, 3):
        if len(words) <= k:
            break
        label_words, rest = words[:k], words[k]
        if not all(_LABEL_WORD.fullmatch(w) for w in label_words):
            break
        spaced = k >= 2 and all(len(w) == 1 for w in label_words)
        if k >= 2 and not spaced:
            break
        if rest in (":", "：") or numbered or spaced or rest[0].isdigit():
            return "".join(label_words), numbered or spaced or rest in (":", "：")
    m = _LABEL_COLON.match(sentence[head.end():])
    return (m.group(1), False) if m else None


def field_match(question: str, sentence: str, asked: Sequence[str]) -> float:
    """1 when the sentence is a printed form's field whose label the question names or whose label holds the kind
    asked. In prose and tables a leading "X:" is a heading or a column name, which coverage already counts."""
    if is_table_row(sentence):
        return 0.0  # matched by its cells
    found = field_label(sentence)
    if not found or len(found[0]) < 2 or not found[1]:
        return 0.0
    label = found[0]
    if label in "".join(question.split()):
        return 1.0
    return 1.0 if any(label in FIELD_LABELS.get(t, ()) for t in asked) else 0.0
