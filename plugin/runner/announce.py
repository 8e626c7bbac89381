"""Say, as it happens, why the run is waiting when the wait is no fault of the learner's
(a base image built once and kept): records on the `kernel_koans` logger (stdlib logging),
shown live on the terminal past pytest's output capture while a koan runs.

pytest's own live logging (log_cli) would show every library's records as well and is off
by default; this shows only the framework's INFO records, and they still reach pytest's
report capture like any other record.
"""
from __future__ import annotations

import logging
from contextlib import nullcontext

import pytest

LOGGER = logging.getLogger("kernel_koans")
"""The parent of every framework module's logger (logging.getLogger(__name__))."""


class TerminalHandler(logging.Handler):
    """Writes a record as its own `kernel-koans: ...` line on pytest's terminal."""

    def __init__(self, config: pytest.Config) -> None:
        super().__init__(logging.INFO)
        self.config = config

    def emit(self, record: logging.LogRecord) -> None:
        plugins = self.config.pluginmanager
        terminal = plugins.get_plugin("terminalreporter")
        if terminal is None:
            return
        capture = plugins.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
            terminal.ensure_newline()
            terminal.write_line(f"kernel-koans: {self.format(record)}")


HANDLER = pytest.StashKey[TerminalHandler]()
"""The run's handler, kept on its config to be removed at the end."""


def install(config: pytest.Config) -> TerminalHandler:
    """Show the framework's INFO records on this run's terminal (until `remove`)."""
    handler = TerminalHandler(config)
    LOGGER.addHandler(handler)
    if LOGGER.level == logging.NOTSET or LOGGER.level > logging.INFO:
        LOGGER.setLevel(logging.INFO)
    return handler


def remove(handler: TerminalHandler) -> None:
    LOGGER.removeHandler(handler)
