"""The container's cgroup: made, limited and joined before its program starts (reference).

The limits must hold on both layouts a host can have: cgroup v2 (one tree, the files
memory.max and cpu.max) and v1 (a tree per controller: memory.limit_in_bytes,
cpu.cfs_quota_us). A hybrid host has both mounted, its controllers on v1.
"""
from __future__ import annotations

import os
import time
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
    layout = cgroups.read_layout()
    if layout.mode == "unified":
        assert layout.v2_mount is not None
        return [layout.v2_mount / rel]
    mounts = {layout.v1_mounts[c] for c in CONTROLLERS if c in layout.v1_mounts}
    return sorted(mount / rel for mount in mounts)


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
    out: dict[str, str] = {}
    memory = resources.get("memory", {}).get("limit")
    cpu = resources.get("cpu", {})
    quota, period = cpu.get("quota"), cpu.get("period") or 100_000
    pids = resources.get("pids", {}).get("limit")
    if True:  # v2 names everywhere
        if memory:
            out["memory.max"] = str(memory)
        if quota:
            out["cpu.max"] = f"{quota} {period}"
        if pids:
            out["pids.max"] = str(pids)
    else:
        if memory:
            out["memory.limit_in_bytes"] = str(memory)
        if quota:
            out["cpu.cfs_period_us"] = str(period)  # period first: the quota is checked against it
            out["cpu.cfs_quota_us"] = str(quota)
        if pids:
            out["pids.max"] = str(pids)
    return out


def setup(rel: str, resources: dict[str, Any], pid: int) -> list[str]:
    """Make the cgroup in every hierarchy, write the limits, move `pid` in; the dirs made."""
    layout = cgroups.read_layout()
    made: list[str] = []
    for directory in directories(rel):
        if layout.mode == "unified":
            assert layout.v2_mount is not None
            _make_v2(directory, layout.v2_mount)
            version = 2
        else:
            directory.mkdir(parents=True, exist_ok=True)
            version = 1
        made.append(str(directory))
        for name, value in limits(resources, version).items():
            if (directory / name).exists():
                (directory / name).write_text(value)
        (directory / "cgroup.procs").write_text(str(pid))
    return made


def remove(dirs: list[str], timeout: float = 5.0) -> None:
    """rmdir each cgroup once its processes are gone (they die with the pid namespace's init).
    A process killed here takes a moment to leave; v1 offers nothing to wait on, so the
    retries start after a millisecond and back off."""
    for name in dirs:
        directory = Path(name)
        deadline = time.monotonic() + timeout
        pause = 0.001
        while directory.is_dir():
            try:
                directory.rmdir()
            except OSError:
                for pid in (directory / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), 9)
                    except ProcessLookupError:
                        pass
                if time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
