"""Reference twin of the benchmark suite: start each image under the same limits, repeatedly,
and report startup time and memory as min/median/max."""
from __future__ import annotations

import statistics
import time
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
    return Summary(min(values), statistics.median(values), max(values))


def _rss(pid: int) -> int:
    """VmRSS of a process, in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024  # the kernel writes kB
    return 0


def measure(client: Any, image: str, argv: list[str], memory: int, nano_cpus: int,
            labels: dict[str, str], timeout: float = 30.0) -> Sample:
    """Start one container of `image` running argv (which prints "ready" then waits) under the
    limits; time until "ready", read its RSS, remove it."""
    container = client.containers.create(image, argv, labels=labels, mem_limit=memory, nano_cpus=nano_cpus)
    try:
        start = time.monotonic()
        container.start()
        while READY.encode() not in container.logs():
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"{image} printed no {READY!r} within {timeout} s")
            time.sleep(0.005)
        startup = time.monotonic() - start
        container.reload()
        return Sample(startup, _rss(container.attrs["State"]["Pid"]), container.attrs["HostConfig"]["Memory"])
    finally:
        container.remove(force=True)


def run_suite(client: Any, commands: dict[str, list[str]], repeats: int, memory: int, nano_cpus: int,
              labels: dict[str, str]) -> dict[str, dict[str, Summary]]:
    """image tag -> {"startup_s": Summary, "rss_bytes": Summary}, every image under the same limits."""
    out: dict[str, dict[str, Summary]] = {}
    for image, argv in commands.items():
        samples = [measure(client, image, argv, memory, nano_cpus, labels) for _ in range(repeats)]
        out[image] = {"startup_s": summarize([s.startup_s for s in samples]),
                      "rss_bytes": summarize([float(s.rss_bytes) for s in samples])}
    return out
