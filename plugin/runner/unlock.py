"""Solutions unlocked by passing: the learner's exercise functions beside the twin's.

Which functions belong to a koan is read from the koan file itself: the module
level `x = exercise("m04/pid_ns")` handles and the `x.<name>` attributes the test
uses, plus the module-level helpers those functions call in the twin. The diff
is side by side and highlighted with pygments (installed with pytest).
Callers decide whether the koan has passed; this module never checks.
"""
from __future__ import annotations

import ast
import difflib
import html
from dataclasses import dataclass
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from kernel_koans import paths

CSS_SCOPE = ".kk-code"


@dataclass(frozen=True)
class Piece:
    """One function (or class) of an exercise, the learner's and the twin's text."""

    exercise: str
    name: str
    mine: str  # "" when the learner's module lacks it
    twin: str


def used_names(test_file: Path, test_name: str) -> dict[str, list[str]]:
    """exercise id -> attribute names the test function uses on its exercise handle."""
    try:
        tree = ast.parse(test_file.read_text())
    except (OSError, SyntaxError, ValueError):
        return {}
    handles: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            rel = _exercise_call(stmt.value)
            if rel:
                handles[stmt.targets[0].id] = rel
    base = test_name.split("[", 1)[0]
    fns = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == base]
    out: dict[str, list[str]] = {}
    if not fns:
        return out
    for node in ast.walk(fns[0]):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in handles:
            names = out.setdefault(handles[node.value.id], [])
            if node.attr not in names:
                names.append(node.attr)
    return out


def _exercise_call(value: ast.expr) -> str:
    if not isinstance(value, ast.Call) or not value.args:
        return ""
    func = value.func
    called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    arg = value.args[0]
    if called == "exercise" and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    return ""


def _top_level(source: str) -> dict[str, ast.stmt]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _segment(source: str, node: ast.stmt) -> str:
    lines = source.splitlines()
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "\n".join(lines[first - 1: node.end_lineno])


def _with_helpers(names: list[str], defs: dict[str, ast.stmt]) -> list[str]:
    """The names and, transitively, the module-level functions/classes they refer to."""
    out: list[str] = []
    todo = [n for n in names if n in defs]
    while todo:
        name = todo.pop(0)
        if name in out:
            continue
        out.append(name)
        for node in ast.walk(defs[name]):
            if isinstance(node, ast.Name) and node.id in defs and node.id not in out:
                todo.append(node.id)
    return out


def pieces(nodeid: str, exercises: list[str]) -> list[Piece]:
    """The functions of `exercises` the koan calls and the helpers they call; every
    function of the modules when the koan calls none through a handle (fixtures)."""
    base = paths.repo_root()
    file_part, _, name = nodeid.partition("::")
    used = used_names(base / file_part, name.split("::")[-1])
    out: list[Piece] = []
    if used:  # the koan calls these; a module it imports but does not call is not its solution
        exercises = [rel for rel in exercises if rel in used]
    for rel in exercises:
        mine_path, twin_path = paths.learner_path(rel), paths.twin_path(rel)
        mine = mine_path.read_text() if mine_path.exists() else ""
        twin = twin_path.read_text() if twin_path.exists() else ""
        twin_defs, mine_defs = _top_level(twin), _top_level(mine)
        names = _with_helpers(used.get(rel, []), twin_defs) or list(twin_defs)
        if not names:
            out.append(Piece(rel, "(module)", mine, twin))
            continue
        for fn in names:
            mine_text = _segment(mine, mine_defs[fn]) if fn in mine_defs else ""
            out.append(Piece(rel, fn, mine_text, _segment(twin, twin_defs[fn])))
    return out


def css() -> str:
    """pygments' token colours, scoped to the diff tables, plus the diff's own colours."""
    return (HtmlFormatter(style="friendly").get_style_defs(CSS_SCOPE)
            + "\n.kk-diff{border-collapse:collapse;font:12px monospace;width:100%;table-layout:fixed}"
            ".kk-diff td{vertical-align:top;padding:0 4px;white-space:pre-wrap;word-break:break-all;background:#fff}"
            ".kk-diff td.kk-ln{color:#999;text-align:right;user-select:none}"
            ".kk-diff tr.kk-del td.kk-mine,.kk-diff tr.kk-chg td.kk-mine{background:#ffecec}"
            ".kk-diff tr.kk-add td.kk-twin,.kk-diff tr.kk-chg td.kk-twin{background:#eaffea}"
            ".kk-diff th{text-align:left;font:600 12px sans-serif;padding:2px 4px}")


def _lit(text: str) -> list[str]:
    """Highlighted HTML, one entry per source line (pygments closes its spans per line)."""
    if not text:
        return []
    out = highlight(text, PythonLexer(stripnl=False), HtmlFormatter(nowrap=True)).split("\n")
    return out[: len(text.split("\n"))]


def side_by_side(piece: Piece) -> str:
    """A two-column table: the learner's lines left, the twin's right, changes tinted."""
    a, b = piece.mine.split("\n") if piece.mine else [], piece.twin.split("\n")
    la, lb = _lit(piece.mine), _lit(piece.twin)
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        cls = {"equal": "kk-eq", "replace": "kk-chg", "delete": "kk-del", "insert": "kk-add"}[tag]
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            left = (str(i + 1), la[i]) if i < i2 else ("", "")
            right = (str(j + 1), lb[j]) if j < j2 else ("", "")
            rows.append(f"<tr class='{cls}'><td class='kk-ln'>{left[0]}</td><td class='kk-mine'>{left[1]}</td>"
                        f"<td class='kk-ln'>{right[0]}</td><td class='kk-twin'>{right[1]}</td></tr>")
    mine_label = "yours" if piece.mine else "yours (not in your module)"
    return (f"<table class='kk-diff kk-code' data-exercise='{html.escape(piece.exercise)}' "
            f"data-function='{html.escape(piece.name)}'>"
            "<colgroup><col style='width:3em'><col><col style='width:3em'><col></colgroup>"
            f"<thead><tr><th colspan='2'>{html.escape(piece.name)} — {mine_label}</th>"
            f"<th colspan='2'>reference ({html.escape(piece.exercise)})</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")
