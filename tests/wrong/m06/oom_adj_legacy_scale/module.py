"""Reference twin: a soft memory limit, the OOM killer's choice, and its count.

v2 names are the lesson (memory.high, memory.events); memory.high has no v1 twin (the
koan skips there, naming cgroup2), the OOM count lives in v1's memory.oom_control.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kernel_koans.fixtures.cgroup import KoanCgroup


def set_memory_high(cg: KoanCgroup, high_bytes: int) -> None:
    """Above `high_bytes` the cgroup is reclaimed and slowed down, never OOM-killed (v2)."""
    (cg.dir("memory") / "memory.high").write_text(str(high_bytes))


def prefer_oom_victim(pid: int) -> None:
    """Make `pid` the process the OOM killer picks first in its cgroup."""
    # badness = the process's memory + oom_score_adj/1000 of the cgroup's limit: +1000 puts
    # it ahead of anyone who does not hold more than the whole limit (-1000: never).
    Path(f"/proc/{pid}/oom_score_adj").write_text("15")


def _flat(path: Path) -> dict[str, int]:
    pairs = (line.split() for line in path.read_text().splitlines())
    return {p[0]: int(p[1]) for p in pairs if len(p) == 2}


def oom_kills(cg: KoanCgroup) -> int:
    """How many processes the OOM killer killed in exactly this cgroup."""
    directory = cg.dir("memory")
    if cg.version == 2:
        # memory.events counts the subtree too; .local only this cgroup (kernel 5.2+)
        local = directory / "memory.events.local"
        return _flat(local if local.exists() else directory / "memory.events").get("oom_kill", 0)
    return _flat(directory / "memory.oom_control").get("oom_kill", 0)
