"""M0 · PID 1, systemd, and the cgroup mode systemd chose.

Your exercise: three questions about the machine's init. The koans in
test_init.py check them against /proc and mountinfo. Note: your machine's PID 1
may be systemd (an Ubuntu VM) or something else (a container, WSL, a sandbox):
answer truthfully for both. Man pages: init(1), sd_booted(3), proc(5), cgroups(7).
"""
from __future__ import annotations

from kernel_koans import linux  # noqa: F401  (linux.statfs_magic is yours to use)


def ancestry(pid: int) -> list[int]:
    """[pid, its parent, its grandparent, ...], ending with the process whose parent
    is 0 (usually PID 1). The parent is the 4th field of /proc/<pid>/stat."""
    raise NotImplementedError("should return [pid, its parent, its grandparent, ...] up to the process whose parent is 0")


def systemd_booted() -> bool:
    """True when systemd is this system's init, decided the way sd_booted(3) decides it."""
    raise NotImplementedError("should say whether systemd is this system's init")


def cgroup_mode() -> str:
    """How this host mounts cgroups: "unified" (only v2), "hybrid" (v1 controllers
    plus a v2 tree) or "legacy" (only v1).

    Decide it the way systemd does: by the filesystem type of /sys/fs/cgroup, and
    when that is not cgroup2, of /sys/fs/cgroup/unified (linux.statfs_magic).
    """
    raise NotImplementedError("should return how this host mounts cgroups: 'unified', 'hybrid' or 'legacy'")
