"""The HTTP API (/v1/…, /healthz, /readyz) on the app's FastAPI server, for scripts and other systems: the same
answers, searches, checks and briefings as the app and the CLI, as JSON, each call signed in and audited as the
app's are. Errors are JSON {"error": {"code", "message"}}, never a raw exception text. Thin: every decision is the
assistant's; this module only translates HTTP."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

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

    @router.post("/ask")
    def ask(body: AskBody, who=Depends(user)) -> dict[str, Any]:
        question = clean_text(body.question, " ").strip()
        history = [{"role": t.role, "content": clean_text(t.content, " ")} for t in body.history]
        ans = state.bot_for(who).ask(question, history=history or None,
                                     filters=body.filters.as_dict() if body.filters else None)
        state.record(who, "ask", question[:200], {"shown": sorted({c.doc_id for c in ans.citations}), "via": "api"})
        out = ans.to_json()
        keys = ("n", "doc_id", "title", "page", "section", "text", "score", "sentence")
        out["citations"] = [{k: c[k] for k in keys} for c in out["citations"]]
        if body.explain:
            out["trace"] = [s.to_json() for s in ans.trace]
        return out

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


class _Unauthorised(Exception):
    pass


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


def _handlers(app: FastAPI) -> None:
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
