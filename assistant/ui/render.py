"""Pure rendering for the app: every piece of document text is HTML-escaped before it reaches the page."""

from __future__ import annotations

import html
from urllib.parse import quote

from assistant.types import Answer, Citation


def source_url(c: Citation) -> str:
    url = f"/source/{quote(c.doc_id)}"
    return url + (f"?page={c.page}#page={c.page}" if c.page else "")


def highlight(passage: str, sentence: str) -> str:
    """The passage, escaped, with the answering sentence marked."""
    esc = html.escape(passage)
    if sentence:
        probe = html.escape(sentence)
        at = esc.find(probe)
        if at >= 0:
            return f"{esc[:at]}<mark>{probe}</mark>{esc[at + len(probe):]}"
    return esc


def sources_html(ans: Answer | None, t: dict) -> str:
    if ans is None or not ans.citations:
        return f"<p class='pa-empty'>{html.escape(t['no_sources'])}</p>"
    head = t["closest"] if ans.abstained else t["sources"]
    parts = [f"<h3>{html.escape(head)}</h3>"]
    for c in ans.citations:
        where = f"{t['page']} {c.page}" if c.page else c.section
        meta = " · ".join(x for x in (c.doc_type, c.date, where) if x)
        parts.append(
            "<div class='pa-source'>"
            f"<div class='pa-head'><b>[{c.n}] {html.escape(c.title)}</b> "
            f"<a href='{html.escape(source_url(c))}' target='_blank' rel='noopener' class='pa-open'>{html.escape(t['open'])}</a></div>"
            f"<div class='pa-meta'>{html.escape(meta)} — <code>{html.escape(c.doc_id)}</code></div>"
            f"<div class='pa-text'>{highlight(c.text, c.sentence)}</div>"
            "</div>"
        )
    return "\n".join(parts)


def answer_markdown(ans: Answer) -> str:
    """The answer for the chat bubble: escaped, so text from documents cannot become markup."""
    return html.escape(ans.text, quote=False)


def conversation_markdown(turns: list[tuple[str, Answer]]) -> str:
    out = ["# Conversation", ""]
    for q, a in turns:
        out += [f"**Q:** {q}", "", f"**A:** {a.text}", ""]
        for c in a.citations:
            where = f"p. {c.page}" if c.page else c.section
            out.append(f"- [{c.n}] {c.title} — `{c.doc_id}`{', ' + where if where else ''}: “{(c.sentence or c.text[:200]).strip()}”")
        out.append("")
    return "\n".join(out)


def document_page(title: str, doc_id: str, text: str) -> str:
    """A plain, escaped HTML view of a text document (Markdown and plain text sources)."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.6}"
        "pre{white-space:pre-wrap;font-family:inherit}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p><code>{html.escape(doc_id)}</code></p>"
        f"<pre>{html.escape(text)}</pre></body></html>"
    )
