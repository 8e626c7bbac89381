"""M6 · Memory: a soft limit that throttles, the OOM killer's choice, and where it is counted.
`cg.version` says whether the koan's cgroup is v2 or v1."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kernel_koans.fixtures.cgroup import KoanCgroup


def set_memory_high(cg: KoanCgroup, high_bytes: int) -> None:
    """Above `high_bytes` the cgroup is reclaimed and slowed down, never OOM-killed (v2)."""
    raise NotImplementedError("should set the cgroup's soft memory limit (the throttling one)")


def prefer_oom_victim(pid: int) -> None:
    """Make `pid` the process the OOM killer picks first in its cgroup."""
    raise NotImplementedError("should make this process the OOM killer's first choice")


def oom_kills(cg: KoanCgroup) -> int:
    """How many processes the OOM killer killed in exactly this cgroup."""
    raise NotImplementedError("should return the OOM kill count of exactly this cgroup")
