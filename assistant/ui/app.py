"""The Gradio app, mounted on a FastAPI server that also serves the source documents (/source/<doc_id>).

Thin over the library: every answer comes from Assistant.ask; uploads go through the same ingestion and
incremental index build as the CLI. Document text is escaped everywhere it is shown.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, IngestError
from assistant.settings import Settings

from .i18n import EXAMPLES, TEXT
from .render import answer_markdown, conversation_markdown, document_page, sources_html

CSS = """
.pa-source{border:1px solid #d0d7de;border-radius:6px;padding:.6rem;margin:.5rem 0}
.pa-meta{color:#57606a;font-size:.85rem;margin:.2rem 0}
.pa-text{white-space:pre-wrap;font-size:.92rem}
.pa-text mark{background:#fff3a3}
"""
DOC_TYPES = ["press_release", "plan", "law_guide", "site_profile", "case_study", "programme_guide", "faq", "glossary",
             "comparison"]


class AppState:
    """What the server shares between sessions: the assistant, the settings, the feedback store, a build lock."""

    def __init__(self, settings: Settings):
        from assistant.bot import Assistant
        from assistant.feedback import FeedbackStore

        self.settings = settings
        self.bot = Assistant.from_index(settings.index_dir, settings=settings)
        self.feedback = FeedbackStore(settings.feedback_db)
        self.build_lock = threading.Lock()

    def documents_rows(self) -> list[list[Any]]:
        rows = []
        for doc_id, f in sorted(self.bot.documents.items()):
            m = f.get("meta", {})
            rows.append([doc_id, f.get("title", ""), m.get("doc_type", ""), m.get("lang", ""), m.get("date", ""), f.get("chunks", 0)])
        return rows

    def uploaded(self) -> list[str]:
        up = Path(self.settings.upload_dir).resolve()
        return sorted(d for d, f in self.bot.documents.items() if Path(f["path"]).resolve().parent == up)

    def rebuild(self, progress=None) -> list[str]:
        from assistant.index import build_index

        def report(done: int, total: int, what: str) -> None:
            if progress is not None and total:
                progress(done / total, desc=what)

        with self.build_lock:
            rep = build_index(self.settings, embedders=self.bot.embedders, progress=report)
            self.bot.reload()
        return rep.lines()


def _fact_template(programme) -> str:
    return "\n".join(f"{f.key}=" for f in programme.facts)


def eligibility_markdown(result, lang: str) -> str:
    from assistant.bot import STATUS, VERDICT

    rows = ["| 조건 / Condition | 결과 / Status | 근거 / Clause |", "|---|---|---|"]
    for c in result.conditions:
        where = c.citation.get("section") or (f"p. {c.citation['page']}" if c.citation.get("page") else "")
        clause = f"“{c.citation['text']}” — `{c.citation['doc_id']}` {where}"
        rows.append(f"| {html.escape(c.text)} | {STATUS[lang][c.status]} | {html.escape(clause)} |".replace("\n", " "))
    head = f"**{html.escape(result.name)}: {VERDICT[lang][result.verdict]}**"
    tail = ""
    if result.questions:
        tail = "\n\n" + ("확인이 필요한 사항: " if lang == "ko" else "Still needed: ") + html.escape(" / ".join(result.questions))
    return head + "\n\n" + "\n".join(rows) + tail


def _filters(doc_types, langs, date_from, date_to) -> dict | None:
    f = {"doc_type": doc_types or None, "lang": langs or None, "date_from": (date_from or "").strip() or None,
         "date_to": (date_to or "").strip() or None}
    return f if any(f.values()) else None


def build_blocks(state: AppState):
    import gradio as gr

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
                docs_table = gr.Dataframe(value=state.documents_rows(), headers=["doc_id", "title", "doc_type", "lang", "date", "chunks"],
                                          label=t0["doc_table"], interactive=False, elem_id="docs")
                upload = gr.File(label=t0["upload"], file_count="multiple", file_types=[".pdf", ".md", ".markdown", ".txt"],
                                 elem_id="upload")
                add = gr.Button(t0["add"], variant="primary", elem_id="add")
                with gr.Row():
                    remove_pick = gr.Dropdown(choices=state.uploaded(), label=t0["remove"], elem_id="remove-pick")
                    remove = gr.Button(t0["remove_btn"], elem_id="remove")
                doc_status = gr.Markdown("", elem_id="doc-status")
            with gr.Tab("자격 확인 / Eligibility", id="eligibility"):
                from assistant.eligibility import programmes as _progs

                progs = _progs()
                el_prog = gr.Dropdown(choices=[(f"{p.name['ko']} ({p.id})", p.id) for p in progs.values()],
                                      value=next(iter(progs)), label="제도 / Programme", elem_id="el-prog")
                el_facts = gr.Textbox(label="사실 (한 줄에 key=value) / Facts (key=value per line)", lines=6, elem_id="el-facts",
                                      value=_fact_template(next(iter(progs.values()))))
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
                br_out = gr.Markdown("", elem_id="br-out")
            with gr.Tab(t0["feedback"], id="feedback"):
                fb_table = gr.Dataframe(headers=["id", "created", "rating", "comment", "question", "answer", "citations"],
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
        def respond(q, history, turns, lang, types, langs, dfrom, dto):
            t = TEXT[lang]
            history = list(history or [])
            q = (q or "").strip()
            if not q:
                yield history, turns, sources_html(None, t), t["empty_question"]
                return
            past = [{"role": "user", "content": pq} if i % 2 == 0 else {"role": "assistant", "content": pa.text}
                    for pq, pa in turns for i in (0, 1)]
            try:
                ans = state.bot.ask(q, history=past, filters=_filters(types, langs, dfrom, dto))
            except AssistantError as exc:
                history += [{"role": "user", "content": q}, {"role": "assistant", "content": str(exc)}]
                yield history, turns, sources_html(None, t), ""
                return
            history += [{"role": "user", "content": q}, {"role": "assistant", "content": ""}]
            text = answer_markdown(ans)
            words = text.split(" ")
            # Stream the answer a few words at a time; the sources panel appears with the first words.
            for i in range(0, len(words), 4):
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

        def rate(value, turns, text, lang):
            t = TEXT[lang]
            if not turns:
                return t["no_answer_yet"], text
            q, ans = turns[-1]
            state.feedback.add(value, q, ans.text, [c.to_json() for c in ans.citations], text or "")
            return t["thanks"], ""

        good.click(lambda *a: rate(1, *a), [turns_state, comment, lang_state], [fb_status, comment])
        bad.click(lambda *a: rate(-1, *a), [turns_state, comment, lang_state], [fb_status, comment])

        # --- documents ----------------------------------------------------------------------------------------
        def add_files(files, progress=gr.Progress()):
            from assistant.ingest import SourceFile, load_file

            if not files:
                return gr.update(), gr.update(), "—"
            up = Path(state.settings.upload_dir)
            up.mkdir(parents=True, exist_ok=True)
            messages, accepted = [], 0
            limit = state.settings.max_upload_mb * 1024 * 1024
            for f in files:
                src = Path(f if isinstance(f, str) else f.name)
                name = src.name
                if src.stat().st_size > limit:
                    messages.append(f"✗ {name}: larger than {state.settings.max_upload_mb} MB")
                    continue
                if name in state.bot.documents and name not in state.uploaded():
                    messages.append(f"✗ {name}: a corpus document has this name")
                    continue
                try:  # Load it first: a bad file changes nothing.
                    load_file(SourceFile(src, src.parent, name))
                except IngestError as exc:
                    messages.append(f"✗ {name}: {exc.reason}")
                    continue
                shutil.copyfile(src, up / name)
                accepted += 1
                messages.append(f"✓ {name}")
            if accepted:
                messages += state.rebuild(progress)
            return state.documents_rows(), gr.update(choices=state.uploaded()), "\n".join(f"- {m}" for m in messages)

        add.click(add_files, upload, [docs_table, remove_pick, doc_status])

        def remove_doc(doc_id, progress=gr.Progress()):
            if not doc_id or doc_id not in state.uploaded():
                return gr.update(), gr.update(), "—"
            (Path(state.settings.upload_dir) / doc_id).unlink(missing_ok=True)
            lines = state.rebuild(progress)
            return state.documents_rows(), gr.update(choices=state.uploaded(), value=None), "\n".join(f"- {m}" for m in lines)

        remove.click(remove_doc, remove_pick, [docs_table, remove_pick, doc_status])

        # --- eligibility and briefing ---------------------------------------------------------------------------
        from assistant.eligibility import programmes as _programmes

        el_prog.change(lambda pid: _fact_template(_programmes()[pid]), el_prog, el_facts)

        def run_check(pid, text, lang):
            facts = {}
            for line in (text or "").splitlines():
                key, sep, value = line.partition("=")
                if sep and key.strip() and value.strip():
                    facts[key.strip()] = value.strip()
            try:
                result = state.bot.check(pid, facts, lang=lang)
            except AssistantError as exc:
                return f"**{html.escape(str(exc))}**", None
            path = Path(tempfile.mkdtemp()) / f"{pid}.json"
            path.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
            return eligibility_markdown(result, lang), str(path)

        el_run.click(run_check, [el_prog, el_facts, lang_state], [el_out, el_json])

        def run_brief(topic, blang, progress=gr.Progress()):
            try:
                b = state.bot.brief(topic, lang=blang)
            except AssistantError as exc:
                return html.escape(str(exc)), None, None
            out = Path(tempfile.mkdtemp())
            md = out / "briefing.md"
            md.write_text(b.to_markdown(), encoding="utf-8")
            docx = b.to_docx(out / "briefing.docx")
            return html.escape(b.to_markdown(), quote=False), str(md), str(docx)

        br_run.click(run_brief, [br_topic, br_lang], [br_out, br_md_file, br_docx_file])

        # --- feedback -----------------------------------------------------------------------------------------
        fb_refresh.click(lambda: [list(r) for r in state.feedback.rows()], None, fb_table)

        def fb_export():
            path = Path(tempfile.mkdtemp()) / "feedback.csv"
            path.write_text(state.feedback.to_csv(), encoding="utf-8")
            return str(path)

        fb_csv.click(fb_export, None, fb_csv)

        # --- evaluation ---------------------------------------------------------------------------------------
        def evaluate(n, progress=gr.Progress(track_tqdm=True)):
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
            metrics, _ = run_set(AssistantSystem("ours", state.bot), qs, progress=True)
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


def make_app(settings: Settings, auth: tuple[str, str] | None = None):
    import gradio as gr
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import FileResponse, HTMLResponse

    state = AppState(settings)
    demo = build_blocks(state)
    demo.queue(default_concurrency_limit=4)  # several colleagues at once
    app = FastAPI()

    @app.get("/source/{doc_id:path}")
    def source(doc_id: str):
        entry = state.bot.documents.get(doc_id)  # only indexed documents: no path from the request reaches the disk
        if entry is None:
            raise HTTPException(status_code=404, detail="no such document")
        path = Path(entry["path"])
        if not path.is_file():
            raise HTTPException(status_code=404, detail="document file is gone")
        if path.suffix.lower() == ".pdf":
            return FileResponse(path, media_type="application/pdf", headers={"Content-Disposition": "inline"})
        return HTMLResponse(document_page(entry.get("title", doc_id), doc_id, path.read_text(encoding="utf-8", errors="replace")))

    app = gr.mount_gradio_app(app, demo, path="/", auth=auth, max_file_size=f"{settings.max_upload_mb}mb", css=CSS)
    return app, state


def main(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None, auth: str | None = None) -> None:
    import uvicorn

    settings = settings or Settings.from_env()
    creds = None
    if auth:
        user, _, password = auth.partition(":")
        if not user or not password:
            raise AssistantError("--auth takes USER:PASSWORD")
        creds = (user, password)
    app, _ = make_app(settings, creds)
    print(f"policy-assistant UI on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
