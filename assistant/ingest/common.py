"""Helpers shared by the loaders: metadata defaults and language detection."""

from __future__ import annotations

import re
from typing import Any

DOC_TYPES = (
    "press_release", "plan", "law_guide", "site_profile", "case_study", "programme_guide", "faq", "glossary",
    "comparison", "statute", "document",
)

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(text: str) -> str:
    """'ko' when Hangul makes up a fair share of the letters, else 'en'."""
    sample = text[:20000]
    ko = len(_HANGUL.findall(sample))
    en = len(_LATIN.findall(sample))
    # One Hangul syllable carries about as much as three Latin letters.
    return "ko" if ko * 3 >= en and ko > 0 else "en"


def normalise_meta(meta: dict[str, Any], text: str) -> dict[str, Any]:
    """Fill the metadata every stage relies on: doc_type, lang, date (ISO string or ''), sources and topics as lists."""
    out = dict(meta)
    out["doc_type"] = str(out.get("doc_type") or "document")
    out["lang"] = str(out.get("lang") or detect_lang(text))
    date = out.get("date")
    out["date"] = date.isoformat() if hasattr(date, "isoformat") else str(date or "")
    for key in ("sources", "topics"):
        value = out.get(key) or []
        out[key] = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if out.get("city") is not None:
        out["city"] = str(out["city"])
    return out


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def decode_text(data: bytes, doc_id: str) -> str:
    from assistant.errors import IngestError

    if looks_binary(data):
        raise IngestError(doc_id, "not a text file (binary content)")
    for enc in ("utf-8-sig",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    raise IngestError(doc_id, "not UTF-8 text")
