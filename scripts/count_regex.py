"""Count the regular-expression literals written in code (not in data files): a pattern passed to a `re` function,
directly or through a module-level string constant. The answer engine keeps its cues in
assistant/data/question_kinds.yaml; this keeps an eye on how many stay in code.

    python scripts/count_regex.py [FILE ...]    (default: assistant/answer/*.py assistant/query.py assistant/cues.py)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RE_FUNCS = {"compile", "match", "search", "fullmatch", "sub", "subn", "findall", "finditer", "split"}


def _is_literal(node: ast.AST, constants: set[str]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.BinOp):  # "a" + NAME + "b": counted once, as one pattern
        return _is_literal(node.left, constants) or _is_literal(node.right, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        return any(_is_literal(a, constants) for a in node.args)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_is_literal(e, constants) for e in node.elts)
    return isinstance(node, ast.Name) and node.id in constants


def count(path: Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {t.id for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, (ast.Constant, ast.BinOp))
                 for t in n.targets if isinstance(t, ast.Name)}
    used: set[str] = set()
    n = 0
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RE_FUNCS
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args):
            arg = node.args[0]
            names = {x.id for x in ast.walk(arg) if isinstance(x, ast.Name) and x.id in constants}
            if isinstance(arg, ast.Name) and arg.id in constants:
                used |= names  # the constant is the pattern: counted where it is defined
            elif _is_literal(arg, constants):
                n += 1
                used |= names
    return n + len(used)


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted((ROOT / "assistant" / "answer").glob("*.py")) + [
        ROOT / "assistant" / "query.py", ROOT / "assistant" / "cues.py"]
    total = 0
    for f in files:
        if f.exists():
            c = count(f)
            total += c
            print(f"{c:4d}  {f.relative_to(ROOT) if f.is_relative_to(ROOT) else f}")
    print(f"{total:4d}  total")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
