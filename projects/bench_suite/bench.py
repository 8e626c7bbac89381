"""The benchmark suite: start each image under the same limits, repeatedly, and report
startup time and memory as min/median/max."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kernel_koans import readiness  # noqa: F401 - readiness.wait_for_hello: the service's first answer


@dataclass(frozen=True)
class Sample:
    startup_s: float  # from the start request to the service's first right answer
    rss_bytes: int  # resident memory of the service's own process then


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


def measure(client: Any, image: str, lang: str, memory: int, nano_cpus: int,
            labels: dict[str, str], timeout: float = 60.0) -> Sample:
    """Start one container of `image` (its service written in `lang`) under the limits; time
    until the service first answers, read its RSS, remove it."""
    raise NotImplementedError('should start one container under the limits and return its startup time and RSS')


def run_suite(client: Any, images: dict[str, str], repeats: int, memory: int, nano_cpus: int,
              labels: dict[str, str]) -> dict[str, dict[str, Summary]]:
    """image tag -> {"startup_s": Summary, "rss_bytes": Summary}, every image (tag -> the
    language of its service) under the same limits, `repeats` runs each."""
    raise NotImplementedError('should measure every image repeatedly and summarize each figure')
