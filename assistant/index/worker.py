"""Reading files in a worker process, each within a time and memory limit: a hostile or broken file (a PDF whose
parser loops, a zip that inflates without end) costs its own read, never the build. The worker is reused from
file to file and replaced only when one overruns or dies.

The worker is a fresh interpreter (`python -m assistant.index.reader_child`) talking over its stdin and stdout, not a
fork of the building process (which holds model and thread-pool state a fork would copy half-locked) and not a
multiprocessing child (which re-runs the caller's main script when that script has no __main__ guard)."""

from __future__ import annotations

import os
import pickle
import select
import struct
import subprocess
import sys
from typing import IO, Any

from assistant.ingest import IngestError, SourceFile
from assistant.settings import Settings
from assistant.types import Chunk, Document

_HEADER = struct.Struct("!Q")
_START_S = 120.0  # a new worker's start (an interpreter and its imports) is not counted against a file


def _send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _recv(stream: IO[bytes]) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - frames from our own child or parent only


def serve(inp: IO[bytes], out: IO[bytes]) -> None:
    """The child: take the settings, then read each file sent and answer ("ok", (chunks, document)) or ("skip",
    reason); stop when the parent goes away."""
    from assistant.index.plan import load_chunks

    try:
        settings: Settings = _recv(inp)
    except EOFError:
        return
    _limit_memory(settings.file_memory_mb)
    _send(out, ("ready", None))  # started and imported: from here on the time is the file's
    while True:
        try:
            src = _recv(inp)
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", load_chunks(src, settings))
        except IngestError as exc:
            memory = isinstance(exc.__cause__, MemoryError) and settings.file_memory_mb > 0
            reply = ("skip", exc.reason + (f" (the reader may use {settings.file_memory_mb} MB; setting "
                                           "file_memory_mb)" if memory else ""))
        except MemoryError:
            reply = ("skip", f"needs more than {settings.file_memory_mb} MB to read (setting file_memory_mb)")
        except Exception as exc:  # noqa: BLE001 - whatever a library raises, the parent gets a reason
            reply = ("skip", f"could not be read ({type(exc).__name__})")
        try:
            _send(out, reply)
        except (BrokenPipeError, OSError):
            return  # the parent stopped waiting (a time limit) or went away


def _limit_memory(mb: int) -> None:
    if mb <= 0:
        return
    import resource

    limit = mb * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


class FileReader:
    """load(src) → (chunks, document) or IngestError, read in the worker within `settings.file_timeout_s`.

    With `file_timeout_s` 0 the file is read in this process, with no limit (for a debugger)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> "FileReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load(self, src: SourceFile) -> tuple[list[Chunk], Document]:
        timeout = self._settings.file_timeout_s
        if timeout <= 0:
            from assistant.index.plan import load_chunks

            return load_chunks(src, self._settings)
        try:
            proc = self._worker()
            _send(proc.stdin, src)
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            if not ready:
                self.close()
                raise IngestError(src.doc_id, f"took longer than {timeout:g} s to read (setting file_timeout_s)")
            kind, payload = _recv(proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            self.close()  # the child died: out of memory, or killed by a crash in a library
            raise IngestError(src.doc_id, "its reader stopped (too large to read, or a crash in the file's "
                                          f"parser; setting file_memory_mb is {self._settings.file_memory_mb})")
        if kind == "ok":
            return payload
        raise IngestError(src.doc_id, payload)

    def _worker(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self.close()
            self._proc = subprocess.Popen([sys.executable, "-m", "assistant.index.reader_child"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                          env=os.environ.copy())
            _send(self._proc.stdin, self._settings)
            ready, _, _ = select.select([self._proc.stdout], [], [], _START_S)
            if not ready or _recv(self._proc.stdout)[0] != "ready":
                raise OSError("the reader process did not start")
        return self._proc

    def close(self) -> None:
        """Stop the worker (killed when it does not stop at once: it may be stuck in the file that overran)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
