"""Reference twin: driving cgroups by writing their interface files.

A cgroup is a directory; its limits are files. The learner is taught the v2
names (memory.max, cpu.max, pids.max, io.max); this twin also speaks v1, so it
passes on hybrid hosts too (`cg.version` says which one the koan got).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kernel_koans.fixtures.cgroup import KoanCgroup


def _write(path: Path, value: str) -> None:
    """One write(2) per value: the kernel parses each write as one command."""
    path.write_text(value)


def join(cg: KoanCgroup, pid: int) -> None:
    """Move `pid` into the cgroup: write it into cgroup.procs (every v1 hierarchy on v1)."""
    for directory in set(cg.dirs.values()):
        _write(directory / "cgroup.procs", str(pid))


def limit_memory(cg: KoanCgroup, max_bytes: int) -> None:
    """Cap memory; past the cap the kernel reclaims, then the OOM killer picks a victim."""
    directory = cg.dir("memory")
    if cg.version == 2:
        _write(directory / "memory.max", str(max_bytes))
        swap = directory / "memory.swap.max"
        if swap.exists():  # without this the hog would swap instead of being killed
            _write(swap, "0")
    else:
        _write(directory / "memory.limit_in_bytes", str(max_bytes))
        memsw = directory / "memory.memsw.limit_in_bytes"
        if memsw.exists():  # memory+swap: equal to the limit means no swap at all
            _write(memsw, str(max_bytes))
        else:  # no swap accounting: tell reclaim not to swap this cgroup's memory
            _write(directory / "memory.swappiness", "0")


def limit_cpu(cg: KoanCgroup, quota_us: int, period_us: int = 100_000) -> None:
    """Allow `quota_us` of CPU time per `period_us` (CFS bandwidth control)."""
    directory = cg.dir("cpu")
    if cg.version == 2:
        _write(directory / "cpu.max", f"{quota_us} {period_us}")
    else:
        # v1 checks quota against the current period: set the period first.
        _write(directory / "cpu.cfs_period_us", str(period_us))
        _write(directory / "cpu.cfs_quota_us", str(quota_us))


def limit_pids(cg: KoanCgroup, max_pids: int) -> None:
    """Cap the number of tasks; fork()/clone() beyond it fail with EAGAIN."""
    _write(cg.dir("pids").parent / "pids.max", str(max_pids))  # hierarchical: covers the child


def limit_write_bps(cg: KoanCgroup, device: str, bytes_per_second: int) -> None:
    """Throttle writes to block device `device` ("MAJ:MIN") to `bytes_per_second`."""
    if cg.version == 2:
        _write(cg.dir("io") / "io.max", f"{device} wbps={bytes_per_second}")
    else:
        _write(cg.dir("blkio") / "blkio.throttle.write_bps_device", f"{device} {bytes_per_second}")


def delegate(cg: KoanCgroup, controller: str) -> None:
    """v2 only: enable `controller` for the cgroup's children (cgroup.subtree_control)."""
    _write(cg.path / "cgroup.subtree_control", f"+{controller}")
