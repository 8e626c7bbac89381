"""M4 — cgroups: the kernel accounts for and limits what a group of processes uses.

Each koan makes a kk- cgroup (the `cgroup` fixture), calls your function to
write its files, puts a small worker process in it, and reads the kernel's
own counters to see what happened.
"""
from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kernel_koans import KoanCgroup, exercise, koan, loadgen
from kernel_koans import cgroups as layout_of
from kernel_koans.loadgen import counters

cg_ex = exercise("m04/cgroups")

WORKER = r'''
import mmap, os, sys, time
mode = sys.argv[1]
print("ready", flush=True)               # started: the interpreter's own start-up is done
sys.stdin.readline()                     # wait: the koan moves us into the cgroup first
if mode == "mem":                        # touch 4 MiB at a time, up to 512 MiB
    chunks = [bytearray(b"\1") * (4 << 20) for _ in range(128)]
    print("survived", flush=True)
elif mode == "cpu":                      # spin for argv[2] seconds of wall time
    end = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < end:
        pass
elif mode == "fork":                     # fork up to argv[2] children, report how many worked
    r, w = os.pipe()
    made, err = 0, 0
    for _ in range(int(sys.argv[2])):
        try:
            pid = os.fork()
        except OSError as e:
            err = e.errno
            break
        if pid == 0:
            os.close(w); os.read(r, 1); os._exit(0)
        made += 1
    print(made, err, flush=True)
    os.close(w)
    for _ in range(made):
        os.wait()
elif mode == "write":                    # O_DIRECT writes: no page cache between us and the device
    fd = os.open(sys.argv[2], os.O_WRONLY | os.O_DIRECT)
    block = mmap.mmap(-1, 64 << 10)      # page-aligned, as O_DIRECT requires
    block.write(b"k" * (64 << 10))
    start = time.monotonic()
    for _ in range(int(sys.argv[3]) // (64 << 10)):
        os.write(fd, block)
    print(time.monotonic() - start, flush=True)
'''


def start_worker(spawn, cg: KoanCgroup, *args: str) -> subprocess.Popen[str]:
    """A WORKER moved into `cg` once its interpreter is up, then let go."""
    return loadgen.start_worker(spawn, cg, *args, program=WORKER)


THREADED = r'''
import threading, time
for _ in range(3):
    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
print("ready", flush=True)
time.sleep(60)
'''


def cgroup_line(pid: int | str, controller: str, version: int) -> str:
    """The path /proc/<pid>/cgroup shows for `controller`'s hierarchy (v2: the 0:: line).
    `pid` may be "<pid>/task/<tid>": one thread's own view."""
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        hier, ctrls, path = line.split(":", 2)
        if version == 2 and hier == "0":
            return path
        if version == 1 and controller in ctrls.split(","):
            return path
    return "?"


UNLIMITED_V1 = 1 << 62
"""v1 reports "no limit" as a huge byte count (a page-rounded 2**63 - 1) rather than "max"."""


def memory_limit(cg: KoanCgroup) -> int | None:
    """The memory limit the kernel holds for exactly this cgroup; None when it has none."""
    name = "memory.max" if cg.version == 2 else "memory.limit_in_bytes"
    text = cg.read("memory", name).strip()
    if text == "max" or int(text) >= UNLIMITED_V1:
        return None
    return int(text)


def pids_limit(cg: KoanCgroup) -> int | None:
    """pids.max of exactly this cgroup (the same file on v1 and v2); None when it is "max"."""
    text = cg.read("pids", "pids.max").strip()
    return None if text == "max" else int(text)


@koan(man="cgroups(7)",
      hints=["A cgroup is a directory. Which file in it lists its processes, and accepts new ones?",
             "Write the pid as text into <cgroup>/cgroup.procs; the kernel moves the process "
             "and every thread of it."],
      needs=["root", "cgroup:pids"])
def test_a_process_joins_a_cgroup_through_cgroup_procs(cgroup, spawn, kk_host):
    """Joining a cgroup is one write(2) of a pid into cgroup.procs: the whole process moves,
    every thread of it. This is how runc puts a container's first process under its limits.

    The worker runs four threads. On v1, writing every tid into `tasks` ends the same way
    (only a thread born mid-loop would tell, a race this koan does not force)."""
    cg = cgroup("pids", hint="join")
    proc = spawn([sys.executable, "-c", THREADED], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    tids = sorted(int(tid) for tid in os.listdir(f"/proc/{proc.pid}/task"))
    assert len(tids) == 4, f"setup: the worker should run 4 threads, it runs {len(tids)}"
    cg_ex.join(cg, proc.pid)
    layout = kk_host.cgroup
    mount = layout.v2_mount if cg.version == 2 else layout.v1_mounts["pids"]
    assert mount is not None
    expected = "/" + cg.dir("pids").relative_to(mount).as_posix()
    seen = cgroup_line(proc.pid, "pids", cg.version)
    assert seen == expected, (f"/proc/{proc.pid}/cgroup puts the process in {seen}, "
                              f"not in the koan's cgroup {expected}")
    assert proc.pid in cg.pids(), f"the cgroup's cgroup.procs does not list pid {proc.pid}"
    left = {tid: where for tid in tids
            if (where := cgroup_line(f"{proc.pid}/task/{tid}", "pids", cg.version)) != expected}
    assert not left, (f"threads of pid {proc.pid} still elsewhere (tid: cgroup): {left}; "
                      "cgroup.procs moves every thread, a tid written to `tasks` moves one")
    listed = {int(tid) for tid in cg.read("pids", "cgroup.threads" if cg.version == 2 else "tasks").split()}
    assert set(tids) <= listed, f"the cgroup lists threads {sorted(listed)}, not all of {tids}"


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#memory-interface-files",
      hints=["Which file caps a cgroup's memory? What should happen when the process keeps allocating?",
             "Write the byte count into memory.max (and 0 into memory.swap.max when it exists). "
             "Past the cap the kernel reclaims what it can, then its OOM killer SIGKILLs a process "
             "of the cgroup and counts it in memory.events as oom_kill."],
      needs=["root", "cgroup:memory"])
def test_memory_max_gets_the_hog_oom_killed(cgroup, spawn):
    """Over its memory limit a cgroup's process is killed by the kernel's OOM killer.
    That is a container's exit code 137 (128 + SIGKILL) and docker's OOMKilled flag.

    The cgroup sits in a kk- parent, where a limit would bite the hog as well: the koan reads
    the limit back from the exact cgroup, and checks that the parent and a sibling have none."""
    outer = cgroup("memory", hint="oom")
    cg, sibling = cgroup.nested(outer, hint="hog"), cgroup.nested(outer, hint="sib")
    page = os.sysconf("SC_PAGE_SIZE")
    # Two limits, the second tighter (a limit changes while the cgroup lives): no fixed value fits.
    asked, first = sorted(random.sample(range(32 << 20, 96 << 20, page), 2))
    for value in (first, asked):
        cg_ex.limit_memory(cg, value)
        held = memory_limit(cg)
        assert held == value, (
            f"the cgroup's {'memory.max' if cg.version == 2 else 'memory.limit_in_bytes'} "
            f"reads {held}, not the {value} bytes asked for")
    spread = {where: limit for where, limit in (("parent", memory_limit(outer)),
                                                ("sibling", memory_limit(sibling))) if limit is not None}
    assert not spread, f"other cgroups got a memory limit too: {spread}; only the one asked for should"
    proc = start_worker(spawn, cg, "mem")
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the memory hog was still running after 20 s: is the limit set?")
    assert proc.returncode == -signal.SIGKILL, (
        f"the hog allocated 512 MiB under a {asked >> 20} MiB limit and ended with "
        f"{'exit ' + str(proc.returncode) if proc.returncode >= 0 else signal.Signals(-proc.returncode).name}"
        f"{' (' + out.strip() + ')' if out.strip() else ''}, not SIGKILL from the OOM killer")
    if cg.version == 2:
        kills = counters(cg.dir("memory") / "memory.events").get("oom_kill", 0)
        where = "memory.events"
    else:
        kills = counters(cg.dir("memory") / "memory.oom_control").get("oom_kill", 0)
        where = "memory.oom_control"
    assert kills >= 1, f"{where} counts oom_kill {kills}: the kernel did not OOM-kill in this cgroup"


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#cpu-interface-files",
      hints=["A CPU limit is a budget per period: how much CPU time, in how much wall time?",
             "Write \"10000 100000\" into cpu.max: 10 ms of CPU in every 100 ms period. The "
             "scheduler stops (throttles) the group for the rest of a period once the budget "
             "is spent and counts it in cpu.stat nr_throttled."],
      needs=["root", "cgroup:cpu"])
@pytest.mark.timeout(60)
def test_cpu_max_caps_cpu_time_and_counts_throttling(cgroup, spawn, kk_host):
    """cpu.max gives a cgroup a CPU-time budget per period; spending it gets the group throttled.
    `docker run --cpus 0.1` is exactly this, and throttling is why a limited app's latency jumps."""
    v1 = kk_host.cgroup.version_for("cpu") == 1
    cg = cgroup("cpu", "cpuacct", hint="cpu") if v1 else cgroup("cpu", hint="cpu")
    cg_ex.limit_cpu(cg, 10_000, 100_000)
    spin = 1.5
    start = time.monotonic()
    proc = start_worker(spawn, cg, "cpu", str(spin))
    proc.wait(timeout=30)
    wall = time.monotonic() - start
    if cg.version == 2:
        stat = counters(cg.dir("cpu") / "cpu.stat")
        used = stat.get("usage_usec", 0) / 1e6
    else:
        stat = counters(cg.dir("cpu") / "cpu.stat")
        used = int((cg.dir("cpuacct") / "cpuacct.usage").read_text()) / 1e9
    ceiling = 0.1 * wall * 1.5 + 0.05  # 10 % of the wall time, with room for timing slack
    assert used <= ceiling, (f"the spinning worker used {used:.2f} s of CPU in {wall:.2f} s: more "
                             f"than a 10 % quota allows (≤ {ceiling:.2f} s)")
    assert used >= 0.02, f"the worker's cgroup accounts only {used:.3f} s of CPU: did it run in the cgroup?"
    assert stat.get("nr_throttled", 0) >= 1, (
        f"cpu.stat nr_throttled is {stat.get('nr_throttled', 0)}: the scheduler never throttled "
        f"the group")


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#pid-interface-files",
      hints=["Which controller limits how many tasks a cgroup may hold, and what does fork() then return?",
             "Write the number into pids.max. A fork() that would exceed it fails with EAGAIN "
             "(\"Resource temporarily unavailable\"), and pids.events counts it under max."],
      needs=["root", "cgroup:pids"])
def test_pids_max_makes_fork_fail_with_eagain(cgroup, spawn):
    """pids.max caps the number of tasks in a cgroup: the fork that would pass it fails.
    That is what stops a fork bomb inside one container from taking the whole host down.

    The cgroup sits in a kk- parent, where a limit would stop the forks as well: the koan reads
    pids.max back from the exact cgroup, and checks that the parent and a sibling have none."""
    outer = cgroup("pids", hint="pids")
    cg, sibling = cgroup.nested(outer, hint="fork"), cgroup.nested(outer, hint="sib")
    # Two limits in turn (a limit changes while the cgroup lives): no fixed value fits.
    first, asked = random.sample(range(3, 10), 2)
    for value in (first, asked):
        cg_ex.limit_pids(cg, value)
        held = pids_limit(cg)
        assert held == value, f"the cgroup's pids.max reads {held}, not the {value} asked for"
    spread = {where: limit for where, limit in (("parent", pids_limit(outer)),
                                                ("sibling", pids_limit(sibling))) if limit is not None}
    assert not spread, f"other cgroups got a pids.max too: {spread}; only the one asked for should"
    proc = start_worker(spawn, cg, "fork", str(asked + 5))
    out, _ = proc.communicate(timeout=20)
    made, err = (int(x) for x in out.split())
    assert err == errno.EAGAIN, (f"the worker forked {made} children without any fork failing "
                                 f"(errno {err}): pids.max did not stop it")
    assert made == asked - 1, (f"with pids.max {asked} the worker plus {asked - 1} children fit, "
                               f"but {made} forks succeeded")
    events = counters(cg.dir("pids") / "pids.events")
    assert events.get("max", 0) >= 1, f"pids.events counts max {events.get('max', 0)}: no fork was refused"


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#io-interface-files",
      hints=["IO limits are per device: how does the kernel name a block device?",
             "Write \"MAJ:MIN wbps=BYTES\" into io.max (the numbers come from os.stat(dev).st_rdev). "
             "Writes that bypass the page cache (O_DIRECT) are then held back to that rate."],
      needs=["root", "loop"])
@pytest.mark.timeout(60)
def test_io_max_caps_the_write_rate_to_a_device(cgroup, spawn, loop_device, kk_host):
    """io.max throttles a cgroup's reads and writes per device, in bytes or IOs per second.
    It keeps one container's disk traffic from starving its neighbours."""
    controller = "io" if kk_host.cgroup.version_for("io") == 2 else "blkio"
    cg = cgroup(controller, hint="io")
    rdev = os.stat(loop_device).st_rdev
    device = f"{os.major(rdev)}:{os.minor(rdev)}"
    rate, amount = 1 << 20, 3 << 20  # 1 MiB/s, 3 MiB: about 2-3 s when throttled
    cg_ex.limit_write_bps(cg, device, rate)
    proc = start_worker(spawn, cg, "write", loop_device, str(amount))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, f"the O_DIRECT writer failed: {err.strip()[-300:]}"
    took = float(out)
    achieved = amount / took
    assert achieved <= rate * 1.6, (
        f"3 MiB of O_DIRECT writes to {loop_device} ({device}) took {took:.2f} s: "
        f"{achieved / (1 << 20):.1f} MiB/s, not throttled to 1 MiB/s")


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#no-internal-process-constraint",
      hints=["On v2, a cgroup that hands controllers to its children: may it hold processes itself?",
             "Write \"+memory\" into cgroup.subtree_control. From then on the kernel refuses "
             "(EBUSY) to put a process into that cgroup: processes live in the leaves."],
      needs=["root", "cgroup2", "cgroup:memory"])
def test_v2_keeps_processes_out_of_cgroups_that_delegate(cgroup, spawn):
    """On cgroup v2, a non-root cgroup either holds processes or distributes controllers, not both.
    So a container manager creates leaf cgroups for processes, and inner ones for limits."""
    cg = cgroup("memory", hint="inner")
    cg_ex.delegate(cg, "memory")
    enabled = (cg.path / "cgroup.subtree_control").read_text().split()
    assert "memory" in enabled, f"cgroup.subtree_control enables {enabled}, not memory"
    leaf = cg.path / "kk-leaf"
    leaf.mkdir()
    assert (leaf / "memory.max").exists(), "the child cgroup got no memory.max: memory is not delegated"
    proc = spawn(["sleep", "30"])
    with pytest.raises(OSError) as refused:
        (cg.path / "cgroup.procs").write_text(str(proc.pid))
    assert refused.value.errno == errno.EBUSY, (
        f"joining the delegating cgroup failed with {errno.errorcode.get(refused.value.errno or 0)}, "
        f"not EBUSY")
    (leaf / "cgroup.procs").write_text(str(proc.pid))
    assert proc.pid in layout_of.procs(leaf), "the leaf cgroup did not take the process"
