"""The web server: the Gradio app (assistant/ui/app.py) mounted on FastAPI, which also serves the source documents
(/source/<doc_id>) behind the same sign-in, and the checks made before it listens."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from fastapi import Request  # at module level: FastAPI reads the route's annotations in this module's globals

from assistant.errors import AssistantError
from assistant.settings import Settings

from .app import CSS, build_blocks
from .api import add_api
from .render import document_page
from .starting import BuildProgress, listening_socket, serve_while
from .state import AppState


def make_app(settings: Settings, auth: tuple[str, str] | None = None, with_app: bool = True):
    """The server: HTTP API, Gradio app and /source. Sign-in is by the user accounts when there are any, else by the
    one shared login auth (USER, PASSWORD) when given, else none (one person on their own machine). Without the app
    (with_app=False) it serves the API alone."""
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import FileResponse, HTMLResponse

    state = AppState(settings, shared_login=auth[0] if auth else None)
    login = state.authenticate if state.has_accounts else auth
    app = FastAPI(title="policy-assistant", summary="Cited answers, searches, eligibility checks and briefings")
    add_api(app, state, shared=None if state.has_accounts else auth)  # /v1/…, /healthz, /readyz: before Gradio
    if not with_app:
        @app.get("/")
        def root() -> dict[str, str]:
            return {"api": "/v1", "docs": "/docs"}

        return app, state
    demo = build_blocks(state)
    demo.queue(default_concurrency_limit=4)  # several colleagues at once

    @app.get("/source/{doc_id:path}")
    def source(doc_id: str, request: Request, at: str = ""):
        name = _signed_in(app, request)
        if login is not None and name is None:  # the same sign-in as the app's own pages
            raise HTTPException(status_code=401, detail="sign in first")
        # Only indexed documents the user may see: no path from the request reaches the disk.
        entry = state.source_entry(state.user(name), doc_id)
        if entry is None:
            raise HTTPException(status_code=404, detail="no such document")
        path = Path(entry["path"])
        if not path.is_file():
            raise HTTPException(status_code=404, detail="document file is gone")
        if path.suffix.lower() == ".pdf":
            return FileResponse(path, media_type="application/pdf", headers={"Content-Disposition": "inline"})
        if path.suffix.lower() in (".hwp", ".hwpx"):
            text = _extracted_text(path, doc_id)
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
        return HTMLResponse(document_page(entry.get("title", doc_id), doc_id, text, at[:400]))

    app = gr.mount_gradio_app(app, demo, path="/", auth=login, max_file_size=f"{settings.max_upload_mb}mb", css=CSS)
    # Gradio checks that a file an event receives was uploaded by a browser only once the app counts as launched,
    # which mounting never sets: without this, a client could name any server path as an "uploaded" file.
    demo.has_launched = True
    if state.has_accounts:
        app.add_middleware(BearerTokens, state=state, gradio_app=lambda: _gradio_app(app))
    return app, state


class BearerTokens:
    """`Authorization: Bearer <token>` (from `policy-assistant users token`) signs one request in as the token's
    user, for scripts that call the app's API: the token becomes a sign-in that lasts only that request. A wrong,
    expired or revoked token is refused with 401 before anything else runs."""

    def __init__(self, app, state: AppState, gradio_app):
        self.app, self.state, self.gradio_app = app, state, gradio_app

    async def __call__(self, scope, receive, send):
        header = dict(scope.get("headers") or []).get(b"authorization", b"") if scope["type"] == "http" else b""
        if not header[:7].lower() == b"bearer " or scope.get("path", "").startswith("/v1/"):
            return await self.app(scope, receive, send)  # the HTTP API reads the token itself (assistant/ui/api.py)
        user = self.state.users.user_for_token(header[7:].decode("latin-1").strip())
        if user is None:
            from fastapi.responses import JSONResponse

            body = {"error": {"code": "bad_token", "message": "the token is not valid (wrong, expired or revoked)"}}
            return await JSONResponse(body, status_code=401)(scope, receive, send)
        import secrets

        gradio_app, key = self.gradio_app(), "bearer-" + secrets.token_urlsafe(24)
        gradio_app.tokens[key] = user.username
        cookie = f"access-token-{gradio_app.cookie_id}={key}".encode()
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"cookie", b"authorization")] + [(b"cookie", cookie)]
        try:
            await self.app({**scope, "headers": headers}, receive, send)
        finally:
            gradio_app.tokens.pop(key, None)


def _extracted_text(path: Path, doc_id: str) -> str:
    """A word-processor file shown as the text the index read from it (tables as rows)."""
    from assistant.errors import IngestError
    from assistant.ingest import SourceFile, load_file

    try:
        return load_file(SourceFile(path, path.parent, doc_id)).text
    except IngestError as exc:
        return exc.reason


def _gradio_app(app):
    """The Gradio application mounted on app (it holds the sign-in sessions)."""
    from starlette.routing import Mount

    for route in app.routes:
        inner = getattr(route, "app", None) if isinstance(route, Mount) else None
        if inner is not None and hasattr(inner, "tokens"):
            return inner
    raise RuntimeError("no Gradio app is mounted")


def _signed_in(app, request) -> str | None:
    """The user the Gradio sign-in cookie on this request belongs to, or None."""
    gradio_app = _gradio_app(app)
    cookie = (request.cookies.get(f"access-token-{gradio_app.cookie_id}")
              or request.cookies.get(f"access-token-unsecure-{gradio_app.cookie_id}"))
    return gradio_app.tokens.get(cookie) if cookie else None


LOOPBACK = ("127.0.0.1", "localhost", "::1")


SERVE_AUTH = "POLICY_ASSISTANT_SERVE_AUTH"  # the shared login, handed to worker processes


def _credentials(auth: str | None) -> tuple[str, str] | None:
    if not auth:
        return None
    user, _, password = auth.partition(":")
    if not user or not password:
        raise AssistantError("--auth takes USER:PASSWORD")
    return user, password


def _check_exposure(host: str, settings: Settings, creds, insecure: bool) -> None:
    from assistant.accounts import UserStore
    from assistant.shared_db import shared_database

    signed = creds is not None or bool(UserStore(shared_database(settings, settings.users_db)).list())
    if host not in LOOPBACK and not signed and not insecure:
        raise AssistantError(f"refusing to listen on {host} without sign-in: add users (policy-assistant users add …) "
                             "or --auth USER:PASSWORD, or pass --insecure to serve everyone on the network as admin")


def main(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None, auth: str | None = None,
         insecure: bool = False, workers: int = 1) -> None:
    """Serve the API and the app in this process; with workers > 1, the API alone in that many processes (each
    reloads a build another published: see Assistant.refresh). Gradio's event queue keeps a session's state in the
    process that opened it, so the app itself is served by a one-worker server. The socket listens before the
    first index build, which the starting server reports (assistant/ui/starting.py)."""
    import os

    import uvicorn

    from assistant.index import recorded_sources

    settings = recorded_sources(settings or Settings.from_env())
    creds = _credentials(auth)
    _check_exposure(host, settings, creds, insecure)
    sock = listening_socket(host, port)
    _first_build(sock, settings, f"http://{host}:{port}")
    if workers <= 1:
        app, _ = make_app(settings, creds)
        print(f"policy-assistant on http://{host}:{port} (app at /, API at /v1, docs at /docs)")
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
        return
    os.environ.update(settings.to_env())
    if auth:
        os.environ[SERVE_AUTH] = auth
    print(f"policy-assistant API on http://{host}:{port}/v1 in {workers} worker processes (docs at /docs)")
    uvicorn.run("assistant.ui.server:api_from_env", factory=True, fd=sock.fileno(), workers=workers,
                log_level="warning")


def _first_build(sock, settings: Settings, url: str) -> None:
    """Build the index when there is none yet, answering on the socket meanwhile (a refresh of an existing index
    happens as the server opens it, in seconds)."""
    from assistant.index import ensure_index, open_store

    if open_store(settings).read_manifest() is not None or not any(Path(p).exists() for p in settings.corpus_dirs):
        return
    print(f"policy-assistant: listening on {url}; building the index first (progress on the page and at /readyz)")
    progress = BuildProgress()
    serve_while(sock, progress, lambda: ensure_index(settings, progress=progress.update))


def api_from_env():
    """One worker's server for `serve --workers W`: the settings and login its parent put in the environment."""
    import os

    app, _ = make_app(Settings.from_env(), _credentials(os.environ.get(SERVE_AUTH)), with_app=False)
    return app
