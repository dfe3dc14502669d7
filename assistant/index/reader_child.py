"""The worker process that reads files for a build (see assistant/index/worker.py): `python -m
assistant.index.reader_child`, framed requests on stdin, framed replies on stdout."""

import os
import sys

from assistant.index.worker import serve

if __name__ == "__main__":
    # The frames go out on a copy of stdout; anything a library prints lands on stderr (discarded by the
    # parent), never in a frame.
    frames = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, frames)
