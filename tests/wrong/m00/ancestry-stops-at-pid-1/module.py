"""M0 · PID 1, systemd, and the cgroup mode systemd chose. Reference solution.

Man pages: init(1), systemd(1), sd_booted(3), proc(5), cgroups(7).
"""
from __future__ import annotations

import os
from pathlib import Path

from kernel_koans import linux

CGROUP2_SUPER_MAGIC = 0x63677270


def parent_of(pid: int) -> int:
    """The ppid field of /proc/<pid>/stat (the 4th, after a comm that may hold spaces)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rpartition(")")[2].split()[1])


def ancestry(pid: int) -> list[int]:
    """[pid, its parent, its grandparent, ...] up to the process whose parent is 0."""
    chain = [pid]
    while chain[-1] != 1:
        chain.append(parent_of(chain[-1]))
    return chain


def systemd_booted() -> bool:
    """Whether systemd is this system's init, the way sd_booted(3) decides it."""
    return os.path.isdir("/run/systemd/system")


def cgroup_mode() -> str:
    """'unified' (v2 only), 'hybrid' (v1 controllers plus a v2 tree) or 'legacy' (v1 only),
    decided as systemd decides it: by the filesystem type of /sys/fs/cgroup."""
    if linux.statfs_magic("/sys/fs/cgroup") == CGROUP2_SUPER_MAGIC:
        return "unified"
    try:
        if linux.statfs_magic("/sys/fs/cgroup/unified") == CGROUP2_SUPER_MAGIC:
            return "hybrid"
    except FileNotFoundError:
        pass
    return "legacy"
