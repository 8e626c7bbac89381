"""The journey and its report as one plugin object: this run's record persisted, the journey
in the terminal, and the HTML report's title and journey page (pytest-html hooks; the page
itself is kernel_koans.runner.journeypage, everything inserted escaped)."""
from __future__ import annotations

import os
import time
from typing import Any

import pytest

from kernel_koans import progress
from kernel_koans.runner import journey, journeypage
from kernel_koans.runner.runstate import RunState

PLUGIN_NAME = "kernel-koans-journey"

NOT_ROOT = ("kernel-koans: you are not root, so every koan that needs root will be skipped. "
            "Run them as root: sudo .venv/bin/pytest koans")


class JourneyReport:
    """Registered by the plugin before the leak audit: its sessionfinish runs after the
    audit's (both trylast), so the record it saves holds the session's leaks."""

    def __init__(self, run: RunState) -> None:
        self.run = run

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Persist the journey and this run's record (also on Ctrl-C)."""
        record = self.run.record
        if not record.outcomes:
            return
        if record.learners:
            progress.record(record)
        progress.save_last_run(record)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        report.title = "kernel-koans — your journey"

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        prefix.append(journeypage.section(self.state(), solutions=not self.run.record.learners,
                                          kk_host=self.run.host))

    def state(self) -> dict[str, progress.Status]:
        """The journey including this run (pytest-html may render before it is saved);
        under --solutions or --swap, this run alone."""
        current = self.run.record.statuses(time.time())
        if not self.run.record.learners:
            return current
        return {**progress.load_progress(), **current}

    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
        """Progress bars per milestone, the next koan, and where the report is."""
        tr = terminalreporter
        if not self.run.record.outcomes:
            return
        if not self.run.record.learners:
            tr.write_sep("=", f"kernel-koans: {self.run.mode} (your progress is unchanged)")
        else:
            tr.write_sep("=", "kernel-koans: your journey")
            j = progress.journey()
            for line in journey.status_lines(j, runner=_runner()):
                tr.write_line(line)
            tr.write_line("")
            for line in journey.next_lines(j, runner=_runner()):
                tr.write_line(line)
        if not self.run.host.root:
            tr.write_line(NOT_ROOT, yellow=True)
        htmlpath = config.getoption("htmlpath", None)
        if htmlpath:
            tr.write_line(f"Report: {os.path.relpath(os.path.abspath(htmlpath))}")


def _runner() -> str:
    return "sudo .venv/bin/pytest" if os.geteuid() != 0 or os.environ.get("SUDO_UID") else ".venv/bin/pytest"
