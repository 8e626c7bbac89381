"""Where things live: the repo, the learner's files, their twins, the run's state.

One place for the twin rule: a learner file `koans/m04/pid_ns.py` has its
reference twin at `solutions/m04/pid_ns.py`; a project file `projects/sim/x.py`
has its twin at `solutions/projects/sim/x.py`.
"""
from __future__ import annotations

import os
from pathlib import Path

PREFIX = "kk-"
"""Every kernel object a koan creates carries this prefix (netns, links, cgroups, ...)."""

DOCKER_LABEL = "kernel-koans"
"""Every docker object the koans create carries this label."""


def repo_root() -> Path:
    """The checkout: the folder holding `koans/`, `solutions/` and `plugin/`."""
    env = os.environ.get("KERNEL_KOANS_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parent.parent


def state_dir(root: Path | None = None) -> Path:
    """`.koans/`: report, progress and catalog. Outside `.pytest_cache` so that
    `--cache-clear` does not wipe the learner's journey. KERNEL_KOANS_STATE moves it
    (the maintainers' `koans dev check` runs use a throwaway one)."""
    env = os.environ.get("KERNEL_KOANS_STATE")
    if env and root is None:
        return Path(env)
    return (root or repo_root()) / ".koans"


def report_path(root: Path | None = None) -> Path:
    return state_dir(root) / "report.html"


def learner_path(rel: str, root: Path | None = None) -> Path:
    """The file the learner edits, for an exercise id like `m04/pid_ns` or
    `projects/simulator/sim`."""
    root = root or repo_root()
    rel = _normalise(rel)
    if rel.startswith("projects/"):
        return root / f"{rel}.py"
    return root / "koans" / f"{rel}.py"


def twin_path(rel: str, root: Path | None = None) -> Path:
    """The reference solution of the same exercise."""
    return twin_of(learner_path(rel, root), root)


def twin_of(path: Path, root: Path | None = None) -> Path:
    """The twin of any learner file, .py or not: `koans/X` -> `solutions/X`,
    `projects/X` -> `solutions/projects/X`."""
    root = root or repo_root()
    rel = path.relative_to(root)
    if rel.parts[0] == "koans":
        rel = rel.relative_to("koans")
    return root / "solutions" / rel


def exercise_path(rel: str, solutions: bool, root: Path | None = None) -> Path:
    return twin_path(rel, root) if solutions else learner_path(rel, root)


def _normalise(rel: str) -> str:
    rel = rel.strip().replace("\\", "/")
    if rel.startswith("koans/"):
        rel = rel[len("koans/"):]
    if rel.startswith("solutions/"):
        rel = rel[len("solutions/"):]
    return rel[:-3] if rel.endswith(".py") else rel


def exercise_id(path: Path, root: Path | None = None) -> str:
    """Inverse of learner_path/twin_path: `koans/m04/pid_ns.py` -> `m04/pid_ns`."""
    root = root or repo_root()
    rel = path.resolve().relative_to(root).as_posix()
    return _normalise(rel)
