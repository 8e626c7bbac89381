"""M4 project — the container simulator, tested from the outside.

projects/simulator/simulator.py is a command-line program:

    python projects/simulator/simulator.py --pid --mount --uts --hostname box \\
        --memory 64M --cpus 0.5 --rootfs DIR -- /bin/sh -c 'echo $$'

These koans run it as a separate process on the busybox rootfs and check what
the kernel did: the pid it got, its hostname, how it ended, what it left behind.
They start it in a stand-in host (new mount, UTS and IPC namespaces), so that a
forgotten flag renames or remounts the stand-in, not your machine.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel_koans import DEFAULT_TIMEOUT, Exercise, cgroups, exercise, koan, linux, names, procfs, uts, waiting

SIM = "projects/simulator/simulator"
sim = exercise(SIM)


STAND_IN = r'''
import os, subprocess, sys
from kernel_koans import linux
# The simulator's "host": fresh mount, UTS and IPC namespaces of the koan's own, so a
# forgotten CLONE_NEW* flag or MS_PRIVATE changes these, never the real machine.
linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWUTS | linux.CLONE_NEWIPC)
linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
code = subprocess.call(sys.argv[1:])
print("stand-in hostname:", os.uname().nodename, file=sys.stderr, flush=True)
sys.exit(code if code >= 0 else 128 - code)
'''


def start_simulator(spawn, *args: str) -> subprocess.Popen[str]:
    """Start the simulator (the learner's file, or its twin under --solutions) in a stand-in host."""
    return spawn([sys.executable, "-c", STAND_IN, sys.executable, str(Exercise(SIM).path), *args],
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stand_in_hostname(stderr: str) -> str:
    """The hostname the simulator's own (stand-in) host had when it ended."""
    lines = [line for line in stderr.splitlines() if line.startswith("stand-in hostname:")]
    return lines[-1].split(":", 1)[1].strip() if lines else "?"


def finish(proc: subprocess.Popen[str], timeout: float = 2 * DEFAULT_TIMEOUT) -> tuple[int, str, str]:
    """Wait for the simulator; a stub's NotImplementedError becomes the koan's own."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        ended = proc.poll() is not None  # or a leftover process still holds its stdout
        os.killpg(proc.pid, signal.SIGKILL)  # spawn() gave it its own process group
        out, err = proc.communicate(timeout=DEFAULT_TIMEOUT)
        raise_stub(err)
        raise AssertionError(
            f"the simulator {'ended, but something it started still held its output' if ended else 'was still running'} "
            f"after {timeout:g} s (stderr: {err.strip()[-300:]!r})") from None
    raise_stub(err)
    return proc.returncode, out, err


def raise_stub(stderr: str) -> None:
    """If the simulator died of an unwritten stub, fail the koan the friendly way."""
    if "NotImplementedError" not in stderr:
        return
    last = [line for line in stderr.splitlines() if "NotImplementedError" in line][-1]
    error = NotImplementedError(last.split("NotImplementedError:", 1)[-1].strip())
    error.child_traceback = stderr  # type: ignore[attr-defined]
    raise error


def simulate(spawn, *args: str, timeout: float = 2 * DEFAULT_TIMEOUT) -> tuple[int, str, str]:
    return finish(start_simulator(spawn, *args), timeout)


@koan(man="https://docs.docker.com/engine/containers/resource_constraints/",
      hints=["What does '64M' mean in bytes, and what is half a CPU in cpu.max's terms?",
             "Sizes are binary: k = 1024, m = 1024², g = 1024³. cpu.max is 'QUOTA PERIOD' in "
             "microseconds: 0.5 CPUs over a 100000 µs period is '50000 100000'."],
      needs=[])
@settings(max_examples=150, deadline=None)
@given(number=st.integers(0, 1 << 20), unit=st.sampled_from(["", "b", "k", "m", "g"]),
       upper=st.booleans(), cpus=st.floats(0.01, 64, allow_nan=False),
       bad=st.sampled_from(["", "1.5G", "64MB", "-1", "k", "12 m", "0x10", "ten"]))
def test_simulator_reads_sizes_and_cpus_like_docker(number, unit, upper, cpus, bad):
    """Limits are typed by people ('64M', '0.5') but written to the kernel as plain numbers.
    A wrong conversion silently gives a container a thousand times the memory you meant."""
    factor = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit]
    text = f"{number}{unit.upper() if upper else unit}"
    got = sim.parse_size(text)
    assert got == number * factor, f"parse_size({text!r}) gave {got}, not {number * factor} bytes"
    try:
        wrong = sim.parse_size(bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"parse_size({bad!r}) returned {wrong} instead of raising ValueError")
    quota, period = (int(x) for x in sim.cpu_max(cpus).split())
    assert period == 100_000, f"cpu_max({cpus}) used a period of {period} µs, not 100000"
    assert quota == max(1000, round(cpus * period)), (
        f"cpu_max({cpus}) gave quota {quota} µs per {period} µs: not {cpus} CPUs")


def _descendant_named(proc: subprocess.Popen[str], name: str, timeout: float) -> psutil.Process | None:
    """Poll for a descendant of the simulator called `name` (None if the simulator ended first)."""
    def named() -> psutil.Process | None:
        try:
            return next((kid for kid in psutil.Process(proc.pid).children(recursive=True)
                         if kid.name() == name), None)
        except psutil.Error:
            return None

    return waiting.settle(named, lambda kid: kid is not None or proc.poll() is not None, timeout)


@koan(man="pid_namespaces(7)",
      hints=["unshare(CLONE_NEWPID) moves only your children: which process becomes PID 1?",
             "Write become_pid1(): fork after the unshare; the child returns and execs the command "
             "(it is PID 1), the parent waits and relay()s its status. Also write namespace_flags, "
             "create/join/remove_cgroup and setup_container: run() needs them all."],
      needs=["root", "busybox", "cgroup:pids"])
def test_simulator_runs_the_command_as_pid_1(spawn, rootfs):
    """In a container the command itself is PID 1 of its own PID namespace.
    The kernel's NSpid line shows both numbers: the host's pid and the pid inside."""
    proc = start_simulator(spawn, "--pid", "--mount", "--rootfs", str(rootfs), "--", "sleep", "30")
    sleeper = _descendant_named(proc, "sleep", 10)
    if sleeper is None:
        code, _, err = finish(proc)
        raise AssertionError(f"the command never ran: the simulator ended with {code} "
                             f"({err.strip()[-300:]!r})")
    nspid = procfs.nspid(sleeper.pid)
    inner_ns = linux.ns_inode(sleeper.pid, "pid")
    os.kill(sleeper.pid, signal.SIGKILL)
    code, _, _ = finish(proc)
    assert inner_ns != linux.ns_inode("self", "pid"), "the command runs in the host's PID namespace"
    assert nspid[-1:] == [1], f"the command's NSpid is {' '.join(map(str, nspid))}: inside its namespace it is not PID 1"
    assert code == 128 + signal.SIGKILL, (
        f"SIGKILL to the container's PID 1 ended the simulator with {code}, not 137")


@koan(man="uts_namespaces(7)",
      hints=["Which namespace holds the hostname, and who must call sethostname()?",
             "With --uts, the child unshares CLONE_NEWUTS before setup_container() calls "
             "linux.sethostname(opts.hostname): the host's own name stays untouched."],
      needs=["root", "busybox", "cgroup:pids"])
def test_simulator_gives_the_container_its_own_hostname(spawn, rootfs):
    """A container's hostname lives in its UTS namespace: changing it leaves the host's alone.
    That is what `docker run --hostname` does."""
    host_before = Path("/proc/sys/kernel/hostname").read_text().strip()
    name = names.unique("box", limit=30)
    code, out, err = simulate(spawn, "--uts", "--hostname", name, "--pid", "--mount",
                              "--rootfs", str(rootfs), "--", "hostname")
    host_after = stand_in_hostname(err)
    assert host_after == host_before, (f"the simulator's host was renamed from {host_before} to "
                                       f"{host_after}: sethostname ran outside a new UTS namespace")
    assert code == 0, f"the simulator ended with {code}: {err.strip()[-300:]}"
    assert out.strip() == name, f"inside, gethostname() says {out.strip()!r}, not {name!r}"
    # And from outside: join a running command's UTS namespace and ask the kernel.
    proc = start_simulator(spawn, "--uts", "--hostname", name, "--pid", "--mount", "--rootfs", str(rootfs),
                 "--", "sleep", "30")
    sleeper = _descendant_named(proc, "sleep", 10)
    if sleeper is None:
        code, _, err = finish(proc)
        raise AssertionError(f"the command never ran: the simulator ended with {code} "
                             f"({err.strip()[-300:]!r})")
    own_uts = linux.ns_inode(sleeper.pid, "uts") != linux.ns_inode(proc.pid, "uts")
    seen = uts.hostname_in(sleeper.pid)
    os.kill(sleeper.pid, signal.SIGKILL)
    finish(proc)
    assert own_uts, "the command's /proc/<pid>/ns/uts is its host's: no new UTS namespace"
    assert seen == name, f"a process joining the command's UTS namespace reads hostname {seen!r}, not {name!r}"


@koan(man="wait(2)",
      hints=["How does a parent learn how its child ended, and how does a shell turn that into a number?",
             "os.waitpid gives a wait status: os.WIFEXITED/WEXITSTATUS for an exit code, "
             "os.WIFSIGNALED/WTERMSIG for a signal, reported as 128 + its number (SIGKILL -> 137)."],
      needs=["root", "busybox", "cgroup:pids"])
def test_simulator_passes_on_the_exit_status(spawn, rootfs):
    """`docker run` exits with its command's status: CI systems and shells depend on it.
    A command killed by a signal shows as 128 + the signal number."""
    cases = [
        (["--pid", "--mount", "--rootfs", str(rootfs), "--", "sh", "-c", "exit 42"], 42, "exit 42"),
        (["--pid", "--mount", "--rootfs", str(rootfs), "--", "true"], 0, "exit 0"),
        (["--rootfs", str(rootfs), "--", "sh", "-c", "kill -KILL $$"], 137, "SIGKILL"),
    ]
    for args, want, what in cases:
        code, _, err = simulate(spawn, *args)
        assert code == want, (f"a command that ended with {what} made the simulator exit {code}, "
                              f"not {want} ({err.strip()[-200:]!r})")


def _kk_cgroup_dirs(proc_cgroup: str) -> list[Path]:
    """The kk- cgroup directories named in a /proc/<pid>/cgroup text."""
    layout = cgroups.read_layout()
    dirs = []
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3 or "/kk-" not in parts[2]:
            continue
        mount = layout.v2_mount if parts[0] == "0" else next(
            (layout.v1_mounts[c] for c in parts[1].split(",") if c in layout.v1_mounts), None)
        if mount is not None:
            dirs.append(mount / parts[2].lstrip("/"))
    return dirs


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#memory-interface-files",
      hints=["Where must the limit be written, and when must the command join the cgroup?",
             "create_cgroup() writes memory.max (v1: memory.limit_in_bytes) into a kk- cgroup; "
             "join_cgroup() runs in the child before it execs, so the command is born inside. "
             "The OOM killer's SIGKILL then reaches the simulator's wait status: 137."],
      needs=["root", "busybox", "cgroup:memory", "cgroup:pids"])
def test_simulator_gets_an_oom_kill_under_its_memory_limit(spawn, rootfs):
    """Under --memory the kernel's OOM killer ends a greedy command with SIGKILL: exit 137.
    That is the 137 you see when a container is 'OOMKilled'."""
    # doubles a string up to 128 MiB: far past 32M, and bounded should the limit be missing
    hog = "cat /proc/self/cgroup; x=a; i=0; while [ $i -lt 27 ]; do x=$x$x; i=$((i+1)); done; echo survived"
    code, out, err = simulate(spawn, "--memory", "32M", "--pid", "--mount", "--rootfs", str(rootfs),
                              "--", "sh", "-c", hog, timeout=3 * DEFAULT_TIMEOUT)
    assert _kk_cgroup_dirs(out), f"the command did not run in a kk- cgroup: /proc/self/cgroup said {out!r}"
    assert code == 128 + signal.SIGKILL, (
        f"a shell growing a string to 128 MiB under a 32M limit made the simulator exit {code}, not 137 "
        f"(SIGKILL by the OOM killer) ({err.strip()[-200:]!r})")


@koan(man="cgroups(7)",
      hints=["When the command ends, what is still on the host because of you?",
             "remove_cgroup() must kill every process still in the cgroup (an orphaned background "
             "job survives its parent) and rmdir the cgroup: cgroups.remove() does both."],
      needs=["root", "busybox", "cgroup:memory", "cgroup:pids"])
def test_simulator_leaves_nothing_behind(spawn, rootfs):
    """A runtime must clean up: the cgroup goes, and so does every process that was in it.
    A background job started by the command is the classic leftover."""
    layout = cgroups.read_layout()
    before = set(cgroups.leftovers(layout))
    # busybox sh opens /dev/null for a background job, and the bare rootfs has no /dev/null yet
    script = "mknod -m 666 /dev/null c 1 3; cat /proc/self/cgroup; sleep 4321 >/dev/null 2>&1 & exit 0"
    code, out, err = simulate(spawn, "--memory", "64M", "--mount", "--rootfs", str(rootfs),
                              "--", "sh", "-c", script)
    assert code == 0, f"the simulator ended with {code}: {err.strip()[-300:]}"
    dirs = _kk_cgroup_dirs(out)
    assert dirs, f"the command did not run in a kk- cgroup: /proc/self/cgroup said {out!r}"
    stray = [p.pid for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "4321"]]
    left = sorted({str(d) for d in dirs if d.exists()} | {str(p) for p in set(cgroups.leftovers(layout)) - before})
    for pid in stray:  # do not leave them to the audit
        os.kill(pid, signal.SIGKILL)
    assert not stray, f"the command's background job (pid {stray}) still runs after the simulator ended"
    assert not left, f"the simulator left its cgroup behind: {left}"
