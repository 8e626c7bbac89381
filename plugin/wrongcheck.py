"""`koans dev check --wrong DIR`: every plausible wrong solution fails the koans it was
written for (DESIGN.md, "Tests of the project itself" 4).

A case is a folder DIR/<milestone>/<name>/ with case.toml (exercise, koans, mistake)
and module.py, the whole wrong module (module.toml for a data exercise such as
projects/three_services/ci.toml). Each case runs its koans in a pytest of its
own with `--solutions --swap EXERCISE=module.py`: the wrong module in place of the
exercise, every other exercise on its twin. Each listed koan must fail; a koan
skipped because the host lacks something `--allow-missing` names is not checked
(said so, never counted as a pass); a pass, any other skip, a koan that did not
run, a stub left in module.py or a leak fails the case.

With `--needing TOPIC[,TOPIC]`, only the cases whose koans all work with a topic run:
the VM lane checks there what a host like CI's cannot (AppArmor, privileged containers).
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from kernel_koans import devcheck, paths, progress

CASE_FILE = "case.toml"
MODULE_FILE = "module.py"
NOT_A_FAILURE = ("load", "stub")
"""Failure kinds (failures.kind) that say nothing about the mistake: the module did not
load, or a function of it is still a stub."""


@dataclass
class Case:
    name: str  # "m04/oom-without-memory-max", relative to DIR
    folder: Path
    exercise: str = ""
    koans: list[str] = field(default_factory=list)
    mistake: str = ""


@dataclass
class Verdict:
    case: Case
    problems: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.problems:
            return "FAIL"
        return "SKIP" if self.not_checked else "OK"


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


def needing_only(cases: list[Case], topics: str) -> list[Case]:
    """The cases whose koans all work with one of `topics`, as `--koans-needing` selects
    them in a collection (the same rule as the twins' selection, not a second one)."""
    files = sorted({k.split("::", 1)[0] for case in cases for k in case.koans})
    with tempfile.TemporaryDirectory(prefix="kk-wrongcheck-") as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
             "--html=", "--koans-needing", topics, *files],
            cwd=paths.repo_root(), env=dict(os.environ, **{progress.STATE_ENV: tmp}),
            capture_output=True, text=True, check=False)
    chosen = {line.strip() for line in done.stdout.splitlines() if "::" in line}
    return [case for case in cases if case.koans and set(case.koans) <= chosen]


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


def command(case: Case) -> list[str]:
    """The pytest command line that runs one case (shown to rerun a failed one)."""
    return ["-m", "pytest", *case.koans, "--solutions",
            "--swap", f"{case.exercise}={case.folder / module_file(case)}"]


def run_case(case: Case, state: Path, extra: list[str]) -> dict[str, Any]:
    """Run the case's koans with its module swapped in; return the run's record."""
    args = [sys.executable, *command(case), "-p", "no:cacheprovider", "--html=", "-q",
            "--no-header", "--tb=no", "-rN", *extra]
    env = dict(os.environ, **{progress.STATE_ENV: str(state)})
    subprocess.run(args, cwd=paths.repo_root(), env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return progress.load_last_run_at(state)


def judge(case: Case, run: dict[str, Any], allow_skips: bool, allow_missing: tuple[str, ...]) -> Verdict:
    v = Verdict(case)
    outcomes = dict(run.get("outcomes", {}))
    kinds = dict(run.get("kinds", {}))
    reasons = dict(run.get("reasons", {}))
    for nodeid in case.koans:
        outcome = outcomes.get(nodeid)
        if outcome is None:
            v.problems.append(f"did not run {nodeid} (no such koan, or a collection error)")
        elif outcome == "passed":
            v.problems.append(f"passes {nodeid}: the koan does not catch this mistake")
        elif outcome == "skipped":
            if allow_skips or devcheck.allowed_skip(run, nodeid, allow_missing):
                v.not_checked.append(f"{nodeid} ({reasons.get(nodeid, 'skipped')})")
            else:
                v.problems.append(f"skipped {nodeid} ({reasons.get(nodeid, '')})")
        elif kinds.get(nodeid) in NOT_A_FAILURE:
            v.problems.append(f"fails {nodeid} only because module.py "
                              + ("does not load" if kinds[nodeid] == "load" else "still has a stub"))
        else:
            v.failed.append(nodeid)
    found = devcheck.Findings()
    devcheck.leaks(run, "wrong module", found)
    v.problems.extend(found.problems)
    return v


def main(top: Path, allow_skips: bool, extra: list[str], allow_missing: tuple[str, ...] = (),
         needing: str | None = None) -> int:
    cases = find_cases(top)
    if needing:
        cases = needing_only(cases, needing)
    which = f" needing {needing}" if needing else ""
    print(f"== dev check --wrong: {len(cases)} wrong-solution case(s){which} under {top} ==", flush=True)
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="kk-wrongcheck-") as tmp:
        for i, case in enumerate(cases):
            bad = malformed(case)
            if bad:
                verdicts.append(Verdict(case, problems=bad))
            else:
                verdicts.append(judge(case, run_case(case, Path(tmp) / str(i), extra), allow_skips, allow_missing))
            _print(verdicts[-1])
    counts = {label: sum(v.label == label for v in verdicts) for label in ("OK", "FAIL", "SKIP")}
    print(f"dev-check --wrong: {counts['OK']} passed, {counts['FAIL']} failed, {counts['SKIP']} not checked")
    return 1 if counts["FAIL"] or not cases else 0


def _print(v: Verdict) -> None:
    case = v.case
    if v.label == "OK":
        print(f"OK   {case.name}: {len(v.failed)} koan(s) fail on it", flush=True)
        return
    print(f"{v.label:<4} {case.name}: {case.mistake.lstrip('!')}", flush=True)
    for problem in v.problems:
        print(f"       {problem}")
    for nodeid in v.not_checked:
        print(f"       not checked: {nodeid}")
    if v.problems and case.exercise and case.koans:
        print(f"       rerun: .venv/bin/python {shlex.join(command(case))}")
