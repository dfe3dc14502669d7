"""The Gradio app: chat with sources, documents, eligibility, briefing, feedback and evaluation tabs.

Thin over the library: every answer comes from the signed-in user's view of the assistant (AppState.bot_for);
uploads, removals and who-may-do-what are AppState's. Document text is escaped everywhere it is shown.
"""

from __future__ import annotations

import html
import json
import logging
import tempfile
import time
from pathlib import Path

# At module level: Gradio reads a handler's annotations (request: gr.Request) in this module's globals. This
# module is imported only to run the app.
import gradio as gr

from assistant.briefing_hwpx import write_hwpx
from assistant.clean import clean_text
from assistant.errors import AssistantError
from assistant.ingest import SUPPORTED_SUFFIXES
from assistant.types import ACCESS_LEVELS, DEFAULT_ACCESS

from .i18n import EXAMPLES, TEXT
from .render import (answer_markdown, draft_markdown, conversation, conversation_markdown, eligibility_markdown,
                     fact_template, sources_html)
from .state import AppState

log = logging.getLogger("policy-assistant")

CSS = """
.pa-source{border:1px solid #d0d7de;border-radius:6px;padding:.6rem;margin:.5rem 0}
.pa-meta{color:#57606a;font-size:.85rem;margin:.2rem 0}
.pa-text{white-space:pre-wrap;font-size:.92rem}
.pa-text mark{background:#fff3a3}
.pa-table{border-collapse:collapse;margin:.3rem 0;white-space:normal}
.pa-table td,.pa-table th{border:1px solid #ccc;padding:.15rem .4rem;vertical-align:top}
.pa-table tr.pa-mark{background:#fff3a3}
"""
DOC_TYPES = ["press_release", "plan", "law_guide", "site_profile", "case_study", "programme_guide", "faq", "glossary",
             "comparison"]


def _filters(doc_types, langs, date_from, date_to) -> dict | None:
    f = {"doc_type": doc_types or None, "lang": langs or None, "date_from": (date_from or "").strip() or None,
         "date_to": (date_to or "").strip() or None}
    return f if any(f.values()) else None


def build_blocks(state: AppState):
    t0 = TEXT["ko"]
    with gr.Blocks(title=t0["title"]) as demo:
        lang_state = gr.State("ko")
        turns_state = gr.State([])  # [(question, Answer)] of this session
        with gr.Row():
            title_md = gr.Markdown(f"## {t0['title']}\n{t0['subtitle']}")
            ui_lang = gr.Radio(["한국어", "English"], value="한국어", show_label=False, scale=0, elem_id="ui-lang")
        with gr.Tabs():
            with gr.Tab(t0["chat"], id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(height=430, elem_id="chat", sanitize_html=True, render_markdown=True)
                        question = gr.Textbox(label=t0["question"], placeholder=t0["placeholder"], elem_id="question", lines=1)
                        with gr.Row():
                            send = gr.Button(t0["send"], variant="primary", elem_id="send")
                            new = gr.Button(t0["new"], elem_id="new")
                            export = gr.DownloadButton(t0["export"], elem_id="export")
                        gr.Examples(EXAMPLES, inputs=question, label=t0["examples"])
                        with gr.Row():
                            good = gr.Button(t0["good"], size="sm", elem_id="good")
                            bad = gr.Button(t0["bad"], size="sm", elem_id="bad")
                            comment = gr.Textbox(label=t0["comment"], lines=1, scale=2)
                        fb_status = gr.Markdown("")
                    with gr.Column(scale=2):
                        sources = gr.HTML(sources_html(None, t0), elem_id="sources")
                        with gr.Accordion(t0["filters"], open=False):
                            f_types = gr.CheckboxGroup(DOC_TYPES, label=t0["doc_type"])
                            f_langs = gr.CheckboxGroup(["ko", "en"], label=t0["lang"])
                            f_from = gr.Textbox(label=t0["date_from"])
                            f_to = gr.Textbox(label=t0["date_to"])
            with gr.Tab(t0["documents"], id="documents"):
                docs_table = gr.Dataframe(headers=["doc_id", "title", "doc_type", "lang", "date", "access", "chunks"],
                                          label=t0["doc_table"], interactive=False, elem_id="docs")
                upload = gr.File(label=t0["upload"], file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                                 elem_id="upload")
                access = gr.Radio(list(ACCESS_LEVELS), value=DEFAULT_ACCESS, label=t0["access"], elem_id="access")
                add = gr.Button(t0["add"], variant="primary", elem_id="add")
                with gr.Row():
                    remove_pick = gr.Dropdown(choices=[], label=t0["remove"], elem_id="remove-pick")
                    remove = gr.Button(t0["remove_btn"], elem_id="remove")
                doc_status = gr.Markdown("", elem_id="doc-status")
            with gr.Tab("자격 확인 / Eligibility", id="eligibility"):
                from assistant.eligibility import programmes as _progs

                progs = _progs()
                el_prog = gr.Dropdown(choices=[(f"{p.name['ko']} ({p.id})", p.id) for p in progs.values()],
                                      value=next(iter(progs)), label="제도 / Programme", elem_id="el-prog")
                el_facts = gr.Textbox(label="사실 (한 줄에 key=value) / Facts (key=value per line)", lines=6, elem_id="el-facts",
                                      value=fact_template(next(iter(progs.values()))))
                el_run = gr.Button("확인 / Check", variant="primary", elem_id="el-run")
                el_out = gr.Markdown("", elem_id="el-out")
                el_json = gr.DownloadButton("JSON")
            with gr.Tab("브리핑 / Briefing", id="briefing"):
                br_topic = gr.Textbox(label="주제 / Topic", value="2024년 도심융합특구 지정", elem_id="br-topic")
                br_lang = gr.Radio(["ko", "en"], value="ko", label="언어 / Language")
                br_run = gr.Button("초안 작성 / Draft", variant="primary", elem_id="br-run")
                with gr.Row():
                    br_md_file = gr.DownloadButton("Markdown")
                    br_docx_file = gr.DownloadButton("DOCX")
                    br_hwpx_file = gr.DownloadButton("HWPX")
                br_out = gr.Markdown("", elem_id="br-out")
            with gr.Tab(t0["feedback"], id="feedback"):
                fb_table = gr.Dataframe(headers=["id", "created", "user", "rating", "comment", "question", "answer", "citations"],
                                        interactive=False)
                with gr.Row():
                    fb_refresh = gr.Button(t0["refresh"])
                    fb_csv = gr.DownloadButton(t0["export_csv"])
            with gr.Tab(t0["evaluation"], id="evaluation"):
                with gr.Row():
                    sample = gr.Number(value=30, precision=0, label=t0["sample"])
                    run_eval = gr.Button(t0["run_eval"], variant="primary")
                eval_md = gr.Markdown("")
                eval_img = gr.Image(type="filepath", interactive=False)

        # --- chat -------------------------------------------------------------------------------------------
        def respond(q, history, turns, lang, types, langs, dfrom, dto, request: gr.Request):
            t = TEXT[lang]
            user = state.user(request.username)
            history = list(history or [])
            q = clean_text(q or "", " ").strip()  # what cannot be encoded never reaches a store or a log
            if not q:
                yield history, turns, sources_html(None, t), t["empty_question"]
                return
            past, turns = conversation(history, turns)  # the history the caller sent is the history used
            history += [{"role": "user", "content": q}, {"role": "assistant", "content": ""}]
            ans, written, marked = None, "", []
            try:
                for kind, value in state.bot_for(user).ask_events(q, history=past,
                                                                  filters=_filters(types, langs, dfrom, dto)):
                    if kind == "answer":
                        ans = value
                        break
                    if kind == "token":
                        written += value
                    else:
                        marked.append(value)  # a sentence's verdict
                    history[-1] = {"role": "assistant", "content": draft_markdown(written, marked, t)}
                    yield history, turns, sources_html(None, t), ""  # a model writing: its text as it comes
                state.record(user, "ask", q[:200], {"shown": sorted({c.doc_id for c in ans.citations})})
            except Exception as exc:  # never a raw exception text in the chat
                message = str(exc) if isinstance(exc, AssistantError) else t["failed"]
                if not isinstance(exc, AssistantError):
                    log.exception("answering failed")
                history[-1] = {"role": "assistant", "content": message}
                yield history, turns, sources_html(None, t), ""
                return
            text = answer_markdown(ans)
            words = text.split(" ")
            # Stream the answer a few words at a time; the sources panel appears with the first words.
            for i in range(0, len(words), 4) if not written else ():
                history[-1] = {"role": "assistant", "content": " ".join(words[: i + 4])}
                yield history, turns, sources_html(ans, t), ""
                time.sleep(0.02)
            history[-1] = {"role": "assistant", "content": text}
            yield history, turns + [(q, ans)], sources_html(ans, t), ""

        inputs = [question, chatbot, turns_state, lang_state, f_types, f_langs, f_from, f_to]
        outputs = [chatbot, turns_state, sources, fb_status]
        send.click(respond, inputs, outputs).then(lambda: "", None, question)
        question.submit(respond, inputs, outputs).then(lambda: "", None, question)
        new.click(lambda lang: ([], [], sources_html(None, TEXT[lang]), ""), lang_state, [chatbot, turns_state, sources, fb_status])

        def do_export(turns):
            path = Path(tempfile.mkdtemp()) / "conversation.md"
            path.write_text(conversation_markdown(turns), encoding="utf-8")
            return str(path)

        export.click(do_export, turns_state, export)

        def rate(value, turns, text, lang, request: gr.Request):
            t = TEXT[lang]
            if not turns:
                return t["no_answer_yet"], text
            q, ans = turns[-1]
            state.feedback.add(value, q, ans.text, [c.to_json() for c in ans.citations], text or "",
                               user=state.user(request.username).username)
            return t["thanks"], ""

        def rate_good(turns, text, lang, request: gr.Request):
            return rate(1, turns, text, lang, request)

        def rate_bad(turns, text, lang, request: gr.Request):
            return rate(-1, turns, text, lang, request)

        good.click(rate_good, [turns_state, comment, lang_state], [fb_status, comment])
        bad.click(rate_bad, [turns_state, comment, lang_state], [fb_status, comment])

        # --- documents ----------------------------------------------------------------------------------------
        def doc_views(user):
            return state.documents_rows(user), gr.update(choices=state.uploaded(user), value=None)

        def add_files(files, level, request: gr.Request, progress=gr.Progress()):
            from gradio.utils import get_upload_folder

            if not files:
                return gr.update(), gr.update(), "—"
            user = state.user(request.username)
            paths = [Path(f if isinstance(f, str) else f.name) for f in files]
            try:
                outcomes = state.add_uploads(user, [(p, p.name) for p in paths], Path(get_upload_folder()), level,
                                             progress)
            except AssistantError as exc:
                return gr.update(), gr.update(), f"✗ {html.escape(str(exc))}"
            lines = [f"✓ {o.name}" if o.added else f"✗ {o.given}: {o.reason}" for o in outcomes]
            return *doc_views(user), "\n".join(f"- {html.escape(m)}" for m in lines)

        add.click(add_files, [upload, access], [docs_table, remove_pick, doc_status])

        def remove_doc(doc_id, request: gr.Request, progress=gr.Progress()):
            user = state.user(request.username)
            if not doc_id:
                return gr.update(), gr.update(), "—"
            try:
                lines = state.remove_upload(user, doc_id, progress)
            except AssistantError as exc:
                return gr.update(), gr.update(), f"✗ {html.escape(str(exc))}"
            return *doc_views(user), "\n".join(f"- {html.escape(m)}" for m in lines)

        remove.click(remove_doc, remove_pick, [docs_table, remove_pick, doc_status])
        def on_load(request: gr.Request):
            return doc_views(state.user(request.username))

        demo.load(on_load, None, [docs_table, remove_pick])

        def search(query: str, k: int, request: gr.Request) -> list[dict]:
            """The best passages for query that the signed-in user may see (API only: api_name "search")."""
            user = state.user(request.username)
            try:
                hits = state.bot_for(user).search(clean_text(query or "", " "), k=max(1, min(int(k or 10), 50)))
            except AssistantError:
                return []
            state.record(user, "search", clean_text(query or "")[:200], {"shown": sorted({h.doc_id for h in hits})})
            return [{"doc_id": h.doc_id, "title": h.title, "page": h.page, "section": h.section, "text": h.text,
                     "score": round(h.score, 4)} for h in hits]

        gr.api(search, api_name="search")

        # --- eligibility and briefing ---------------------------------------------------------------------------
        from assistant.eligibility import programmes as _programmes

        el_prog.change(lambda pid: fact_template(_programmes()[pid]), el_prog, el_facts)

        def run_check(pid, text, lang, request: gr.Request):
            user = state.user(request.username)
            facts = {}
            for line in (text or "").splitlines():
                key, sep, value = line.partition("=")
                if sep and key.strip() and value.strip():
                    facts[key.strip()] = value.strip()
            try:
                result = state.bot_for(user).check(pid, facts, lang=lang)
                state.record(user, "check", pid)
            except AssistantError as exc:
                return f"**{html.escape(str(exc))}**", None
            path = Path(tempfile.mkdtemp()) / f"{pid}.json"
            path.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
            return eligibility_markdown(result, lang), str(path)

        el_run.click(run_check, [el_prog, el_facts, lang_state], [el_out, el_json])

        def run_brief(topic, blang, request: gr.Request, progress=gr.Progress()):
            user = state.user(request.username)
            try:
                b = state.bot_for(user).brief(topic, lang=blang)
                state.record(user, "brief", topic[:200], {"shown": sorted({c.doc_id for c in b.citations})})
            except AssistantError as exc:
                return html.escape(str(exc)), None, None, None
            out = Path(tempfile.mkdtemp())
            md = out / "briefing.md"
            md.write_text(b.to_markdown(), encoding="utf-8")
            docx = b.to_docx(out / "briefing.docx")
            hwpx = write_hwpx(b, out / "briefing.hwpx")
            return html.escape(b.to_markdown(), quote=False), str(md), str(docx), str(hwpx)

        br_run.click(run_brief, [br_topic, br_lang], [br_out, br_md_file, br_docx_file, br_hwpx_file])

        # --- feedback -----------------------------------------------------------------------------------------
        def own_rows(user):  # a reader sees their own feedback; an admin everyone's
            return None if user.is_admin else user.username

        def fb_rows(request: gr.Request):
            return [list(r) for r in state.feedback.rows(own_rows(state.user(request.username)))]

        fb_refresh.click(fb_rows, None, fb_table)

        def fb_export(request: gr.Request):
            user = state.user(request.username)
            path = Path(tempfile.mkdtemp()) / "feedback.csv"
            path.write_text(state.feedback.to_csv(own_rows(user)), encoding="utf-8")
            state.record(user, "export", "feedback")
            return str(path)

        fb_csv.click(fb_export, None, fb_csv)

        # --- evaluation ---------------------------------------------------------------------------------------
        def evaluate(n, request: gr.Request, progress=gr.Progress(track_tqdm=True)):
            from assistant.evaluation import load_testset
            from assistant.evaluation.report import charts, table
            from assistant.evaluation.runner import evaluate as run_set
            from assistant.evaluation.systems import AssistantSystem

            testset = Path("eval/testset.jsonl")
            if not testset.is_file():
                return "eval/testset.jsonl not found", None
            qs = load_testset(testset)
            n = int(n or 0)
            if 0 < n < len(qs):
                step = len(qs) / n  # an even sample across categories, not just the first n
                qs = [qs[int(i * step)] for i in range(n)]
            metrics, _ = run_set(AssistantSystem("ours", state.bot_for(state.user(request.username))), qs, progress=True)
            out = Path(tempfile.mkdtemp())
            img = charts({"ours": metrics}, out)[0]
            return f"**n = {metrics['n']}**\n\n" + table({"ours": metrics}), str(img)

        run_eval.click(evaluate, sample, [eval_md, eval_img])

        # --- language toggle ----------------------------------------------------------------------------------
        def switch(choice):
            lang = "en" if choice == "English" else "ko"
            t = TEXT[lang]
            return (lang, f"## {t['title']}\n{t['subtitle']}", gr.update(label=t["question"], placeholder=t["placeholder"]),
                    gr.update(value=t["send"]), gr.update(value=t["new"]), gr.update(value=t["export"]),
                    gr.update(value=t["good"]), gr.update(value=t["bad"]), gr.update(label=t["comment"]),
                    gr.update(label=t["upload"]), gr.update(value=t["add"]), gr.update(label=t["doc_table"]),
                    gr.update(value=t["run_eval"]), gr.update(label=t["sample"]))

        ui_lang.change(switch, ui_lang, [lang_state, title_md, question, send, new, export, good, bad, comment, upload, add,
                                         docs_table, run_eval, sample])
    return demo
