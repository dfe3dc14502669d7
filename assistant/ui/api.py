"""The HTTP API (/v1/…, /healthz, /readyz) on the app's FastAPI server, for scripts and other systems: the same
answers, searches, checks and briefings as the app and the CLI, as JSON, each call signed in and audited as the
app's are. Errors are JSON {"error": {"code", "message"}}, never a raw exception text. Thin: every decision is the
assistant's; this module only translates HTTP."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator, Literal

from fastapi import APIRouter, Depends, FastAPI, Form, Request, UploadFile
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from assistant.errors import AssistantError, InputError, NotCoveredError
from assistant.clean import clean_text

from .state import AppState

log = logging.getLogger("policy-assistant")
MAX_TEXT = 4000  # characters of a question, query or topic the API accepts (the assistant has its own limit too)


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20000)


class Filters(BaseModel):
    doc_type: list[str] | None = None
    lang: list[str] | None = None
    date_from: str | None = None
    date_to: str | None = None
    city: str | None = None

    def as_dict(self) -> dict[str, Any] | None:
        out = {k: v for k, v in self.model_dump().items() if v}
        return out or None


class AskBody(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_TEXT)
    history: list[Turn] = Field(default_factory=list, max_length=50)
    filters: Filters | None = None
    explain: bool = False
    stream: bool = False


class FeedbackBody(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_TEXT)
    answer: str = Field(min_length=1, max_length=20000)
    rating: Literal[1, -1]
    comment: str = Field(default="", max_length=4000)
    citations: list[dict[str, str | int | float | None]] = Field(default_factory=list, max_length=50)


class SearchBody(BaseModel):
    query: str = Field(min_length=1, max_length=MAX_TEXT)
    k: int = Field(default=10, ge=1, le=50)
    filters: Filters | None = None


class CheckBody(BaseModel):
    programme: str = Field(min_length=1, max_length=200)
    facts: dict[str, str | int | float | bool] = Field(default_factory=dict)
    lang: Literal["ko", "en"] = "ko"


class BriefBody(BaseModel):
    topic: str = Field(min_length=1, max_length=MAX_TEXT)
    lang: Literal["ko", "en"] = "ko"
    format: Literal["md", "docx", "hwpx"] = "md"


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def add_api(app: FastAPI, state: AppState, shared: tuple[str, str] | None = None) -> None:
    """The routes and the JSON error handlers, on `app`. `shared` is the one shared login (user, password) of a
    server without accounts, checked as HTTP Basic."""

    def user(request: Request):
        """The caller: the bearer token's user when there are accounts; with one shared login, the local user
        once the Basic credentials match; with neither (one person on their own machine), the local user."""
        header = request.headers.get("authorization", "")
        if state.has_accounts:
            found = state.users.user_for_token(header[7:].strip()) if header[:7].lower() == "bearer " else None
            if found is None:
                raise _Unauthorised()
            return found
        if shared is not None and not _basic_matches(header, shared):
            raise _Unauthorised()
        return state.user(None)

    router = APIRouter(prefix="/v1")

    _questions(router, state, user)
    _documents_and_feedback(router, state, user)
    app.include_router(router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        documents = len(state.bot.documents)
        body = {"ready": documents > 0, "documents": documents}
        return JSONResponse(body, status_code=200 if documents else 503)

    _handlers(app)


def _questions(router: APIRouter, state: AppState, user) -> None:
    """/v1/ask (JSON, or server-sent events), /v1/search, /v1/check and /v1/brief."""

    def asked(body: AskBody, who):
        """The assistant's events for one question (tokens and verified sentences when a model writes), then the
        answer's JSON, recorded in the audit log."""
        question = clean_text(body.question, " ").strip()
        history = [{"role": t.role, "content": clean_text(t.content, " ")} for t in body.history]
        for kind, value in state.bot_for(who).ask_events(question, history=history or None,
                                                         filters=body.filters.as_dict() if body.filters else None):
            if kind != "answer":
                yield kind, value.to_json() if kind == "sentence" else value
                continue
            state.record(who, "ask", question[:200], {"shown": sorted({c.doc_id for c in value.citations}), "via": "api"})
            out = value.to_json()
            keys = ("n", "doc_id", "title", "page", "section", "text", "score", "sentence")
            out["citations"] = [{k: c[k] for k in keys} for c in out["citations"]]
            if body.explain:
                out["trace"] = [s.to_json() for s in value.trace]
            yield "answer", out

    @router.post("/ask")
    def ask(body: AskBody, who=Depends(user)):
        if body.stream:
            return StreamingResponse(_events(lambda: asked(body, who)), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return next(value for kind, value in asked(body, who) if kind == "answer")

    @router.post("/search")
    def search(body: SearchBody, who=Depends(user)) -> dict[str, Any]:
        query = clean_text(body.query, " ").strip()
        hits = state.bot_for(who).search(query, k=body.k, filters=body.filters.as_dict() if body.filters else None)
        state.record(who, "search", query[:200], {"shown": sorted({h.doc_id for h in hits}), "via": "api"})
        keys = ("doc_id", "title", "page", "section", "text", "score")
        return {"query": query, "hits": [{k: getattr(h, k) for k in keys} for h in hits]}

    @router.post("/check")
    def check(body: CheckBody, who=Depends(user)) -> dict[str, Any]:
        result = state.bot_for(who).check(body.programme, dict(body.facts), lang=body.lang)
        state.record(who, "check", body.programme, {"via": "api"})
        return {**result.to_json(), "name": result.name, "questions": list(result.questions)}

    @router.post("/brief")
    def brief(body: BriefBody, who=Depends(user)):
        from assistant.briefing_hwpx import write_hwpx

        b = state.bot_for(who).brief(clean_text(body.topic, " ").strip(), lang=body.lang)
        state.record(who, "brief", body.topic[:200], {"shown": sorted({c.doc_id for c in b.citations}), "via": "api"})
        if body.format == "md":
            return PlainTextResponse(b.to_markdown(), media_type="text/markdown; charset=utf-8")
        out = Path(tempfile.mkdtemp()) / f"briefing.{body.format}"
        written = b.to_docx(out) if body.format == "docx" else write_hwpx(b, out)
        media = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "hwpx": "application/hwp+zip"}[body.format]
        return FileResponse(written, media_type=media, filename=written.name)


def _documents_and_feedback(router: APIRouter, state: AppState, user) -> None:
    """/v1/documents (list, add, remove) and /v1/feedback: the app's own rules (roles, limits, audit) behind them."""

    @router.get("/documents")
    def documents(who=Depends(user)) -> dict[str, Any]:
        keys = ("doc_id", "title", "doc_type", "lang", "date", "access", "chunks")
        rows = [dict(zip(keys, r)) for r in state.documents_rows(who)]
        uploaded = set(state.uploaded(who))
        return {"documents": [{**r, "uploaded": r["doc_id"] in uploaded} for r in rows]}

    @router.post("/documents")
    def add_documents(file: UploadFile, access: str = Form("internal"), who=Depends(user)) -> dict[str, Any]:
        limit = state.settings.max_upload_mb * 1024 * 1024
        received_in = Path(tempfile.mkdtemp(prefix="api-upload-"))
        try:
            # Kept under a name of our own, with the given name's type (what the reader goes by); the given name
            # is checked by the upload rules.
            suffix = Path(file.filename or "").suffix.lower()
            path = received_in / ("received" + (suffix if suffix[1:].isalnum() and len(suffix) <= 10 else ""))
            with open(path, "wb") as out:
                while chunk := file.file.read(1 << 20):
                    if out.tell() + len(chunk) > limit:
                        return error(413, "too_large", f"the file is over {state.settings.max_upload_mb} MB")
                    out.write(chunk)
            outcomes = state.add_uploads(who, [(path, file.filename or "")], received_in, access)
        finally:
            shutil.rmtree(received_in, ignore_errors=True)
        return {"files": [{"given": o.given, "name": o.name, "added": o.added, "reason": o.reason} for o in outcomes]}

    @router.delete("/documents/{doc_id:path}")
    def remove_document(doc_id: str, who=Depends(user)) -> dict[str, Any]:
        state.remove_upload(who, doc_id)
        return {"removed": doc_id}

    @router.post("/feedback")
    def feedback(body: FeedbackBody, who=Depends(user)) -> dict[str, Any]:
        row = state.feedback.add(body.rating, body.question, body.answer, [dict(c) for c in body.citations],
                                 body.comment, user=who.username)
        return {"id": row}


class _Unauthorised(Exception):
    pass


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _events(events) -> Iterator[str]:
    """Server-sent events for one answer: status; with a language model, each piece of text as it is written
    (token) and each sentence's verification as it completes (sentence); then the answer's lines, the citations,
    and done with the whole JSON (as without streaming). A failure is an error event, never a raw exception text."""
    yield _event("status", {"stage": "answering"})
    try:
        for kind, value in events():
            if kind != "answer":
                yield _event(kind, {"text": value} if kind == "token" else value)
                continue
            for line in value["answer"].split("\n"):
                if line.strip():
                    yield _event("line", {"text": line})
            yield _event("citations", value["citations"])
            yield _event("done", value)
    except AssistantError as exc:
        code, message = ("bad_request", str(exc)) if isinstance(exc, InputError) else ("failed", "the request could not be completed")
        yield _event("error", {"code": code, "message": message})
    except Exception:  # noqa: BLE001 - reported as an event; the server log has the traceback
        log.exception("API stream crashed")
        yield _event("error", {"code": "internal", "message": "internal error; see the server log"})


def _basic_matches(header: str, shared: tuple[str, str]) -> bool:
    import base64
    import binascii
    import secrets

    if header[:6].lower() != "basic ":
        return False
    try:
        name, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return secrets.compare_digest(name.encode(), shared[0].encode()) & secrets.compare_digest(
        password.encode(), shared[1].encode())


# What the framework's own refusals (a body that is not JSON, an unknown path or method) mean to an API caller.
_HTTP_CODES = {400: ("bad_request", "the request body could not be read: send JSON, or a multipart form for files"),
               404: ("not_found", "no such endpoint"), 405: ("method_not_allowed", "this endpoint takes another method"),
               413: ("too_large", "the request is too large")}


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException):
        if not request.url.path.startswith("/v1/"):  # the app's own pages keep the framework's answers
            return await http_exception_handler(request, exc)
        code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "the request was refused"))
        return error(exc.status_code, code, message)

    @app.exception_handler(_Unauthorised)
    async def unauthorised(request: Request, exc: _Unauthorised):
        return error(401, "unauthorised", "sign in: a bearer token (policy-assistant users token NAME), or the "
                                          "shared login as HTTP Basic")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in exc.errors()})
        return error(422, "invalid_request", f"check these fields: {', '.join(fields)}")

    @app.exception_handler(NotCoveredError)
    async def not_covered(request: Request, exc: NotCoveredError):
        return error(404, "not_covered", "the documents do not cover this topic", closest=list(exc.closest))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError):
        return error(400, "bad_request", str(exc))

    @app.exception_handler(AssistantError)
    async def failed(request: Request, exc: AssistantError):
        log.warning("API request failed: %s", exc)
        return error(500, "failed", "the request could not be completed; see the server log")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):  # never a raw exception text to the caller
        log.exception("API request crashed")
        return error(500, "internal", "internal error; see the server log")
