"""kernel_koans.waiting: look again until done or a deadline, the last reading either way."""
from __future__ import annotations

import itertools
import time

import pytest

from kernel_koans import child, waiting


def test_settle_returns_the_first_reading_that_is_done() -> None:
    counter = itertools.count()
    assert waiting.settle(lambda: next(counter), lambda n: n >= 3, 5, 0) == 3


def test_settle_returns_the_last_reading_at_the_deadline() -> None:
    started = time.monotonic()
    got = waiting.settle(lambda: "never", lambda s: s == "done", 0.2, 0.01)
    assert got == "never"
    assert 0.2 <= time.monotonic() - started < 2


def test_deadlines_stretch_with_the_hosts_slowness(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(child.SLOWNESS_ENV, "3")
    started = time.monotonic()
    assert not waiting.until(lambda: False, 0.1, 0.01)
    assert time.monotonic() - started >= 0.3


def test_until_says_whether_the_check_came_true() -> None:
    flips = iter([False, False, True])
    assert waiting.until(lambda: next(flips), 5, 0)
