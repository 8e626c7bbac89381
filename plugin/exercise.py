"""Load the learner's exercise module, or its reference twin under `--solutions`.

Koans never import learner code directly: `pid_ns = exercise("m04/pid_ns")`
returns a lazy proxy, so a SyntaxError in the learner's file fails the koans
that use it with a clear sentence instead of breaking collection.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any, NamedTuple

from kernel_koans import paths

SOLUTIONS_ENV = "KERNEL_KOANS_SOLUTIONS"
SWAP_ENV = "KERNEL_KOANS_SWAP"
"""A subprocess started with `Sides.env()` reads the run's sides from these two."""


class ExerciseError(Exception):
    """The learner's module could not be loaded (syntax error, import error, missing file)."""


class Sides(NamedTuple):
    """Which file each exercise loads: the learner's, the reference twin (`--solutions`),
    or for a swapped exercise (`--swap m04/x=PATH`, the wrong-solution runner) that PATH.
    (A NamedTuple, not a dataclass: every learner program started through
    `kernel_koans.launch` imports this, and dataclasses costs an import of inspect.)"""

    solutions: bool = False
    swaps: Mapping[str, Path] = MappingProxyType({})

    def path(self, rel: str) -> Path:
        swapped = self.swaps.get(paths.exercise_rel(rel))
        return swapped if swapped is not None else paths.exercise_path(rel, self.solutions)

    def env(self) -> dict[str, str]:
        """Variables for a subprocess that must load the same files (a fork inherits them anyway)."""
        out = {SOLUTIONS_ENV: "1"} if self.solutions else {}
        if self.swaps:
            out[SWAP_ENV] = os.pathsep.join(f"{rel}={path}" for rel, path in self.swaps.items())
        return out

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Sides:
        return cls(environ.get(SOLUTIONS_ENV) == "1", parse_swaps(environ.get(SWAP_ENV, "").split(os.pathsep)))


def parse_swaps(specs: list[str]) -> dict[str, Path]:
    """["m04/cgroups=some/module.py", ...] -> {"m04/cgroups": Path(...)}, paths made absolute."""
    out: dict[str, Path] = {}
    for spec in specs:
        if not spec:
            continue
        rel, sep, path = spec.partition("=")
        if not sep or not rel or not path:
            raise ValueError(f"--swap wants EXERCISE=PATH (e.g. m04/cgroups=wrong.py), not {spec!r}")
        out[paths.exercise_rel(rel)] = Path(path).resolve()
    return out


_sides: Sides | None = None
"""The sides of the pytest run in progress. Koan files create their exercise() handles at
import, before any run exists, so the run sets this once (`use_sides`) and the handles read it."""


def use_sides(sides: Sides | None) -> Sides | None:
    """Make `sides` the run's; return the previous ones (to restore at the end of the run)."""
    global _sides
    previous, _sides = _sides, sides
    return previous


def current() -> Sides:
    """The run's sides; outside a run (a subprocess), those its environment names."""
    return _sides if _sides is not None else Sides.from_env(os.environ)


def using_solutions() -> bool:
    return current().solutions


class Exercise:
    """A lazy handle on one exercise module; attribute access loads it."""

    def __init__(self, rel: str) -> None:
        self.rel = rel

    @property
    def path(self) -> Path:
        return current().path(self.rel)

    def module(self) -> ModuleType:
        return load_path(self.rel, self.path)

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


def load_path(rel: str, path: Path) -> ModuleType:
    """Import the file once per (exercise, file) and cache it in sys.modules."""
    side = "kk_solution." if path == paths.twin_path(rel) else "kk_exercise."
    name = side + rel.replace("/", ".")
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
        import traceback  # here: only a module that fails to load needs it

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
