"""A chat model behind any OpenAI-compatible endpoint (vLLM, Ollama, a llama.cpp server …), through the `openai`
client with the model named explicitly. The client is made on first use; its failures become LlmError."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterator, Sequence

from assistant.errors import AssistantError


class LlmError(AssistantError):
    """The language model could not be reached or gave no answer (the extractive answer stands)."""


@dataclass(frozen=True)
class LlmConfig:
    url: str
    model: str = ""
    timeout_s: float = 120.0
    max_tokens: int = 400


class ChatModel:
    def __init__(self, config: LlmConfig):
        self.config = config
        self._client = None
        self._lock = threading.Lock()

    def _openai(self):
        with self._lock:
            if self._client is None:
                import openai

                # A local server needs no key; the client insists on one.
                self._client = openai.OpenAI(base_url=self.config.url, api_key="not-needed", max_retries=1,
                                             timeout=self.config.timeout_s)
            return self._client

    def _model(self, client) -> str:
        if self.config.model:
            return self.config.model
        try:  # one model served: ask its name rather than guess
            return client.models.list().data[0].id
        except Exception as exc:
            raise LlmError(f"no model named and the server lists none ({type(exc).__name__})") from None

    def stream(self, messages: Sequence[dict]) -> Iterator[str]:
        """The answer's text as the model writes it, piece by piece."""
        import openai

        client = self._openai()
        try:
            chunks = client.chat.completions.create(model=self._model(client), messages=list(messages),
                                                    temperature=0, max_tokens=self.config.max_tokens, stream=True)
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.OpenAIError as exc:
            raise LlmError(f"the language model at {self.config.url} failed: {type(exc).__name__}") from None
