"""The benchmark suite: start each image under the same limits, repeatedly, and report
startup time and memory as min/median/max."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

READY = "ready"


@dataclass(frozen=True)
class Sample:
    startup_s: float  # from the start request to the app's first line "ready"
    rss_bytes: int  # resident memory of the container's main process then
    memory_limit: int  # the limit the engine applied (HostConfig.Memory)


@dataclass(frozen=True)
class Summary:
    min: float
    median: float
    max: float


def summarize(values: list[float]) -> Summary:
    """Min, median and max of repeated measurements (the median resists outliers)."""
    raise NotImplementedError('should return the min, median and max of the values')


def _rss(pid: int) -> int:
    """VmRSS of a process, in bytes."""
    raise NotImplementedError('should return the resident memory of the process in bytes')


def measure(client: Any, image: str, argv: list[str], memory: int, nano_cpus: int,
            labels: dict[str, str], timeout: float = 30.0) -> Sample:
    """Start one container of `image` running argv (which prints "ready" then waits) under the
    limits; time until "ready", read its RSS, remove it."""
    raise NotImplementedError('should start one container under the limits and return its startup time and RSS')


def run_suite(client: Any, commands: dict[str, list[str]], repeats: int, memory: int, nano_cpus: int,
              labels: dict[str, str]) -> dict[str, dict[str, Summary]]:
    """image tag -> {"startup_s": Summary, "rss_bytes": Summary}, every image under the same limits."""
    raise NotImplementedError('should measure every image repeatedly and summarize each figure')
