"""The curriculum's folders hold only what belongs there, every twin is lint-clean, and no
koan file keeps a helper another koan file also writes.

rustlings' `dev check` refuses an exercise folder with stray files; here a file in
solutions/ with no learner file beside it is a twin of nothing (a renamed exercise left
behind), a top-level entry of koans/ other than the milestones and the manifest is
nobody's, and a twin that ruff flags teaches the style we would not accept from a
learner's pull request. Formatting is the project's own (ruff's E and W rules at its
line length), not `ruff format`'s: the wrong cases are patches against the twins' lines.
A helper two koan files need lives in the toolbox (kernel_koans.procfs, .dpkg, ...): two
copies drift, and a koan file should hold its lessons, not plumbing (ruby_koans' rule).
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from kernel_koans import paths

MILESTONE = re.compile(r"m\d\d")
KOANS_TOP = frozenset({"manifest.toml", "conftest.py", "__init__.py"})
IGNORED = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})


def learner_of(twin: Path) -> Path:
    """The learner's file a twin stands for (the inverse of paths.twin_of)."""
    root = paths.repo_root()
    rel = twin.relative_to(root / "solutions")
    return root / rel if rel.parts[0] == "projects" else root / "koans" / rel


def strays() -> list[str]:
    """Files and folders nothing in the curriculum owns."""
    root = paths.repo_root()
    out = []
    for entry in sorted((root / "koans").iterdir()):
        if entry.name in IGNORED or entry.name in KOANS_TOP:
            continue
        if not (entry.is_dir() and MILESTONE.fullmatch(entry.name)):
            out.append(f"koans/{entry.name} is neither a milestone folder (mNN) nor the manifest")
    for twin in sorted((root / "solutions").rglob("*")):
        if not twin.is_file() or IGNORED & set(twin.parts):
            continue
        shown = twin.relative_to(root).as_posix()
        if twin.name.startswith("test_") and MILESTONE.fullmatch(twin.parent.name):
            out.append(f"{shown}: a koan file among the twins (koans live in koans/)")
        elif not learner_of(twin).exists():
            out.append(f"{shown} is the twin of {learner_of(twin).relative_to(root).as_posix()}, "
                       "which does not exist")
    return out


def lint() -> list[str]:
    """ruff's findings on the twins, one line each (the project's pyproject rules)."""
    root = paths.repo_root()
    try:
        done = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format=concise", "--quiet",
                               "solutions"], cwd=root, capture_output=True, text=True, check=False)
    except OSError as err:  # pragma: no cover - the interpreter itself is gone
        return [f"cannot run ruff on the twins: {err}"]
    if done.returncode not in (0, 1) or "No module named ruff" in done.stderr:
        return [f"cannot lint the twins: {done.stderr.strip()[-200:] or 'ruff failed'} "
                "(ruff comes with the dev extra: bin/setup --dev)"]
    return [f"not lint-clean: {line}" for line in done.stdout.splitlines() if line.strip()]


def shared_helpers() -> list[str]:
    """Helpers (a koan file's top-level functions other than its koans) that two koan files
    define: by name, or by the same body under two names."""
    root = paths.repo_root()
    by_name: dict[str, list[str]] = {}
    by_body: dict[str, list[str]] = {}
    for test in sorted((root / "koans").glob("m[0-9][0-9]/test_*.py")):
        shown = test.relative_to(root).as_posix()
        try:
            tree = ast.parse(test.read_text())
        except SyntaxError:
            continue  # devcheck.authoring names it
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("test_"):
                by_name.setdefault(node.name, []).append(shown)
                by_body.setdefault(_body(node), []).append(f"{shown}::{node.name}")
    out = [f"helper {name}() is defined in {len(files)} koan files ({', '.join(files)}): move it into "
           "kernel_koans, or name each for what it does" for name, files in by_name.items() if len(files) > 1]
    out += [f"the same helper is written twice ({', '.join(where)}): move it into kernel_koans"
            for where in by_body.values() if len({w.split('::')[0] for w in where}) > 1]
    return out


def _body(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The function's parameters and statements, docstring and name aside."""
    body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
    return ast.dump(fn.args) + "".join(ast.dump(statement) for statement in body)
