"""The twin rule at work: compare the learner's module with its reference, restore a stub."""
from __future__ import annotations

import difflib
import shutil
import subprocess
import time
from pathlib import Path

from kernel_koans import paths, progress


def diff(rel: str, color: bool = False) -> str:
    """A unified diff from the learner's file to its twin ('' when they match)."""
    mine, twin = paths.learner_path(rel), paths.twin_path(rel)
    root = paths.repo_root()
    a = mine.read_text().splitlines(keepends=True) if mine.exists() else []
    b = twin.read_text().splitlines(keepends=True) if twin.exists() else []
    lines = list(difflib.unified_diff(a, b, fromfile=f"{mine.relative_to(root)} (yours)",
                                      tofile=f"{twin.relative_to(root)} (reference)"))
    if color:
        lines = [_paint(line) for line in lines]
    return "".join(lines)


def _paint(line: str) -> str:
    if line.startswith("+") and not line.startswith("+++"):
        return f"\033[32m{line}\033[0m"
    if line.startswith("-") and not line.startswith("---"):
        return f"\033[31m{line}\033[0m"
    if line.startswith("@@"):
        return f"\033[36m{line}\033[0m"
    return line


def pristine_ref(root: Path) -> str:
    """The git ref holding untouched stubs: the upstream branch a clone came from,
    else HEAD (a learner who commits their work should keep origin around)."""
    for ref in ("origin/HEAD", "origin/main", "HEAD"):
        ok = subprocess.run(["git", "rev-parse", "--verify", "-q", ref], cwd=root,
                            capture_output=True).returncode == 0
        if ok:
            return ref
    raise RuntimeError("this checkout has no git history to restore stubs from")


def reset(rel: str, ref: str | None = None) -> tuple[Path, Path | None]:
    """Restore the stub from git; the learner's version is kept in progress.backup_dir().

    Returns (restored file, backup or None)."""
    root = paths.repo_root()
    target = paths.learner_path(rel)
    ref = ref or pristine_ref(root)
    rel_path = target.relative_to(root).as_posix()
    shown = subprocess.run(["git", "show", f"{ref}:{rel_path}"], cwd=root, capture_output=True)
    if shown.returncode != 0:
        raise RuntimeError(f"git has no {rel_path} at {ref}: {shown.stderr.decode().strip()}")
    backup = None
    if target.exists():
        backup = progress.backup_dir() / f"{rel_path}.{time.strftime('%Y%m%d-%H%M%S')}"
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, backup)
    target.write_bytes(shown.stdout)
    return target, backup
