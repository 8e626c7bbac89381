"""Look again until the kernel or the engine has caught up: the one way koans wait.

Much of what a koan observes lands asynchronously: a process reaches its `sleep`, the
engine copies a container's stdout to its log, a service counts a request just after
answering it, the kernel reaps a namespace. A koan reads, and reads again until what it
expects shows or a deadline passes, then asserts on the last reading, so a failure shows
what was really there. Deadlines are given for a host of ordinary speed and stretched by
the host's slowness factor (`child.slowness()`, set under emulation by `koans vm`).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from kernel_koans import child

T = TypeVar("T")


def settle(read: Callable[[], T], done: Callable[[T], bool], seconds: float,
           every: float = 0.05) -> T:
    """`read()` until `done(reading)` or `seconds` (times the host's slowness) have passed;
    the last reading either way."""
    deadline = time.monotonic() + seconds * child.slowness()
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(every)


def until(check: Callable[[], bool], seconds: float, every: float = 0.05) -> bool:
    """Whether `check()` came true within `seconds` (times the host's slowness)."""
    return settle(check, bool, seconds, every)
