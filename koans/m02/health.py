"""Health checks: the engine's configuration, and a model of the rules it applies.

The engine runs the test command every `interval`; each result moves the
container's Health.Status between "starting", "healthy" and "unhealthy".
"""
from __future__ import annotations

from dataclasses import dataclass

SECOND_NS = 1_000_000_000


def ready_file_healthcheck(path: str, interval_s: float, timeout_s: float, retries: int,
                           start_period_s: float) -> dict[str, object]:
    """The docker SDK's `healthcheck=` dict for "healthy while the file `path` exists".

    Keys: "test" (a list: ["CMD-SHELL", "<shell command>"] runs through /bin/sh -c
    inside the container; exit 0 is healthy), "interval", "timeout",
    "start_period" (all in NANOSECONDS, ints) and "retries".
    """
    raise NotImplementedError("should return the healthcheck for 'healthy while the file exists'")


@dataclass(frozen=True)
class Health:
    """What the engine keeps per container: the status and the count of failures in a row."""

    status: str = "starting"
    failing_streak: int = 0


def step(health: Health, passed: bool, since_start_s: float, start_period_s: float,
         retries: int) -> Health:
    """The health after one probe result. The engine's rules (moby daemon/health.go):

    - a probe that passes: status "healthy", streak 0 (from any status);
    - a failure while the status is still "starting" and the container started less
      than `start_period_s` ago: not counted, nothing changes;
    - any other failure: the streak grows by one; when it reaches `retries` the
      status becomes "unhealthy" (until then it stays what it was).
    """
    raise NotImplementedError("should return the health after one probe result")
