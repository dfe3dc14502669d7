"""Listening at once on a first start: while the first index build runs (minutes on two cores), a small server on
the same socket answers /healthz, says "not ready" with the build's progress on /readyz and /v1/…, and shows a page
that follows the progress. When the build is done the full server takes over the very socket: connections wait in
its queue for the moment of the handover, none is refused."""

from __future__ import annotations

import html
import socket
import threading
from dataclasses import dataclass, field

from assistant.errors import AssistantError

RETRY_SECONDS = 3


@dataclass
class BuildProgress:
    """What the first build has done, shared between the building thread and the server's."""

    done: int = 0
    total: int = 0
    what: str = "reading documents"
    failed: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, done: int, total: int, what: str) -> None:
        with self._lock:
            self.done, self.total, self.what = done, total, what

    def snapshot(self) -> dict:
        with self._lock:
            share = round(100 * self.done / self.total) if self.total else 0
            return {"done": self.done, "total": self.total, "percent": share, "stage": self.what}


def starting_app(progress: BuildProgress):
    """The ASGI app served while the first build runs."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    def headers() -> dict[str, str]:
        return {"Retry-After": str(RETRY_SECONDS), "Cache-Control": "no-store"}

    async def healthz(request):
        return JSONResponse({"status": "ok"})

    async def readyz(request):
        return JSONResponse({"ready": False, "building": progress.snapshot()}, status_code=503, headers=headers())

    async def anything(request):
        state = progress.snapshot()
        if request.url.path.startswith("/v1/"):
            body = {"error": {"code": "not_ready", "message": f"building the index: {state['percent']}%",
                              "building": state}}
            return JSONResponse(body, status_code=503, headers=headers())
        return HTMLResponse(_page(state), status_code=503, headers=headers())

    routes = [Route("/healthz", healthz), Route("/readyz", readyz),
              Route("/{path:path}", anything, methods=["GET", "POST", "PUT", "DELETE", "HEAD"])]
    return Starlette(routes=routes)


def _page(state: dict) -> str:
    stage = html.escape(state["stage"])
    return f"""<!doctype html><html lang="ko"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{RETRY_SECONDS}"><title>policy-assistant</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:4em auto}}progress{{width:100%}}</style></head><body>
<h1>policy-assistant</h1>
<p>처음 시작하여 문서 색인을 만들고 있습니다. 끝나면 이 페이지가 앱으로 바뀝니다.<br>
Building the document index for the first time; this page turns into the app when it is done.</p>
<progress max="100" value="{state['percent']}"></progress>
<p id="stage">{state['percent']}% — {stage} ({state['done']}/{state['total']})</p></body></html>"""


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound and listening before anything slow starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise AssistantError(f"cannot listen on {host}:{port} ({exc.strerror or type(exc).__name__})") from None
    sock.listen(2048)
    return sock


def serve_while(sock: socket.socket, progress: BuildProgress, work) -> None:
    """Run `work()` (the first build) while the starting app answers on a duplicate of `sock`; stop that server
    once the work is done or failed. The socket itself stays open and listening for the server that follows."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(starting_app(progress), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock.dup()]}, daemon=True)
    thread.start()
    try:
        work()
    except AssistantError as exc:
        progress.failed = str(exc)
        raise
    finally:
        server.should_exit = True
        thread.join(timeout=30)
