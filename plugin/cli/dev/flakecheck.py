"""`koans dev check --repeat N [--busy]`: the twins, N times over, and every koan that was not
green every time, with how it failed.

A koan that fails on correct code now and then teaches that correct code is wrong; CI finds
such a koan one run in twenty. Here it is found on purpose: the twins run N times (each run
a pytest session of its own, as a learner's would be), optionally with every CPU kept busy
by bounded spinners, the way a fresh CI host is loaded. The verdict is a table: a koan
green in every run is stable; any other outcome in any run lists it, with the runs it failed
and each distinct failure text.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_koans import paths
from kernel_koans.cli.dev import devcheck

SPIN_CAP_S = 6 * 3600
"""A spinner ends by itself after this long, whatever happens to the check that started it."""

SPINNER = ("import sys, time\n"
           "end = time.monotonic() + float(sys.argv[1])\n"
           "while time.monotonic() < end:\n"
           "    sum(range(10000))\n")


@dataclass
class Record:
    """One koan across the runs: each run that was not a pass, and how it failed."""

    bad: list[tuple[int, str]] = field(default_factory=list)
    """(run number, outcome) for each run where it was not green."""
    texts: list[str] = field(default_factory=list)
    """Distinct failure texts, first seen first."""


@contextmanager
def busy(count: int) -> Iterator[int]:
    """Keep `count` CPUs busy while the block runs: spinner processes at the lowest priority,
    each bounded in time by itself and killed when the block ends."""
    spinners = [subprocess.Popen([sys.executable, "-c", SPINNER, str(SPIN_CAP_S)],
                                 stdin=subprocess.DEVNULL, preexec_fn=lambda: os.nice(19))
                for _ in range(count)]
    try:
        yield count
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()


def tally(runs: list[dict[str, Any]], allow_missing: tuple[str, ...]) -> dict[str, Record]:
    """Each koan's record over the runs' last-run.json: a failure, or a skip not allowed, is
    not green; a koan missing from a run (it did not run at all) is not green either."""
    seen = sorted({k for run in runs for k in dict(run.get("outcomes", {}))})
    records = {k: Record() for k in seen}
    for number, run in enumerate(runs, 1):
        outcomes = dict(run.get("outcomes", {}))
        failures = dict(run.get("failures", {}))
        for nodeid, record in records.items():
            outcome = outcomes.get(nodeid, "not run")
            if outcome == "passed" or (outcome == "skipped"
                                       and devcheck.allowed_skip(run, nodeid, allow_missing)):
                continue
            record.bad.append((number, outcome))
            text = failures.get(nodeid) or dict(run.get("reasons", {})).get(nodeid) or outcome
            if text not in record.texts:
                record.texts.append(text)
    return records


def report(records: dict[str, Record], runs: int, seconds: list[float], loaded: int) -> str:
    """The table: unstable koans first with their failures, then the counts."""
    unstable = {k: r for k, r in records.items() if r.bad}
    lines = [f"\n== dev check --repeat: {len(records)} koans, {runs} run(s)"
             f"{f', {loaded} CPU(s) kept busy' if loaded else ''} ==",
             "run times: " + ", ".join(f"{s:.0f} s" for s in seconds)]
    if unstable:
        lines.append(f"{'green':>9}  koan")
        for nodeid, record in sorted(unstable.items()):
            runs_bad = ", ".join(f"run {n} {o}" for n, o in record.bad)
            lines.append(f"{runs - len(record.bad):>4}/{runs:<4}  {nodeid}  ({runs_bad})")
            for text in record.texts:
                lines.extend("            | " + line for line in text.strip().splitlines()[:8])
    lines.append(f"dev-check --repeat: {len(records) - len(unstable)} stable, {len(unstable)} unstable")
    return "\n".join(lines)


def main(times: int, loaded: bool, extra: list[str], allow_missing: tuple[str, ...] = ()) -> int:
    root = paths.repo_root()
    results: list[dict[str, Any]] = []
    seconds: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kk-devcheck-") as tmp, \
            busy((os.cpu_count() or 1) if loaded else 0) as cpus:
        for number in range(1, times + 1):
            began = time.monotonic()
            state = Path(tmp) / f"run-{number}"
            state.mkdir()
            print(f"\n== dev check --repeat: run {number} of {times} ==", flush=True)
            results.append(devcheck.run_pytest(root, state, True, extra))
            seconds.append(time.monotonic() - began)
    records = tally(results, allow_missing)
    print(report(records, times, seconds, cpus))
    leaked = [f"run {n}: {run['session_leaks']}" for n, run in enumerate(results, 1)
              if run.get("session_leaks")]
    for line in leaked:
        print(f"FAIL a run left kernel objects behind: {line}")
    return 1 if not records or leaked or any(r.bad for r in records.values()) else 0
