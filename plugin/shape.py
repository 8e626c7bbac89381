"""The curriculum's folders hold only what belongs there, and every twin is lint-clean.

rustlings' `dev check` refuses an exercise folder with stray files; here a file in
solutions/ with no learner file beside it is a twin of nothing (a renamed exercise left
behind), a top-level entry of koans/ other than the milestones and the manifest is
nobody's, and a twin that ruff flags teaches the style we would not accept from a
learner's pull request. Formatting is the project's own (ruff's E and W rules at its
line length), not `ruff format`'s: the wrong cases are patches against the twins' lines.
"""
from __future__ import annotations

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
