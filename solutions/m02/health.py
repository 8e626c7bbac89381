"""Health checks: the engine's configuration, and a model of the rules it applies.

The engine runs the test command every `interval`; the result moves the
container's Health.Status between "starting", "healthy" and "unhealthy"
(moby: daemon/health.go, handleProbeResult).
"""
from __future__ import annotations

from dataclasses import dataclass

SECOND_NS = 1_000_000_000


def ready_file_healthcheck(path: str, interval_s: float, timeout_s: float, retries: int,
                           start_period_s: float) -> dict[str, object]:
    """The SDK's healthcheck dict: healthy while `path` exists (durations in nanoseconds)."""
    return {
        # CMD-SHELL runs through /bin/sh -c inside the container; exit 0 means healthy.
        "test": ["CMD-SHELL", f"test -e {path}"],
        "interval": int(interval_s * SECOND_NS),
        "timeout": int(timeout_s * SECOND_NS),
        "retries": retries,
        "start_period": int(start_period_s * SECOND_NS),
    }


@dataclass(frozen=True)
class Health:
    """What the engine keeps per container: the status and the count of failures in a row."""

    status: str = "starting"
    failing_streak: int = 0


def step(health: Health, passed: bool, since_start_s: float, start_period_s: float,
         retries: int) -> Health:
    """The health after one probe result, by the engine's rules."""
    if passed:
        # Any success: healthy, and the streak starts over.
        return Health("healthy", 0)
    if health.status == "starting" and since_start_s < start_period_s:
        # Failures while still starting, inside the start period, are not counted.
        return health
    streak = health.failing_streak + 1
    status = "unhealthy" if streak >= retries else health.status
    return Health(status, streak)
