"""Which cgroup layout the host runs, and where the koans' cgroups live.

Unified (v2): one tree at /sys/fs/cgroup; koans' cgroups live under one
`kernel-koans` parent. Hybrid/legacy (v1): a tree per controller; koans'
cgroups nest under the cgroup this run is already in, per controller, so that
no process is ever moved out of the run's own cgroup.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import NamedTuple

PARENT = "kernel-koans"
V2_CONTROLLERS_WANTED = ("cpu", "memory", "io", "pids")


class Layout(NamedTuple):
    """The host's cgroup mounts as read from /proc/self/mountinfo. (A NamedTuple, not a
    dataclass: a runtime the koans start as a program, mini-run, imports this module, and
    dataclasses would cost each of its calls an import of inspect.)"""

    mode: str  # "unified", "hybrid", "legacy" or "none"
    v2_mount: Path | None
    v2_controllers: tuple[str, ...]
    v1_mounts: dict[str, Path] = {}  # never mutated: read_layout builds a dict of its own

    @property
    def controllers(self) -> tuple[str, ...]:
        """Controllers a koan can use, whichever version offers them."""
        return tuple(sorted(set(self.v2_controllers) | set(self.v1_mounts)))

    def version_for(self, controller: str) -> int | None:
        if controller in self.v2_controllers:
            return 2
        if controller in self.v1_mounts:
            return 1
        return None

    def describe(self) -> str:
        if self.mode == "unified":
            return f"cgroup v2 (unified) at {self.v2_mount}, controllers: {' '.join(self.v2_controllers)}"
        if self.mode == "none":
            return "no cgroup filesystem mounted"
        v1 = " ".join(sorted(self.v1_mounts))
        v2 = f"; v2 at {self.v2_mount} with controllers: {' '.join(self.v2_controllers) or 'none'}" if self.v2_mount else ""
        return f"cgroup {self.mode} — v1 controllers: {v1}{v2}"


def read_layout(mountinfo: str | None = None) -> Layout:
    """Parse mountinfo into a Layout (cgroup(7), 'Cgroups version 1 and version 2')."""
    if mountinfo is None:
        mountinfo = Path("/proc/self/mountinfo").read_text()
    v2_mount: Path | None = None
    v1: dict[str, Path] = {}
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) < 5 or len(rfields) < 3:
            continue
        mount_point, fstype, super_opts = Path(fields[4]), rfields[0], rfields[2]
        if fstype == "cgroup2" and v2_mount is None:
            v2_mount = mount_point
        elif fstype == "cgroup":
            for opt in super_opts.split(","):
                if opt in KNOWN_V1 and opt not in v1:
                    v1[opt] = mount_point
    v2_controllers: tuple[str, ...] = ()
    if v2_mount is not None:
        try:
            v2_controllers = tuple((v2_mount / "cgroup.controllers").read_text().split())
        except OSError:
            v2_controllers = ()
    if v2_mount is not None and not v1:
        mode = "unified"
    elif v1 and v2_mount is not None:
        mode = "hybrid"
    elif v1:
        mode = "legacy"
    else:
        mode = "none"
    return Layout(mode, v2_mount, v2_controllers, v1)


KNOWN_V1 = ("cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "freezer", "devices",
            "net_cls", "net_prio", "perf_event", "hugetlb", "rdma", "misc")


def own_cgroup_path(controller: str | None, proc_cgroup: str | None = None) -> str:
    """This process's cgroup path for a v1 controller, or the v2 path for None."""
    if proc_cgroup is None:
        proc_cgroup = Path("/proc/self/cgroup").read_text()
    for line in proc_cgroup.splitlines():
        _, controllers, path = line.split(":", 2)
        names = controllers.split(",") if controllers else []
        if controller is None and controllers == "":
            return path
        if controller is not None and controller in names:
            return path
    return "/"


def koans_parent(layout: Layout, controller: str) -> Path:
    """Where kk- cgroups for `controller` are created."""
    version = layout.version_for(controller)
    if version == 2:
        assert layout.v2_mount is not None
        return layout.v2_mount / PARENT
    if version == 1:
        own = own_cgroup_path(controller).lstrip("/")
        return layout.v1_mounts[controller] / own / PARENT
    raise LookupError(f"no cgroup controller {controller!r} on this host")


def ensure_parent(layout: Layout, controller: str) -> Path:
    """Create the parent (and on v2 enable the controller for its children)."""
    parent = koans_parent(layout, controller)
    version = layout.version_for(controller)
    if version == 2:
        assert layout.v2_mount is not None
        enable_for_children(layout.v2_mount, controller)
        parent.mkdir(exist_ok=True)
        enable_for_children(parent, controller)
    else:
        parent.mkdir(exist_ok=True)
        if controller == "cpuset":
            inherit_cpuset(parent)
    return parent


def enable_for_children(directory: Path, controller: str) -> None:
    """v2: hand `controller` down to the cgroup's children (cgroup.subtree_control)."""
    control = directory / "cgroup.subtree_control"
    if controller not in control.read_text().split():
        control.write_text(f"+{controller}")


def inherit_cpuset(directory: Path) -> None:
    """A v1 cpuset starts empty; copy the parent's cpus and mems so tasks may join."""
    for name in ("cpuset.cpus", "cpuset.mems"):
        own = directory / name
        if own.exists() and not own.read_text().strip():
            own.write_text((directory.parent / name).read_text())


def all_parents(layout: Layout) -> list[Path]:
    """Every existing koans' parent directory on this host (for audits and `koans clean`)."""
    found: list[Path] = []
    seen: set[Path] = set()
    for controller in layout.controllers:
        try:
            parent = koans_parent(layout, controller)
        except LookupError:
            continue
        if parent not in seen and parent.is_dir():
            seen.add(parent)
            found.append(parent)
    return found


def leftovers(layout: Layout) -> list[Path]:
    """kk- cgroups under the koans' parents, deepest first."""
    out: list[Path] = []
    for parent in all_parents(layout):
        for path in sorted(parent.rglob("kk-*"), key=lambda p: len(p.parts), reverse=True):
            if path.is_dir():
                out.append(path)
    return out


def procs(directory: Path) -> list[int]:
    try:
        text = (directory / "cgroup.procs").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def remove(directory: Path, timeout: float = 5.0) -> None:
    """Kill what still runs in a cgroup (and its children), then rmdir it, deepest first."""
    if not directory.is_dir():
        return
    for child in sorted((p for p in directory.rglob("*") if p.is_dir()),
                        key=lambda p: len(p.parts), reverse=True):
        remove(child, timeout)
    kill_file = directory / "cgroup.kill"
    deadline = time.monotonic() + timeout
    while True:
        pids = procs(directory)
        if not pids:
            break
        if kill_file.exists():
            try:
                kill_file.write_text("1")
            except OSError:
                pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            break
        time.sleep(0.02)
    for _ in range(100):
        try:
            directory.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)
    directory.rmdir()


def remove_empty_parents(layout: Layout) -> None:
    """Drop the `kernel-koans` parents once no kk- cgroup is left, so the host looks as before."""
    for parent in all_parents(layout):
        try:
            if not any(p.is_dir() for p in parent.iterdir()):
                parent.rmdir()
        except OSError:
            pass
