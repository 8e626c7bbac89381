"""A quieter default run: one learner-facing failure in full, the others one line each.

A first run of the whole curriculum fails ninety koans; ninety explanations bury
the one that matters. So pytest's FAILURES section keeps the next koan's
explanation (or, when the next koan was not in this run, the run's first failure)
and the others become `koan · milestone · first line`. `-v` or an explicit `--tb`
brings every failure back in full; pytest's short test summary is untouched.

It also keeps each failed koan's learner-facing text, so that `koans watch` can
show it from the run's record instead of parsing pytest's output.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Generator
from typing import Any

import pytest

from kernel_koans import manifest, progress
from kernel_koans.runner.runstate import RUN

PLUGIN_NAME = "kernel-koans-quietrun"


def register(config: pytest.Config) -> None:
    """Called from the plugin's pytest_configure: one QuietRun per run."""
    run = QuietRun(config)
    config.pluginmanager.register(run, PLUGIN_NAME)
    config.pluginmanager.register(_Brief(run), PLUGIN_NAME + "-brief")


def wants_everything(config: pytest.Config) -> bool:
    """-v, an explicit --tb (command line or PYTEST_ADDOPTS), or a run of the twins (or a swap)."""
    if config.option.verbose > 0 or not config.stash[RUN].record.learners:
        return True
    args = [*map(str, config.invocation_params.args), *os.environ.get("PYTEST_ADDOPTS", "").split()]
    return any(a == "--tb" or a.startswith("--tb=") for a in args)


def in_full(failed: list[str], state: dict[str, progress.Status],
            catalog: dict[str, progress.KoanEntry]) -> str | None:
    """The one failure shown in full: the next koan's, else the run's first in curriculum order."""
    if not failed:
        return None
    nxt = progress.next_koan(catalog, state)
    if nxt is not None and nxt.nodeid in failed:
        return nxt.nodeid
    rank = {e.nodeid: i for i, e in enumerate(progress.ordered(catalog))}
    return min(failed, key=lambda n: rank.get(n, len(rank)))


def one_line(rep: pytest.TestReport, width: int) -> str:
    """`koan · milestone · first line of its explanation`, cut to the terminal."""
    first = next((ln.strip() for ln in rep.longreprtext.splitlines() if ln.strip()), "failed")
    line = f"{rep.nodeid.split('::')[-1]} · {manifest.milestone_of(rep.nodeid) or '-'} · {first}"
    return line if len(line) <= width else line[: max(width - 1, 20)] + "…"


class QuietRun:
    """The reports held back from FAILURES while pytest prints it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.held: list[pytest.TestReport] = []
        self.all_failed: list[Any] = []

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> Generator[None, None, None]:
        """Outermost: hold the brief failures back while pytest prints FAILURES."""
        tr = terminalreporter
        failed = list(tr.stats.get("failed", []))
        koans = [r for r in failed if "koan" in r.keywords and r.when == "call"]
        if not wants_everything(self.config) and len(koans) > 1:
            full = in_full([r.nodeid for r in koans], progress.load_progress(), progress.load_catalog())
            self.held = [r for r in koans if r.nodeid != full]
            self.all_failed = failed
            tr.stats["failed"] = [r for r in failed if r not in self.held]
        return (yield)

    def brief(self, tr: Any) -> None:
        """After FAILURES: restore pytest's list (its short summary names every
        failure) and print the held-back koans one line each."""
        if not self.held:
            return
        tr.stats["failed"] = self.all_failed
        width = shutil.get_terminal_size((100, 20)).columns
        tr.write_sep("_", f"{len(self.held)} more failing koans, one line each (-v shows them in full)")
        for rep in self.held:
            tr.write_line(one_line(rep, width))
        self.held = []


class _Brief:
    """The second half of the terminal summary (a plugin can implement a hook once)."""

    def __init__(self, run: QuietRun) -> None:
        self.run = run

    @pytest.hookimpl(tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Runs right after pytest's FAILURES section (inside QuietRun's wrapper)."""
        self.run.brief(terminalreporter)
