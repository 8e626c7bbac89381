"""A koan's time limit, in one place: pytest-timeout's own precedence, times the host's slowness.

pytest-timeout resolves a koan's limit (a `timeout` marker, else --timeout, PYTEST_TIMEOUT,
the ini file). The limit guards against code that hangs; it is no speed test. Under software
emulation (`koans vm`, where child.slowness() > 1) every koan runs slower, the ones that set
their own, longer limit included, so each resolved limit is stretched here by that factor.
"""
from __future__ import annotations

from typing import Any

import pytest

from kernel_koans import child

# The one use of pytest-timeout's private API, pinned (pyproject.toml: <3) and held by
# tests/test_timelimits.py: no public call answers "which limit will this item get"
# (its hooks see the settings only when a timer starts, after collection, too late to
# stretch them). Resolving the limit ourselves would copy its precedence and drift.
try:
    from pytest_timeout import _get_item_settings
except ImportError as err:  # pragma: no cover - only when pytest-timeout moved it
    raise ImportError("kernel-koans reads a koan's time limit with pytest-timeout's "
                      "_get_item_settings, which this pytest-timeout no longer has; "
                      "install the version pyproject.toml pins") from err


def resolved(item: Any) -> Any:
    """pytest-timeout's settings for the item (its own code, so they are the ones it uses)."""
    return _get_item_settings(item)


def koan_timeout(item: Any) -> float | None:
    """The seconds pytest-timeout gives the koan, or None when it has no limit."""
    settings = resolved(item)
    seconds = getattr(settings, "timeout", None)
    return float(seconds) if seconds else None


def stretch(items: list[pytest.Item]) -> None:
    """Give each koan its limit times the host's slowness, as a marker closest to the koan,
    keeping the method and func_only it had."""
    factor = child.slowness()
    if factor == 1:
        return
    for item in items:
        settings = resolved(item)
        if settings is None or not settings.timeout:
            continue
        seconds = settings.timeout
        item.add_marker(pytest.mark.timeout(float(seconds) * factor, method=settings.method,
                                            func_only=settings.func_only), append=False)
