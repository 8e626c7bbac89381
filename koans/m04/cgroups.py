"""cgroups: limits are files, and you write them.

Every function gets a `KoanCgroup` (the koan made it, and removes it after):
  cg.path           the cgroup's directory, e.g. /sys/fs/cgroup/kernel-koans/kk-cg-1a2b
  cg.dir("memory")  the directory holding that controller's files (on v2: cg.path)
  cg.version        2 on a unified host; 1 on a hybrid host (one directory per controller)

Write plain text with `Path.write_text(...)`: each write is one command the
kernel parses, and a value it refuses comes back as OSError (EINVAL, EBUSY...).
The koans teach the v2 file names; `koans compare` shows how the reference
also handles v1 hosts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kernel_koans.fixtures.cgroup import KoanCgroup


def join(cg: KoanCgroup, pid: int) -> None:
    """Move process `pid` into the cgroup.

    Write the pid (as text) into the cgroup's `cgroup.procs` file. The kernel
    moves the whole process (all its threads); /proc/<pid>/cgroup then shows
    the new path. (On a v1 host, do it in every directory of `cg.dirs`.)
    """
    raise NotImplementedError("should move process `pid` into the cgroup")


def limit_memory(cg: KoanCgroup, max_bytes: int) -> None:
    """Cap the cgroup's memory at `max_bytes`.

    v2: write the number into `memory.max`. If `memory.swap.max` exists,
    write "0" into it, or the kernel swaps instead of calling the OOM killer.
    """
    raise NotImplementedError("should cap the cgroup's memory at `max_bytes`")


def limit_cpu(cg: KoanCgroup, quota_us: int, period_us: int = 100_000) -> None:
    """Let the cgroup run `quota_us` microseconds of CPU in every `period_us`.

    v2: write "QUOTA PERIOD" (e.g. "20000 100000" = 20 % of one CPU) into `cpu.max`.
    """
    raise NotImplementedError("should let the cgroup run `quota_us` of CPU in every `period_us`")


def limit_pids(cg: KoanCgroup, max_pids: int) -> None:
    """Allow at most `max_pids` tasks in the cgroup (a fork-bomb guard).

    v2: write the number into `pids.max`.
    """
    raise NotImplementedError("should allow at most `max_pids` tasks in the cgroup")


def limit_write_bps(cg: KoanCgroup, device: str, bytes_per_second: int) -> None:
    """Throttle writes to the block device `device` ("MAJ:MIN", e.g. "7:0").

    v2: write "MAJ:MIN wbps=N" into `io.max` (cg.dir("io")). Throttling is per
    device: the kernel needs the device numbers, not a path.
    """
    raise NotImplementedError("should throttle the cgroup's writes to `device`")


def delegate(cg: KoanCgroup, controller: str) -> None:
    """Enable `controller` for the cgroup's children (v2 only).

    Write "+memory" (for controller "memory") into `cgroup.subtree_control`.
    The kernel then creates memory.* files in every child cgroup.
    """
    raise NotImplementedError("should enable `controller` for the cgroup's children")
