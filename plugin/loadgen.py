"""Bounded load for the resource koans (M6): workers that wait to be put in a cgroup,
then spin, allocate or write, and the kernel's counters they are measured by.

A worker is a fresh Python (`python -c WORKER mode ...`) started through the koan's
`spawn` fixture: it says "ready" once the interpreter is up, waits on stdin while the
koan moves it into its cgroup, and starts its load on "go". Every loop is bounded in
count and in time.
"""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kernel_koans.fixtures.cgroup import KoanCgroup

WORKER = r'''
import mmap, os, sys, time
mode = sys.argv[1]
held = []
print("ready", flush=True)
sys.stdin.readline()                                # the koan moved us into the cgroup: go
if mode == "spin" and len(sys.argv) > 3:           # pinned to one CPU only now: moving a task into
    os.sched_setaffinity(0, {int(sys.argv[3])})    # a cgroup with cpuset (v2) resets its affinity
if mode == "spin":                                  # spin argv[2] seconds of wall time (bounded)
    end = time.monotonic() + float(sys.argv[2])
    n = 0
    while time.monotonic() < end and n < 10**10:
        n += 1
elif mode == "mem":                                 # hold argv[2] MiB (charged to this cgroup:
    held = [bytearray(b"\1") * (1 << 20) for _ in range(int(sys.argv[2]))]   # memory is charged where
    print("held", len(held), flush=True)            # it is touched), then on go grow by argv[3] MiB,
    sys.stdin.readline()                            # 1 MiB at a time, within argv[4] s
    end = time.monotonic() + float(sys.argv[4])
    for _ in range(int(sys.argv[3])):
        held.append(bytearray(b"\1") * (1 << 20))
        if time.monotonic() > end:
            break
    print("grew", len(held), flush=True)
    sys.stdin.readline()                            # hold it all until the koan says go again
'''


def start_worker(spawn: Callable[..., Any], cg: KoanCgroup | None, *args: str,
                 go: bool = True, program: str = WORKER) -> subprocess.Popen[str]:
    """A worker moved into `cg` (every hierarchy of it) after its interpreter started;
    `go=False` leaves it waiting: call `release(proc)` to start its load. `program` is
    another worker of the same protocol ("ready", then wait on stdin for "go").

    It joins only once Python has started: an interpreter starting up under a 10 % CPU
    quota on a slow machine would take seconds before the koan's work."""
    proc: subprocess.Popen[str] = spawn([sys.executable, "-c", program, *args], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line == "ready", f"the worker did not start (it said {line!r})"
    if cg is not None:
        cg.add(proc.pid)
    if go:
        release(proc)
    return proc


def release(proc: subprocess.Popen[str]) -> None:
    """Let a waiting worker go on to its next step."""
    assert proc.stdin is not None
    if proc.poll() is not None:
        return
    proc.stdin.write("go\n")
    proc.stdin.flush()


def step(proc: subprocess.Popen[str]) -> list[str]:
    """Let a waiting worker go on, and return the words of the line it answers with
    ([] when it died instead)."""
    release(proc)
    assert proc.stdout is not None
    return proc.stdout.readline().split()


def counters(path: Path) -> dict[str, int]:
    """A flat-keyed cgroup file ("key value" per line) as a dict."""
    out: dict[str, int] = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            out[parts[0]] = int(parts[1])
    return out


def cpu_seconds(cg: KoanCgroup) -> float:
    """CPU time the kernel charged to exactly this cgroup: v2 cpu.stat usage_usec,
    v1 cpuacct.usage (nanoseconds)."""
    if cg.version == 2:
        return counters(cg.dir("cpu") / "cpu.stat").get("usage_usec", 0) / 1e6
    return int(cg.read("cpuacct", "cpuacct.usage")) / 1e9


def cpu_controllers(version: int | None) -> tuple[str, ...]:
    """v1 accounts CPU time in a hierarchy of its own (cpuacct); v2's cpu has it all."""
    return ("cpu", "cpuacct") if version == 1 else ("cpu",)


def limit_memory(cg: KoanCgroup, max_bytes: int) -> None:
    """The koan's own memory cap (no swap), v2 or v1: the lesson is elsewhere."""
    d = cg.dir("memory")
    if cg.version == 2:
        (d / "memory.max").write_text(str(max_bytes))
        if (d / "memory.swap.max").exists():
            (d / "memory.swap.max").write_text("0")
    else:
        (d / "memory.limit_in_bytes").write_text(str(max_bytes))
        if (d / "memory.memsw.limit_in_bytes").exists():
            (d / "memory.memsw.limit_in_bytes").write_text(str(max_bytes))
        else:
            (d / "memory.swappiness").write_text("0")


def oom_kills(cg: KoanCgroup) -> int:
    """oom_kill as the kernel counts it for exactly this cgroup (v2 memory.events.local
    where present, else memory.events; v1 memory.oom_control)."""
    d = cg.dir("memory")
    if cg.version == 2:
        local = d / "memory.events.local"
        return counters(local if local.exists() else d / "memory.events").get("oom_kill", 0)
    return counters(d / "memory.oom_control").get("oom_kill", 0)
