"""The leak audit as one plugin object: the host's kk- objects noted before each koan and
the session, anything new afterwards removed, named, and the koan failed for it.

The finders live in kernel_koans.runner.audit; this object holds when they run. Registered
by the plugin after the journey report, so its session audit (trylast) runs before the
report persists the run's record, and its leak section prints above the journey.
"""
from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from kernel_koans.koan import koan_info
from kernel_koans.runner import audit
from kernel_koans.runner.runstate import RunState

PLUGIN_NAME = "kernel-koans-leak-audit"

LEAK_ADVICE = ("Remove what your code creates, also when it fails: try/finally, or a context manager.")


class LeakAudit:
    """pytest hooks around each koan and the session; the findings go into the run's record."""

    def __init__(self, run: RunState) -> None:
        self.run = run

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.run.session_before = audit.take(self.run.docker())

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Note the host's kk- objects before the koan."""
        self.run.koan_before[item.nodeid] = audit.take(_docker_for(item, self.run), _changes_runtimes(item))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        """After the koan's fixtures are gone, anything new and kk- is a leak: remove it."""
        yield
        before = self.run.koan_before.pop(item.nodeid, None)
        if before is None:
            return
        client = _docker_for(item, self.run)
        leaked = audit.take(client, _changes_runtimes(item)).minus(before, frozenset(self.run.session_owned))
        if leaked:
            audit.remove(leaked, client)
            self.run.record.koan_leaks[item.nodeid] = leaked

    @pytest.hookimpl(hookwrapper=True, trylast=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        """A koan that leaked fails in its teardown. Innermost wrapper (trylast): the plugin's
        own wrapper, which records outcomes, sees the failed report."""
        outcome = yield
        rep: pytest.TestReport = outcome.get_result()
        leaked = self.run.record.koan_leaks.get(item.nodeid)
        if rep.when == "teardown" and leaked and koan_info(item) is not None:
            rep.outcome = "failed"
            rep.longrepr = (f"This koan left kernel objects behind (now removed): {audit.describe(leaked)}. "
                            + LEAK_ADVICE)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """The session audit: after pytest tore every fixture down, also on Ctrl-C."""
        if self.run.session_before is None:
            return
        client = self.run.docker()
        leaks = audit.take(client).minus(self.run.session_before)
        if leaks:
            audit.remove(leaks, client)
        self.run.record.session_leaks = leaks

    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
        record = self.run.record
        if not (record.session_leaks or record.koan_leaks):
            return
        terminalreporter.write_sep("!", "kernel objects left behind (removed)", red=True, bold=True)
        for nodeid, found in record.koan_leaks.items():
            terminalreporter.write_line(f"{nodeid}: {audit.describe(found)}")
        if record.session_leaks:
            terminalreporter.write_line(f"after the session: {audit.describe(record.session_leaks)}")


def _changes_runtimes(item: pytest.Item) -> bool:
    """Only koans that register a runtime with the engine can leave one in its table; the
    session audit and `koans clean` look at the table whatever ran."""
    return "engine_with_runtime" in getattr(item, "fixturenames", ())


def _docker_for(item: pytest.Item, run: RunState) -> Any:
    """The audit looks at the engine only around koans that use it."""
    if "docker_client" not in getattr(item, "fixturenames", ()):
        return None
    return run.docker()
