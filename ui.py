"""Start the Gradio app: python ui.py [--host H] [--port N] [--auth USER:PASSWORD] (same as `policy-assistant ui`)."""

import sys

from assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(["ui", *sys.argv[1:]]))
