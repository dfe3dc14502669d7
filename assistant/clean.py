"""Text from outside — questions, conversation turns, upload names — made safe to process at the boundary.

A lone surrogate ("\\ud800", which a JSON client can send) cannot be encoded and crashed the tokenizer; control and
bidirectional-override characters hide what a text says. Both are replaced here, once, before any stage sees it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

REPLACEMENT = "\ufffd"
# C0 controls but tab and newline, DEL, zero-width and bidirectional controls, the byte-order mark.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
MAX_TURNS = 20
MAX_TURN_CHARS = 4000


def clean_text(value: str | bytes, replacement: str = REPLACEMENT) -> str:
    """value as valid, NFC-normalised Unicode: invalid UTF-8 and lone surrogates become replacement (U+FFFD), a
    surrogate pair becomes its character, hidden control characters are dropped (CR LF becomes LF)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    value = _HIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if replacement != REPLACEMENT:
        value = value.replace(REPLACEMENT, replacement)
    return unicodedata.normalize("NFC", value)


def clean_history(history: Any) -> list[dict[str, str]]:
    """The conversation as the caller sent it, cleaned and bounded: only {role: user|assistant, content: text}
    turns, the last MAX_TURNS of them, each cut to MAX_TURN_CHARS. Anything else in the list is dropped."""
    if not isinstance(history, (list, tuple)):
        return []
    turns = []
    for turn in history:
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant"):
            continue
        content = turn.get("content")
        if isinstance(content, (str, bytes)):
            turns.append({"role": turn["role"], "content": clean_text(content, " ")[:MAX_TURN_CHARS]})
    return turns[-MAX_TURNS:]
