"""Pure rendering for the app: every piece of document text is HTML-escaped before it reaches the page."""

from __future__ import annotations

import html
from urllib.parse import quote

from assistant.types import Answer, Citation


def source_url(c: Citation) -> str:
    """The document at the passage: a PDF at its page, any other document (HWP, HWPX, Markdown, text) shown as
    extracted with the answering sentence marked and scrolled to (#at)."""
    url = f"/source/{quote(c.doc_id)}"
    if c.page:
        return url + f"?page={c.page}#page={c.page}"
    at = (c.sentence or c.text.split("\n", 1)[0]).strip()[:200]
    return url + (f"?at={quote(at)}#at" if at else "")


def highlight(passage: str, sentence: str) -> str:
    """The passage, escaped, with the answering sentence marked."""
    esc = html.escape(passage)
    if sentence:
        probe = html.escape(sentence)
        at = esc.find(probe)
        if at >= 0:
            return f"{esc[:at]}<mark>{probe}</mark>{esc[at + len(probe):]}"
    return esc


def _row(line: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A table row as the ingesters write it ("header: cell · header: cell"): (headers, cells), or None."""
    parts = line.strip().split(" · ")
    pairs = [p.split(": ", 1) for p in parts]
    if len(parts) < 2 or sum(len(p) == 2 for p in pairs) < 2:
        return None
    return tuple(p[0] if len(p) == 2 else "" for p in pairs), tuple(p[-1] for p in pairs)


def _blocks(text: str) -> list[tuple[str, list]]:
    """The text as ("text", [lines]) and ("table", [(headers, cells) …]) blocks: two or more rows in a row under the
    same headers make a table."""
    out: list[tuple[str, list]] = []
    for line in text.split("\n"):
        row = _row(line)
        last = out[-1] if out else None
        if row and last and last[0] == "table" and last[1][0][0] == row[0]:
            last[1].append(row)
        elif row:
            out.append(("table", [row]))
        elif last and last[0] == "text":
            last[1].append(line)
        else:
            out.append(("text", [line]))
    return [("text", [_line(*b[1][0])]) if b[0] == "table" and len(b[1]) < 2 else b for b in out]  # a lone row is text


def _line(headers: tuple[str, ...], cells: tuple[str, ...]) -> str:
    return " · ".join(f"{h}: {c}" if h else c for h, c in zip(headers, cells))


def passage_html(passage: str, sentence: str = "") -> str:
    """The passage, escaped, its table rows shown as a table (headers once, a cell per column) and the answering
    sentence or row marked."""
    out = []
    for kind, items in _blocks(passage):
        if kind == "text":
            out.append(highlight("\n".join(items), sentence))
            continue
        head = "".join(f"<th>{html.escape(h)}</th>" for h in items[0][0])
        body = []
        for headers, cells in items:
            line = _line(headers, cells)
            mark = " class='pa-mark'" if sentence and (sentence.strip() in line or line in sentence) else ""
            body.append(f"<tr{mark}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        out.append(f"<table class='pa-table'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    return "\n".join(out)


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
            f"<div class='pa-text'>{passage_html(c.text, c.sentence)}</div>"
            "</div>"
        )
    parts.append(generation_html(ans, t))
    parts.append(details_html(ans, t))
    return "\n".join(parts)


def generation_html(ans: Answer, t: dict) -> str:
    """With a language model: whether its answer is shown, each sentence removed and why, and any instruction
    found in a document (all escaped: they are a model's or a document's words)."""
    g = ans.generation
    if g is None:
        return ""
    checks = t["checks"]
    head = t["generated"] if g.used else f"{t['not_generated']} ({checks.get(g.fallback, g.fallback)})"
    rows = [f"<div class='pa-generation'><p><b>{html.escape(head)}</b> <code>{html.escape(g.model)}</code></p>"]
    if g.removed:
        rows.append(f"<p>{html.escape(t['removed'])}:</p><ul>")
        rows += [f"<li><s>{html.escape(s.text)}</s> — {html.escape(checks.get(s.reason, s.reason))}"
                 + (f" <small>({html.escape(s.detail)})</small>" if s.detail else "") + "</li>" for s in g.removed]
        rows.append("</ul>")
    if g.ignored:
        rows.append(f"<p>{html.escape(t['ignored'])}:</p><ul>"
                    + "".join(f"<li>{html.escape(i)}</li>" for i in g.ignored) + "</ul>")
    rows.append("</div>")
    return "\n".join(rows)


def draft_markdown(written: str, sentences: list, t: dict) -> str:
    """A model's answer as it is written: each finished sentence with its mark (kept ✓, removed struck through),
    then the text still being written, marked as being checked. Escaped like every answer."""
    from assistant.generate.verify import split_cited

    partial = " ".join(p for p, _ in split_cited(written)[len(sentences):])
    done = [f"{html.escape(s.text, quote=False)} ✓" if s.verified else f"~~{html.escape(s.text, quote=False)}~~ ✗"
            for s in sentences]
    tail = f"_{html.escape(partial.strip(), quote=False)}_ ({t['checking']}…)" if partial.strip() else ""
    return " ".join(done + ([tail] if tail else []))


def details_html(ans: Answer, t: dict) -> str:
    """Why the engine answered or declined: the reason, and for the chosen sentence and the runner-up their signals
    and each one's contribution to the score (escaped like every document text)."""
    reason = t["reasons"].get(ans.reason, ans.reason)
    rows = [f"<details class='pa-details'><summary>{html.escape(t['details'])}</summary>",
            f"<p><code>{html.escape(ans.reason)}</code> — {html.escape(reason)}</p>"]
    for s in ans.trace:
        signals = ", ".join(f"{k} {v:.3f}" for k, v in s.signals)
        parts = ", ".join(f"{k} {v:+.3f}" for k, v in s.contributions)
        rows.append(f"<p><b>{html.escape(t.get(s.role, s.role))}</b> ({html.escape(t['score'])} {s.score:.3f}): "
                    f"{html.escape(s.text)}<br><small>{html.escape(signals)}<br>{html.escape(parts)}</small></p>")
    rows.append("</details>")
    return "\n".join(rows)


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


def document_page(title: str, doc_id: str, text: str, at: str = "") -> str:
    """A plain, escaped HTML view of a document's text (as extracted, for HWP), its tables as tables, and the
    passage `at` (a sentence or table row of it) marked with the anchor #at."""
    body = passage_html(text, at)
    for tag in ("<mark>", "<tr class='pa-mark'>"):
        if tag in body:
            body = body.replace(tag, tag[:-1] + " id='at'>", 1)
            break
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.6}"
        ".doc{white-space:pre-wrap}table{border-collapse:collapse;margin:.5rem 0;white-space:normal}"
        "mark,tr.pa-mark{background:#fff3a3}"
        "td,th{border:1px solid #ccc;padding:.2rem .5rem;vertical-align:top}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p><code>{html.escape(doc_id)}</code></p>"
        f"<div class='doc'>{body}</div></body></html>"
    )


def _text_of(content) -> str:
    """A chat message's text: Gradio sends a string, or a list of parts with a "text" each."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(_text_of(part) for part in content)
    return ""


def conversation(history, turns: list) -> tuple[list[dict[str, str]], list]:
    """The conversation a request carries, and the session's (question, Answer) turns that still belong to it.

    The chat box's messages are what the caller sent: they, not state kept on the server, are the history a
    follow-up is read against (a client that sends none asks afresh). A turn whose question matches the message
    at its place lends its answer's plain text; the rest is taken as sent."""
    messages = [m for m in (history or []) if isinstance(m, dict) and m.get("role") in ("user", "assistant")]
    past = []
    questions = [_text_of(m.get("content")) for m in messages if m["role"] == "user"]
    aligned = len(turns) == len(questions) and all(q == tq for q, (tq, _) in zip(questions, turns))
    asked = 0
    for m in messages:
        text = _text_of(m.get("content"))
        if m["role"] == "user":
            asked += 1
        elif aligned and asked:
            text = turns[asked - 1][1].text
        past.append({"role": m["role"], "content": text})
    return past, (list(turns) if aligned else [])


def fact_template(programme) -> str:
    return "\n".join(f"{f.key}=" for f in programme.facts)


def eligibility_markdown(result, lang: str) -> str:
    from assistant.bot import BENEFIT, STATUS, VERDICT

    rows = ["| 조건 / Condition | 결과 / Status | 근거 / Clause |", "|---|---|---|"]
    for c in result.conditions:
        where = c.citation.get("section") or (f"p. {c.citation['page']}" if c.citation.get("page") else "")
        clause = f"“{c.citation['text']}” — `{c.citation['doc_id']}` {where}"
        rows.append(f"| {html.escape(c.text)} | {STATUS[lang][c.status]} | {html.escape(clause)} |".replace("\n", " "))
    head = f"**{html.escape(result.name)}: {VERDICT[lang][result.verdict]}**"
    for b in result.benefits:  # what follows when the conditions hold, before the conditions
        where = b.citation.get("section") or (f"p. {b.citation['page']}" if b.citation.get("page") else "")
        head += "\n\n" + html.escape(f"{BENEFIT[lang]}: {b.text} (“{b.citation['text']}” — {b.citation['doc_id']} {where})")
    tail = ""
    if result.questions:
        tail = "\n\n" + ("확인이 필요한 사항: " if lang == "ko" else "Still needed: ") + html.escape(" / ".join(result.questions))
    return head + "\n\n" + "\n".join(rows) + tail
