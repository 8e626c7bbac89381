"""Load the learner's exercise module, or its reference twin under `--solutions`.

Koans never import learner code directly: `pid_ns = exercise("m04/pid_ns")`
returns a lazy proxy, so a SyntaxError in the learner's file fails the koans
that use it with a clear sentence instead of breaking collection.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from kernel_koans import paths

SOLUTIONS_ENV = "KERNEL_KOANS_SOLUTIONS"
"""Set to 1 by `--solutions`; children and subprocesses inherit it."""


class ExerciseError(Exception):
    """The learner's module could not be loaded (syntax error, import error, missing file)."""


def using_solutions() -> bool:
    return os.environ.get(SOLUTIONS_ENV) == "1"


def set_solutions(on: bool) -> None:
    if on:
        os.environ[SOLUTIONS_ENV] = "1"
    else:
        os.environ.pop(SOLUTIONS_ENV, None)


class Exercise:
    """A lazy handle on one exercise module; attribute access loads it."""

    def __init__(self, rel: str) -> None:
        self.rel = rel

    @property
    def path(self) -> Path:
        return paths.exercise_path(self.rel, using_solutions())

    def module(self) -> ModuleType:
        return load(self.rel, using_solutions())

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        module = self.module()
        try:
            return getattr(module, name)
        except AttributeError:
            raise ExerciseError(
                f"{_shown(self.path)} has no `{name}`: the koan calls it. "
                f"Did you rename or delete it? `koans reset {self.rel}` restores the stub."
            ) from None

    def __repr__(self) -> str:
        return f"exercise({self.rel!r})"


def exercise(rel: str) -> Exercise:
    """The exercise module `rel` (e.g. `m04/pid_ns`), resolved at use time."""
    return Exercise(rel)


def load(rel: str, solutions: bool) -> ModuleType:
    """Import the file once per (exercise, side) and cache it in sys.modules."""
    path = paths.exercise_path(rel, solutions)
    name = ("kk_solution." if solutions else "kk_exercise.") + rel.replace("/", ".")
    cached = sys.modules.get(name)
    if cached is not None and getattr(cached, "__file__", None) == str(path):
        return cached
    if not path.exists():
        raise ExerciseError(f"{_shown(path)} is missing. `koans reset {rel}` restores the stub.")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        del sys.modules[name]
        raise ExerciseError(
            f"{_shown(path)} line {err.lineno}: Python cannot parse it ({err.msg})."
        ) from None
    except Exception as err:
        del sys.modules[name]
        where = traceback.extract_tb(err.__traceback__)[-1]
        raise ExerciseError(
            f"importing {_shown(path)} raised {type(err).__name__}: {err} "
            f"(line {where.lineno}). Module-level code runs at import: keep work inside functions."
        ) from None
    return module


def _shown(path: Path) -> str:
    try:
        return path.relative_to(paths.repo_root()).as_posix()
    except ValueError:
        return str(path)
