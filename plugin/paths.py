"""Where things live: the repo, the learner's files and their twins (the state folder is progress's).

One place for the twin rule: a learner file `koans/m04/pid_ns.py` has its
reference twin at `solutions/m04/pid_ns.py`; a project file `projects/sim/x.py`
has its twin at `solutions/projects/sim/x.py`.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

PREFIX = "kk-"
"""Every kernel object a koan creates carries this prefix (netns, links, cgroups, ...)."""

DOCKER_LABEL = "kernel-koans"
"""Every docker object the koans create carries this label."""


def repo_root() -> Path:
    """The checkout: the folder holding `koans/`, `solutions/` and `plugin/`."""
    env = os.environ.get("KERNEL_KOANS_ROOT") or ""
    if env and not os.path.isabs(env):
        return Path(env).resolve()  # relative to the cwd, which may change: not cached
    return _resolved(env)


@lru_cache(maxsize=8)
def _resolved(env: str) -> Path:
    """repo_root for one value of KERNEL_KOANS_ROOT (tests change it): resolved once, as
    every exercise handle asks for it on every attribute (a stat per path component)."""
    return Path(env).resolve() if env else Path(__file__).resolve().parent.parent


def learner_path(rel: str) -> Path:
    """The file the learner edits, for an exercise id like `m04/pid_ns` or
    `projects/simulator/sim` (a Python module), or one with its suffix, like
    `projects/three_services/ci.toml` (a data file the koans read, never import)."""
    root = repo_root()
    rel = exercise_rel(rel)
    name = rel if Path(rel).suffix else f"{rel}.py"  # a data exercise (ci.toml) keeps its name
    if rel.startswith("projects/"):
        return root / name
    return root / "koans" / name


def twin_path(rel: str) -> Path:
    """The reference solution of the same exercise."""
    return twin_of(learner_path(rel))


def twin_of(path: Path) -> Path:
    """The twin of any learner file, .py or not: `koans/X` -> `solutions/X`,
    `projects/X` -> `solutions/projects/X`."""
    root = repo_root()
    rel = path.relative_to(root)
    if rel.parts[0] == "koans":
        rel = rel.relative_to("koans")
    return root / "solutions" / rel


def exercise_path(rel: str, solutions: bool) -> Path:
    return twin_path(rel) if solutions else learner_path(rel)


def exercise_rel(rel: str) -> str:
    """The exercise id as `exercise()` spells it: `koans/m04/pid_ns.py` -> `m04/pid_ns`."""
    rel = rel.strip().replace("\\", "/")
    if rel.startswith("koans/"):
        rel = rel[len("koans/"):]
    if rel.startswith("solutions/"):
        rel = rel[len("solutions/"):]
    return rel[:-3] if rel.endswith(".py") else rel
