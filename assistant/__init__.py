"""policy-assistant: answers questions about Korean regional-development policy with cited passages.

`import assistant` stays cheap: torch, faiss, gradio and llama_index load only when a model or an
index is first used (tests/test_imports.py proves it).
"""

from assistant.errors import AssistantError
from assistant.settings import Settings
from assistant.types import Answer, Chunk, Citation, Document, Hit

__all__ = ["Assistant", "AssistantError", "Answer", "Chunk", "Citation", "Document", "Hit", "Settings"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # Assistant pulls in numpy and the retrieval stack; load it on first access only.
    if name == "Assistant":
        from assistant.bot import Assistant

        return Assistant
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
