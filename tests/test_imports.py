import subprocess
import sys


def test_import_assistant_is_light():
    code = (
        "import sys, assistant; from assistant import Settings, Answer, Hit, Citation;"
        "heavy = [m for m in ('torch', 'faiss', 'gradio', 'llama_index', 'sentence_transformers', 'numpy', 'kiwipiepy')"
        " if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
