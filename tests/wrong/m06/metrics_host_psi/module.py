"""Reference twin: a container's metrics, read from exactly its own cgroup.

The process's /proc/<pid>/cgroup names its cgroup in every hierarchy (v1: one line per
controller, `N:memory:/docker/<id>`; v2: the single `0::/…` line); /proc/self/mountinfo
says where each hierarchy is mounted. On a hybrid host the v2 hierarchy holds no
controllers but still keeps per-cgroup PSI (memory.pressure).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One reading of a container's cgroup."""

    memory_bytes: int
    """Memory in use the way `docker stats` counts it."""
    cpu_ns: int
    """CPU time charged to the cgroup since it was made, in nanoseconds."""
    memory_pressure_us: int | None
    """PSI: the `some` total (µs some task waited for memory); None where the cgroup has none."""


def _mounts() -> dict[str, Path]:
    """Hierarchy mount points: "" for the v2 one, else each v1 controller's name."""
    found: dict[str, Path] = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(rfields) < 3:
            continue
        if rfields[0] == "cgroup2":
            found.setdefault("", Path(fields[4]))
        elif rfields[0] == "cgroup":
            for opt in rfields[2].split(","):
                found.setdefault(opt, Path(fields[4]))
    return found


def _dirs(pid: int) -> dict[str, Path]:
    """pid's cgroup directory per controller name ("" for the v2 hierarchy)."""
    mounts = _mounts()
    out: dict[str, Path] = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            if name in mounts:
                out[name] = mounts[name] / path.lstrip("/")
    return out


def _flat(path: Path) -> dict[str, int]:
    pairs = (line.split() for line in path.read_text().splitlines())
    return {p[0]: int(p[1]) for p in pairs if len(p) == 2}


def _pressure(path: Path) -> int | None:
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        kind, *fields = line.split()
        if kind == "some":
            return int(dict(f.split("=") for f in fields)["total"])
    return None


def collect(pid: int) -> Sample:
    """Memory, CPU time and memory pressure of the cgroup that process `pid` runs in."""
    dirs = _dirs(pid)
    if "memory" in dirs:  # v1: its own hierarchy
        mem = dirs["memory"]
        usage = int((mem / "memory.usage_in_bytes").read_text())
        inactive = _flat(mem / "memory.stat").get("total_inactive_file", 0)
    else:
        mem = dirs[""]
        usage = int((mem / "memory.current").read_text())
        inactive = _flat(mem / "memory.stat").get("inactive_file", 0)
    # docker stats: usage less the page cache the kernel would drop first
    memory = usage - inactive if inactive < usage else usage
    if "cpuacct" in dirs:  # v1: nanoseconds already
        cpu = int((dirs["cpuacct"] / "cpuacct.usage").read_text())
    else:
        cpu = _flat(dirs[""] / "cpu.stat")["usage_usec"] * 1000
    pressure = _pressure(Path("/proc/pressure/memory"))
    return Sample(memory, cpu, pressure)
