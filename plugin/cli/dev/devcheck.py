"""`koans dev check`: the maintainers' proof that the curriculum is honest.

Like rustlings' `dev check`: every exercise has its twin and its place in the
manifest, the authoring rules that can be read from the files hold, every koan
fails on the pristine stubs, every koan passes on the twins (on a capable
host), and neither run leaves a kernel object behind. `--wrong DIR` runs the
wrong-solution cases instead (kernel_koans.cli.dev.wrongcheck).
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_koans import manifest, paths, progress
from kernel_koans.cli.dev import parity, shape

LEARNER_TOPS = ("koans", "projects")
NOT_EXERCISES = ("conftest.py", "__init__.py")


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    checked: int = 0

    def fail(self, text: str) -> None:
        self.problems.append(text)


def structure(f: Findings) -> None:
    """Twin rule, stub-twin parity, stray files, lint-clean twins, manifest and authoring
    rules: files, not kernels."""
    root = paths.repo_root()
    listed = {(m.key, name) for m in manifest.load() for name in m.files}
    for test in sorted((root / "koans").glob("m[0-9][0-9]/test_*.py")):
        f.checked += 1
        if (test.parent.name, test.name) not in listed:
            f.fail(f"{test.relative_to(root)} is not listed in koans/manifest.toml")
    for key, name in sorted(listed):
        if not (root / "koans" / key / name).exists():
            f.fail(f"koans/manifest.toml lists koans/{key}/{name}, which does not exist")
    for top in LEARNER_TOPS:
        for path in sorted((root / top).rglob("*")):
            if not path.is_file() or path.name.startswith("test_") or path.name in NOT_EXERCISES:
                continue
            if "__pycache__" in path.parts or path.suffix == ".md" or path.name == "manifest.toml":
                continue
            twin = paths.twin_of(path)
            f.checked += 1
            if not twin.exists():
                f.fail(f"{path.relative_to(root)} has no reference twin at {twin.relative_to(root)}")
            elif path.suffix == ".py":
                f.checked += 1
                for problem in parity.problems(path, twin, path.relative_to(root).as_posix()):
                    f.fail(problem)
    for problem in shape.strays() + shape.lint() + shape.shared_helpers():
        f.fail(problem)
    f.checked += 3
    authoring(f)


def authoring(f: Findings) -> None:
    """docs/AUTHORING.md's rules that the files show: every exercise a koan file names
    exists; every exercise module of a milestone is used by a koan file; every koan has
    a lesson (docstring), a man page and hints; every stub says what is missing."""
    root = paths.repo_root()
    used: set[str] = set()
    for test in sorted((root / "koans").glob("m[0-9][0-9]/test_*.py")):
        shown = test.relative_to(root).as_posix()
        tree = _parse(test, f)
        if tree is None:
            continue
        for rel in exercises_named(tree):
            used.add(rel)
            f.checked += 1
            if not paths.learner_path(rel).exists():
                f.fail(f"{shown} uses exercise({rel!r}), but {_rel(paths.learner_path(rel))} does not exist")
        for fn, problem in koan_problems(tree):
            f.checked += 1
            f.fail(f"{shown}::{fn} {problem}")
    for module in sorted((root / "koans").glob("m[0-9][0-9]/*.py")):
        if module.name.startswith("test_") or module.name in NOT_EXERCISES:
            continue
        rel = paths.exercise_rel(_rel(module))
        f.checked += 1
        if rel not in used:
            f.fail(f"{_rel(module)} is an exercise module no koan file uses (exercise({rel!r}))")
    for top in LEARNER_TOPS:
        for module in sorted((root / top).rglob("*.py")):
            if module.name.startswith("test_") or module.name in NOT_EXERCISES:
                continue
            tree = _parse(module, f)
            for line in silent_stubs(tree) if tree is not None else []:
                f.checked += 1
                f.fail(f"{_rel(module)}:{line} raises NotImplementedError without saying what is missing")


def _parse(path: Path, f: Findings) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(), str(path))
    except SyntaxError as err:
        f.fail(f"{_rel(path)} line {err.lineno}: Python cannot parse it ({err.msg})")
        return None


def _rel(path: Path) -> str:
    return path.relative_to(paths.repo_root()).as_posix()


def exercises_named(tree: ast.Module) -> list[str]:
    """The ids passed to exercise()/Exercise() in a koan file: string literals, or a
    module-level name bound to one (`SIM = "projects/..."; sim = exercise(SIM)`)."""
    constants = {t.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for t in node.targets if isinstance(t, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("exercise", "Exercise") and node.args):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append(paths.exercise_rel(arg.value))
            elif isinstance(arg, ast.Name) and arg.id in constants:
                found.append(paths.exercise_rel(constants[arg.id]))
    return sorted(set(found))


def koan_problems(tree: ast.Module) -> list[tuple[str, str]]:
    """(test name, what is wrong) for each koan without a lesson, a man page or hints."""
    out = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not node.name.startswith("test_"):
            continue
        marks = [d for d in node.decorator_list if isinstance(d, ast.Call)
                 and isinstance(d.func, ast.Name) and d.func.id == "koan"]
        if not marks:
            out.append((node.name, "is not a koan: decorate it with @koan(man=..., hints=[...])"))
            continue
        given = {k.arg for k in marks[0].keywords}
        if not {"man", "hints"} <= given:
            out.append((node.name, "has no " + " and no ".join(sorted({"man", "hints"} - given))))
        if not ast.get_docstring(node):
            out.append((node.name, "has no docstring: two lines saying why the lesson matters"))
    return out


def silent_stubs(tree: ast.Module) -> list[int]:
    """Lines of `raise NotImplementedError` (or with an empty message)."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        exc = node.exc
        if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
            out.append(node.lineno)
        elif (isinstance(exc, ast.Call) and isinstance(exc.func, ast.Name)
              and exc.func.id == "NotImplementedError"):
            arg = exc.args[0] if exc.args else None
            if arg is None or (isinstance(arg, ast.Constant) and not str(arg.value).strip()):
                out.append(node.lineno)
    return out


def _targets(root: Path, extra: list[str]) -> list[str]:
    """The paths or node ids among pytest's arguments (`koans dev check -- koans/m09`): they
    narrow the check; without any, it covers the whole curriculum."""
    return [a for prev, a in zip(["", *extra], extra, strict=False)
            if not a.startswith("-") and prev not in _VALUED and (root / a.split("::")[0]).exists()]


_VALUED = frozenset({"-k", "-m", "-p", "-o", "-c", "-W", "--deselect", "--ignore", "--ignore-glob",
                     "--tb", "--timeout", "--maxfail", "--swap", "--koans-needing", "--durations",
                     "--basetemp", "--rootdir"})
"""pytest options whose value is the next argument: that value is never a target."""


def run_pytest(root: Path, state: Path, solutions: bool, extra: list[str]) -> dict[str, Any]:
    """Run every koan once, with its state in a throwaway folder; return last-run.json."""
    side = "solutions" if solutions else "stubs"
    targets = _targets(root, extra)
    args = [sys.executable, "-m", "pytest", *(targets or ["koans"]), "-p", "no:cacheprovider",
            f"--html={state / (side + '.html')}", "-q", "--no-header"]
    args += ["--solutions", "-rfEs"] if solutions else ["--tb=no", "-rN"]
    env = dict(os.environ, **{progress.STATE_ENV: str(state / side)})
    print(f"\n== dev check: koans against the {side} ==", flush=True)
    subprocess.run(args + [a for a in extra if a not in targets], cwd=root, env=env, check=False)
    return progress.load_last_run_at(state / side)


def allowed_skip(run: dict[str, Any], nodeid: str, allow_missing: tuple[str, ...]) -> bool:
    """True when the koan was skipped because the host lacks only pieces `allow_missing` names
    (read from the run's record, `missing`: nodeid -> the needs the host lacked)."""
    lacking = dict(run.get("missing", {})).get(nodeid) or []
    return bool(lacking) and all(need in allow_missing for need in lacking)


def judge(stubs: dict[str, Any], twins: dict[str, Any], allow_skips: bool, f: Findings,
          allow_missing: tuple[str, ...] = ()) -> None:
    """Stubs must not pass; twins must pass (a skip counts as a failure unless skips are
    allowed, or the host lacks only what `allow_missing` names); no run may leak."""
    s_out = dict(stubs.get("outcomes", {}))
    t_out = dict(twins.get("outcomes", {}))
    if not s_out or not t_out:
        f.fail("a pytest run produced no outcomes (collection error?)")
    for nodeid, outcome in sorted(s_out.items()):
        f.checked += 1
        if outcome == "passed":
            f.fail(f"passes on its untouched stub: {nodeid}")
    reasons = dict(twins.get("reasons", {}))
    for nodeid, outcome in sorted(t_out.items()):
        f.checked += 1
        if outcome == "failed":
            f.fail(f"fails on its reference twin: {nodeid}")
        elif outcome == "skipped" and not allow_skips and not allowed_skip(twins, nodeid, allow_missing):
            f.fail(f"skipped on the twins ({reasons.get(nodeid, '')}): {nodeid}")
    for name, run in (("stubs", stubs), ("solutions", twins)):
        leaks(run, name, f)


def leaks(run: dict[str, Any], name: str, f: Findings) -> None:
    for nodeid, leak in dict(run.get("koan_leaks", {})).items():
        f.fail(f"left kernel objects behind on the {name}: {nodeid}: {leak}")
    if run.get("session_leaks"):
        f.fail(f"the {name} run left kernel objects behind: {run['session_leaks']}")


def main(allow_skips: bool, extra: list[str], allow_missing: tuple[str, ...] = ()) -> int:
    root = paths.repo_root()
    f = Findings()
    structure(f)
    with tempfile.TemporaryDirectory(prefix="kk-devcheck-") as tmp:
        state = Path(tmp)
        stubs = run_pytest(root, state, False, extra)
        twins = run_pytest(root, state, True, extra)
        judge(stubs, twins, allow_skips, f, allow_missing)
    print("\n== dev check ==")
    for problem in f.problems:
        print(f"FAIL {problem}")
    koans = set(dict(stubs.get("outcomes", {}))) | set(dict(twins.get("outcomes", {})))
    bad = {k for k in koans if any(k in problem for problem in f.problems)}
    other = [p for p in f.problems if not any(k in p for k in koans)]
    print(f"{len(koans)} koans: each must fail on its stub, pass on its twin and leave nothing behind; "
          f"{f.checked} checks in all, {len(other)} problem(s) outside a koan.")
    # One koan, one verdict: the closing line counts koans (and problems outside any koan).
    print(f"dev-check: {len(koans) - len(bad)} passed, {len(bad) + len(other)} failed")
    return 1 if f.problems else 0
