"""Remarks that the sources do not give something ("공식 총사업비는 확인되지 않았다", "the amounts are not
published"): which clause of a sentence makes one, and what it says is missing. Such a remark answers a question
about that thing as far as the documents go: the answer is "the documents do not say", with the remark cited.
"""

from __future__ import annotations

import re

from assistant.cues import cue

from .sentences import is_table_row

_HANGUL = re.compile(r"[가-힣]")
_SPACE = re.compile(r"\s")


def says_not_stated(text: str) -> bool:
    return bool(cue("not_stated").search(text))


def not_stated_clauses(text: str, section: str = "") -> list[str]:
    """The clauses of a sentence that say the sources do not give something; the whole sentence in a section that
    lists what is missing (its items are mostly bare noun phrases, unless they name what was found or end in a
    verb: a remark of their own)."""
    if (cue("gap_section").search(section.split(" > ")[-1]) and not cue("gap_except").search(text)
            and not cue("ko_clause_end").search(text)):
        return [text]
    if not says_not_stated(text):
        return []
    if is_table_row(text):
        # A table row's remark is about the row's first cell.
        head, *cells = text.split(" · ")
        return [f"{head} · {c}" for cell in cells for c in _remark_clauses(cell)] + _remark_clauses(head)
    return _remark_clauses(text)


def _remark_clauses(text: str) -> list[str]:
    """A remark often rides on a sentence that states something else; only its own clause says what is missing. A
    bracketed aside is a clause of its own, and the text around it one clause that includes it (unless the aside is
    the remark)."""
    asides = cue("aside").findall(text)
    main = cue("aside").sub(lambda m: " " if says_not_stated(m.group(1)) else f" {m.group(1)} ", text)
    return [c for c in cue("clause").split(main) + asides if c and len(c) > 3 and says_not_stated(c)]


def split_remark(clause: str) -> tuple[str, str]:
    """(the remark, what follows it). A Korean remark ends its clause (the verb comes last), so words after it are
    the next thing said (a table row's next cell). English names what is missing after the remark: kept whole."""
    m = cue("not_stated").search(clause)
    if m is None or not _HANGUL.search(m.group()):
        return clause, ""
    end = _SPACE.search(clause, m.end())
    return (clause[:end.start()], clause[end.start():].strip()) if end else (clause, "")
