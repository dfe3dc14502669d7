"""A scripted stand-in for an OpenAI-compatible chat server, served over real HTTP by uvicorn: /v1/models and
/v1/chat/completions (whole or streamed as server-sent events). Its reply is whatever `script(messages)` returns,
so a test can play a model that invents a number, cites the wrong passage, omits citations, answers in the wrong
language or follows an instruction found in a document."""

from __future__ import annotations

import json
import re
from typing import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

MODEL = "scripted-standin"


def passages(messages: list[dict]) -> dict[int, str]:
    """The numbered passages of the prompt, as the model read them."""
    user = next(m["content"] for m in messages if m["role"] == "user")
    return {int(n): text.strip() for n, text in re.findall(r'<passage id="(\d+)"[^>]*>\n(.*?)\n</passage>', user, re.S)}


def app(script: Callable[[list[dict]], str], seen: list | None = None) -> FastAPI:
    api = FastAPI()

    @api.get("/v1/models")
    def models():
        return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "tests"}]}

    @api.post("/v1/chat/completions")
    async def complete(request: Request):
        body = await request.json()
        if seen is not None:
            seen.append(body)
        text = script(body["messages"])
        if not body.get("stream"):
            return JSONResponse({"id": "c", "object": "chat.completion", "created": 0, "model": body["model"],
                                 "choices": [{"index": 0, "finish_reason": "stop",
                                              "message": {"role": "assistant", "content": text}}]})

        def events():
            for i in range(0, len(text), 7):  # a few characters at a time, as a model streams tokens
                chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": text[i:i + 7]}, "finish_reason": None}]}
                yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
            done = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            yield f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return api
