"""`koans dev check --wrong DIR`: every plausible wrong solution fails the koans it was
written for (docs/AUTHORING.md, "Checking your koans").

The cases (kernel_koans.cli.dev.wrongcases) run in as few pytest sessions as possible
(kernel_koans.runner.wrongsession): each case's koans with its wrong module swapped in for
the exercise, every other exercise on its twin. Each listed koan must fail; a koan
skipped because the host lacks something `--allow-missing` names is not checked
(said so, never counted as a pass); a pass, any other skip, a koan that did not run,
a stub left in the module or a leak fails the case. A session that ends early (a case
changed the test process, or the process died) is followed by a fresh one for the
cases that did not run; a case during which the process died fails.

With `--needing TOPIC[,TOPIC]`, only the cases whose koans all work with a topic run:
the VM lane checks there what a host like CI's cannot (AppArmor, privileged containers).
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_koans import paths, progress
from kernel_koans.cli.dev import devcheck
from kernel_koans.cli.dev.wrongcases import Case, find_cases, malformed, materialize
from kernel_koans.runner import wrongsession

NOT_A_FAILURE = ("load", "stub")
"""Failure kinds (failures.kind) that say nothing about the mistake: the module did not
load, or a function of it is still a stub."""

SLOWEST_SHOWN = 5

__all__ = ["Case", "Verdict", "find_cases", "main", "malformed"]


@dataclass
class Verdict:
    case: Case
    problems: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    """The case's koans' own time (pytest's durations), to see which cases cost the most."""

    @property
    def label(self) -> str:
        if self.problems:
            return "FAIL"
        return "SKIP" if self.not_checked else "OK"


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


def command(case: Case, module: Path) -> list[str]:
    """The pytest command line that runs one case alone (shown to rerun a failed one)."""
    return ["-m", "pytest", *case.koans, "--solutions", "--swap", f"{case.exercise}={module}"]


Planned = tuple[Case, Path]
"""A case and the wrong module it swaps in."""


JOURNAL_POLL_SECONDS = 0.5
"""How often the journal is read while a session runs, to print each case as it ends."""


def run_session(planned: list[Planned], state: Path, extra: list[str],
                ended: Callable[[str, dict[str, Any], wrongsession.Journal], None],
                ) -> tuple[dict[str, Any], wrongsession.Journal]:
    """One pytest session for `planned`, in plan order: `ended(case, record, journal)` for
    each case as it ends, then the session's final record and journal."""
    state.mkdir(parents=True)
    plan = state / "plan.json"
    wrongsession.write_plan(plan, [wrongsession.PlannedCase(c.name, c.exercise, str(m), tuple(c.koans))
                                   for c, m in planned])
    root = paths.repo_root()
    files = sorted({k.split("::", 1)[0] for c, _ in planned for k in c.koans
                    if (root / k.split("::", 1)[0]).is_file()})
    args = [sys.executable, "-m", "pytest", *files, "--solutions", "--wrong-cases", str(plan),
            "-p", "no:cacheprovider", "--html=", "-q", "--no-header", "--tb=no", "-rN", *extra]
    env = dict(os.environ, **{progress.STATE_ENV: str(state)})
    told: set[str] = set()

    def tell() -> None:
        journal = wrongsession.read_journal(plan)
        fresh = [name for name in journal.started if name in journal.ended and name not in told]
        if fresh:
            record = progress.load_last_run_at(state)
            for name in fresh:
                told.add(name)
                ended(name, record, journal)

    with subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        while proc.poll() is None:
            time.sleep(JOURNAL_POLL_SECONDS)
            tell()
    tell()
    return progress.load_last_run_at(state), wrongsession.read_journal(plan)


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
            v.problems.append(f"fails {nodeid} only because the wrong module "
                              + ("does not load" if kinds[nodeid] == "load" else "still has a stub"))
        else:
            v.failed.append(nodeid)
    v.seconds = sum(float(d) for d in dict(run.get("durations", {})).values())
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
    verdicts: list[Verdict] = []
    session_leaks: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kk-wrongcheck-") as tmp:
        pending: list[Planned] = []
        for case in cases:
            bad = malformed(case)
            if bad:
                verdicts.append(Verdict(case, problems=bad))
                _print(verdicts[-1], None)
                continue
            try:
                pending.append((case, materialize(case, Path(tmp) / "modules" / case.name)))
            except ValueError as err:
                verdicts.append(Verdict(case, problems=[str(err)]))
                _print(verdicts[-1], None)
        sessions = 0
        while pending:
            sessions += 1
            judging = _Judging(dict((c.name, (c, m)) for c, m in pending), allow_skips, allow_missing, verdicts)
            record, journal = run_session(
                pending, Path(tmp) / f"session-{sessions}", extra, judging.ended)
            for name in journal.started:
                if name in judging.waiting and name not in journal.ended:  # it died during this case
                    judging.verdict_on(name, record, "the test process died while it ran this case")
            if not journal.stopped and not set(journal.started) - journal.ended:
                for name in list(judging.waiting):  # the session ran to its end: what did not start never will
                    judging.verdict_on(name, record)
            if record.get("session_leaks"):
                session_leaks.append(f"after session {sessions}: {record['session_leaks']}")
            pending = [(c, m) for c, m in pending if c.name in judging.waiting]
    for leak in session_leaks:
        print(f"FAIL the wrong modules' runs left kernel objects behind {leak}")
    counts = {label: sum(v.label == label for v in verdicts) for label in ("OK", "FAIL", "SKIP")}
    slowest = sorted(verdicts, key=lambda v: v.seconds, reverse=True)[:SLOWEST_SHOWN]
    print(f"({len(cases)} case(s) in {sessions} pytest session(s); the slowest: "
          + ", ".join(f"{v.case.name} {v.seconds:.0f} s" for v in slowest) + ")")
    print(f"dev-check --wrong: {counts['OK']} passed, {counts['FAIL'] + len(session_leaks)} failed, "
          f"{counts['SKIP']} not checked")
    return 1 if counts["FAIL"] or session_leaks or not cases else 0


@dataclass
class _Judging:
    """One session's cases not judged yet; each verdict is printed the moment it is known."""

    waiting: dict[str, Planned]
    allow_skips: bool
    allow_missing: tuple[str, ...]
    verdicts: list[Verdict]

    def ended(self, name: str, record: dict[str, Any], journal: wrongsession.Journal) -> None:
        self.verdict_on(name, record, changed=journal.dirty.get(name))

    def verdict_on(self, name: str, record: dict[str, Any], note: str = "", changed: str | None = None) -> None:
        case, module = self.waiting.pop(name)
        verdict = judge(case, wrongsession.of_case(record, name, case.koans), self.allow_skips, self.allow_missing)
        if note:
            verdict.problems.append(note)
        self.verdicts.append(verdict)
        _print(verdict, module, changed)


def _print(v: Verdict, module: Path | None, changed: str | None = None) -> None:
    case = v.case
    note = f" (it changed the test process: {changed}; the cases after it ran in a fresh one)" if changed else ""
    if v.label == "OK":
        print(f"OK   {case.name}: {len(v.failed)} koan(s) fail on it{note}", flush=True)
        return
    print(f"{v.label:<4} {case.name}: {case.mistake.lstrip('!')}{note}", flush=True)
    for problem in v.problems:
        print(f"       {problem}")
    for nodeid in v.not_checked:
        print(f"       not checked: {nodeid}")
    if v.problems and module is not None:
        print(f"       rerun alone: .venv/bin/python {shlex.join(command(case, module))}")
