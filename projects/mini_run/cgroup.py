"""The container's cgroup: made, limited and joined before its program starts (yours to write).

The limits must hold on both layouts a host can have: cgroup v2 (one tree, the files
memory.max and cpu.max) and v1 (a tree per controller: memory.limit_in_bytes,
cpu.cfs_quota_us). A hybrid host has both mounted, its controllers on v1.
"""
from __future__ import annotations

import os  # noqa: F401
import time  # noqa: F401
from pathlib import Path
from typing import Any

from kernel_koans import cgroups

CONTROLLERS = ("memory", "cpu", "pids")


def relative(cgroups_path: str | None, cid: str) -> str:
    """linux.cgroupsPath as a path inside each hierarchy. The systemd form
    (slice:prefix:name) names no directory: its last part goes under kernel-koans/."""
    if not cgroups_path:
        return f"{cgroups.PARENT}/{cid}"
    if ":" in cgroups_path and not cgroups_path.startswith("/"):
        return f"{cgroups.PARENT}/{cgroups_path.rsplit(':', 1)[-1]}"
    return cgroups_path.strip("/")


def directories(rel: str) -> list[Path]:
    """The container's cgroup in every hierarchy that has one of CONTROLLERS."""
    raise NotImplementedError("should name the container's cgroup directory in every hierarchy it needs")


def _make_v2(directory: Path, mount: Path) -> None:
    """mkdir every level, handing the controllers down through cgroup.subtree_control."""
    available = (mount / "cgroup.controllers").read_text().split()
    wanted = " ".join(f"+{c}" for c in CONTROLLERS if c in available)
    level = mount
    for part in directory.relative_to(mount).parts:
        if wanted:
            (level / "cgroup.subtree_control").write_text(wanted)
        level = level / part
        level.mkdir(exist_ok=True)


def limits(resources: dict[str, Any], version: int) -> dict[str, str]:
    """{file: value} for linux.resources on cgroup `version`."""
    raise NotImplementedError('should map linux.resources to cgroup files and values for cgroup v1 or v2')


def setup(rel: str, resources: dict[str, Any], pid: int) -> list[str]:
    """Make the cgroup in every hierarchy, write the limits, move `pid` in; the dirs made."""
    raise NotImplementedError("should make the container's cgroup, write its limits and move the pid in")


def remove(dirs: list[str], timeout: float = 5.0) -> None:
    """rmdir each cgroup once its processes are gone (they die with the pid namespace's init)."""
    raise NotImplementedError("should remove the container's cgroups")
