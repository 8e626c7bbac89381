"""The wrong-solution cases on disk: their format, what makes one malformed, and the
wrong module each one stands for (docs/AUTHORING.md, "Checking your koans").

A case is a folder DIR/<milestone>/<name>/ with case.toml (exercise, koans, mistake)
and mistake.patch: a unified diff against today's twin (paths from the repo's top,
`a/solutions/m04/cgroups.py`), the twin plus one mistake and nothing else. A mistake
may span files of the twin's folder (a project's Dockerfile beside its module).
`materialize` copies the twin's folder, applies the patch and gives the file to swap
in; a patch that no longer applies fails its case, naming it. `make_patch` writes one.
"""
from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from kernel_koans import paths

CASE_FILE = "case.toml"
PATCH_FILE = "mistake.patch"


@dataclass
class Case:
    name: str  # "m04/oom-without-memory-max", relative to DIR
    folder: Path
    exercise: str = ""
    koans: list[str] = field(default_factory=list)
    mistake: str = ""


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
    if not (case.folder / PATCH_FILE).is_file():
        out.append(f"{PATCH_FILE} is missing (the twin plus the mistake: koans dev mistake EXERCISE FILE)")
    return out


def materialize(case: Case, into: Path) -> Path:
    """The twin's folder copied under `into` with the case's patch applied; the path of the
    exercise's file there, to swap in. ValueError when the patch no longer applies."""
    root = paths.repo_root()
    twin = paths.twin_path(case.exercise)
    folder = twin.parent.relative_to(root)
    shutil.copytree(root / folder, into / folder, ignore=shutil.ignore_patterns("__pycache__"))
    # git apply outside any repository: never let it find one above `into` (a TMPDIR inside one)
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(into.parent))
    done = subprocess.run(["git", "apply", "--whitespace=nowarn", str((case.folder / PATCH_FILE).resolve())],
                          cwd=into, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ValueError(f"{PATCH_FILE} no longer applies to today's twin "
                         f"({done.stderr.strip() or 'git apply failed'}): make the mistake again on "
                         f"{twin.relative_to(root)} and rewrite the patch (koans dev mistake)")
    return into / twin.relative_to(root)


def make_patch(twin: Path, wrong: Path) -> str:
    """The unified diff from `twin` (a file under solutions/) to `wrong`, as mistake.patch
    holds it: both sides named by the twin's path from the repo's top."""
    rel = twin.relative_to(paths.repo_root()).as_posix()
    before = twin.read_text().splitlines(keepends=True) if twin.exists() else []
    after = wrong.read_text().splitlines(keepends=True)
    lines = difflib.unified_diff(before, after, f"a/{rel}" if before else "/dev/null", f"b/{rel}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)
