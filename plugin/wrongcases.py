"""The wrong-solution cases on disk: their format, what makes one malformed, and the
wrong module each one stands for (DESIGN.md, "Tests of the project itself" 4).

A case is a folder DIR/<milestone>/<name>/ with case.toml (exercise, koans, mistake)
and the wrong module: module.py (module.toml for a data exercise such as
projects/three_services/ci.toml). `materialize` gives the file to swap in.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from kernel_koans import paths

CASE_FILE = "case.toml"
MODULE_FILE = "module.py"


@dataclass
class Case:
    name: str  # "m04/oom-without-memory-max", relative to DIR
    folder: Path
    exercise: str = ""
    koans: list[str] = field(default_factory=list)
    mistake: str = ""


def module_file(case: Case) -> str:
    """module.py, or for a data exercise (`projects/three_services/ci.toml`) module.<its suffix>."""
    suffix = Path(case.exercise).suffix
    return f"module{suffix}" if suffix else MODULE_FILE


def find_cases(top: Path) -> list[Case]:
    """Every folder under `top` holding a case.toml, in name order."""
    cases = []
    for spec in sorted(top.rglob(CASE_FILE)):
        folder = spec.parent
        case = Case(folder.relative_to(top).as_posix(), folder)
        try:
            data = tomllib.loads(spec.read_text())
        except (OSError, ValueError) as err:
            case.mistake = f"!{err}"
            cases.append(case)
            continue
        case.exercise = str(data.get("exercise", ""))
        case.koans = [str(k) for k in data.get("koans", [])]
        case.mistake = str(data.get("mistake", ""))
        cases.append(case)
    return cases


def malformed(case: Case) -> list[str]:
    """What keeps a case from running: its files and fields, per the agreed format."""
    if case.mistake.startswith("!"):
        return [f"{CASE_FILE} does not parse: {case.mistake[1:]}"]
    out = []
    if not case.exercise:
        out.append(f"{CASE_FILE} names no exercise")
    elif not paths.learner_path(case.exercise).exists():
        out.append(f"exercise {case.exercise!r} does not exist")
    if not case.koans:
        out.append(f"{CASE_FILE} lists no koans")
    if not case.mistake.strip():
        out.append(f"{CASE_FILE} says no mistake (one sentence: the wrong idea)")
    if not (case.folder / module_file(case)).is_file():
        out.append(f"{module_file(case)} is missing")
    return out


def materialize(case: Case, into: Path) -> Path:
    """The wrong module to swap in for the case's exercise (a file under `into` or the
    case's own)."""
    return case.folder / module_file(case)
