"""Reference twin of the benchmark suite: start each image under the same limits, repeatedly,
and report startup time and memory as min/median/max."""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from kernel_koans import readiness


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
    return Summary(min(values), statistics.median(values), max(values))


def _rss(pid: int) -> int:
    """VmRSS of a process, in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024  # the kernel writes kB
    return 0


def measure(client: Any, image: str, lang: str, memory: int, nano_cpus: int,
            labels: dict[str, str], timeout: float = 60.0) -> Sample:
    """Start one container of `image` (its service written in `lang`) under the limits; time
    until the service first answers, read its RSS, remove it."""
    container = client.containers.create(image, labels=labels, mem_limit=memory, nano_cpus=nano_cpus)
    try:
        start = time.monotonic()
        container.start()
        readiness.wait_for_hello(container, lang, timeout)
        startup = time.monotonic() - start
        container.reload()
        with open(f"/proc/{container.attrs['State']['Pid']}/status") as f:
            parent = int(next(line for line in f if line.startswith("PPid:")).split()[1])
        return Sample(startup, _rss(parent))
    finally:
        container.remove(force=True)


def run_suite(client: Any, images: dict[str, str], repeats: int, memory: int, nano_cpus: int,
              labels: dict[str, str]) -> dict[str, dict[str, Summary]]:
    """image tag -> {"startup_s": Summary, "rss_bytes": Summary}, every image (tag -> the
    language of its service) under the same limits, `repeats` runs each."""
    out: dict[str, dict[str, Summary]] = {}
    for image, lang in images.items():
        samples = [measure(client, image, lang, memory, nano_cpus, labels) for _ in range(repeats)]
        out[image] = {"startup_s": summarize([s.startup_s for s in samples]),
                      "rss_bytes": summarize([float(s.rss_bytes) for s in samples])}
    return out
