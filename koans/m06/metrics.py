"""M6 · A metrics collector: what `docker stats` shows, read from the container's own cgroup.

Your host may be cgroup v2 (one hierarchy) or hybrid (v1 controllers, plus a v2 hierarchy
without them): /proc/<pid>/cgroup and /proc/self/mountinfo say which."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """One reading of a container's cgroup."""

    memory_bytes: int
    """Memory in use the way `docker stats` counts it."""
    cpu_ns: int
    """CPU time charged to the cgroup since it was made, in nanoseconds."""
    memory_pressure_us: int | None
    """PSI: the `some` total (µs some task waited for memory); None where the cgroup has none."""


def collect(pid: int) -> Sample:
    """Memory, CPU time and memory pressure of the cgroup that process `pid` runs in."""
    raise NotImplementedError("should read memory, CPU time and memory pressure from the cgroup of process `pid`")
