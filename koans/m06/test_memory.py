"""M6 · Memory pressure: memory.high slows a cgroup down, memory.max kills in it, and
oom_score_adj decides who dies. Every fact is read from the kernel's own files."""
from __future__ import annotations

import random
import signal
import subprocess

import pytest

from kernel_koans import exercise, koan
from kernel_koans import loadgen as load
from kernel_koans.host import skip_lacking

memory = exercise("m06/memory")

MiB = 1 << 20


def ended(proc: subprocess.Popen[str]) -> str:
    code = proc.returncode
    return "running" if code is None else f"exit {code}" if code >= 0 else signal.Signals(-code).name


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#memory-interface-files",
      hints=["v2 has two memory limits. Which one never calls the OOM killer?",
             "Write the byte count into memory.high. Above it the kernel reclaims and makes the "
             "allocating task wait; memory.events counts each breach under `high`. v1 has no such file."],
      needs=["root", "cgroup:memory"])
@pytest.mark.timeout(90)
def test_memory_high_throttles_without_a_kill(cgroup, spawn):
    """memory.high is the limit to live under: past it the group is reclaimed and slowed, and
    still alive; memory.max is the wall where the OOM killer waits (`docker run --memory`).

    The worker asks for 1.5× the soft limit, within a bounded time. It must survive it, with
    memory.events counting `high` breaches and no oom_kill. Only cgroup v2 has memory.high."""
    cg = cgroup("memory", hint="high")
    if cg.version != 2:
        skip_lacking("cgroup2")
    high = random.randrange(32 * MiB, 64 * MiB, 4096)
    memory.set_memory_high(cg, high)
    held = cg.read("memory", "memory.high").strip()
    assert held == str(high), f"the cgroup's memory.high reads {held}, not {high}"
    assert cg.read("memory", "memory.max").strip() == "max", "memory.max was set: this koan is about memory.high"
    want = (high * 3 // 2) // MiB
    proc = load.start_worker(spawn, cg, "mem", "0", str(want), "30")
    assert proc.stdout is not None
    proc.stdout.readline()  # held 0
    line = load.step(proc)
    events = load.counters(cg.dir("memory") / "memory.events")
    assert line[:1] == ["grew"], (
        f"the worker did not survive past memory.high: {ended(proc) if proc.poll() is not None else line}")
    assert events.get("oom_kill", 0) == 0, (
        f"memory.events counts oom_kill {events.get('oom_kill')}: memory.high never kills")
    assert events.get("high", 0) >= 1, (
        f"the worker holds {line[1]} MiB above a {high // MiB} MiB memory.high and memory.events counts "
        f"high {events.get('high', 0)}: the soft limit never bit")
    load.release(proc)
    proc.wait(timeout=20)
    assert proc.returncode == 0, f"the worker ended with {ended(proc)}, not by itself"


@koan(man="proc(5) /proc/pid/oom_score_adj",
      hints=["The OOM killer scores every process of the cgroup. Which file of a process shifts its score?",
             "Write 1000 into /proc/<pid>/oom_score_adj (range -1000..1000): the score becomes its "
             "memory plus adj/1000 of the limit, so this one goes first. -1000 means never."],
      needs=["root", "cgroup:memory"])
@pytest.mark.timeout(60)
def test_oom_score_adj_picks_the_victim(cgroup, spawn):
    """Left alone, the OOM killer kills the biggest process of the cgroup. oom_score_adj is how a
    runtime (and the kubelet, per QoS class) tells it whom to sacrifice instead.

    The keeper holds 45 % of the limit, the victim 25 %; then the KEEPER grows by 35 % and runs
    the cgroup out. Left alone, the kernel kills the keeper: the biggest, and the one asking. Once
    the victim is gone, the keeper's growth fits (80 % plus two interpreters)."""
    cg = cgroup("memory", hint="oomadj")
    limit = random.randrange(160 * MiB, 224 * MiB, 4096)
    load.limit_memory(cg, limit)
    keeper = load.start_worker(spawn, cg, "mem", str(limit * 45 // 100 // MiB),
                               str(limit * 35 // 100 // MiB), "20", go=False)
    victim = load.start_worker(spawn, cg, "mem", str(limit * 25 // 100 // MiB), "0", "20", go=False)
    for proc in (keeper, victim):
        assert load.step(proc)[:1] == ["held"], "setup: a worker could not allocate its memory"
    pair = f"keeper pid {keeper.pid}, victim pid {victim.pid}"
    memory.prefer_oom_victim(victim.pid)
    assert load.oom_kills(cg) == 0, "setup: an OOM kill happened before the keeper grew"
    grown = load.step(keeper)  # it grows past the limit: the OOM killer must choose
    if grown[:1] != ["grew"]:
        keeper.wait(timeout=10)
    assert grown[:1] == ["grew"], (
        f"the OOM killer killed the keeper ({pair}; the keeper: {ended(keeper)}), the bigger "
        "process; the victim should have been chosen")
    try:
        victim.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the keeper grew by 35 % of the limit and the victim still runs ({pair}): no OOM kill?")
    assert victim.returncode == -signal.SIGKILL, f"the victim ended with {ended(victim)}, not SIGKILL"
    assert load.oom_kills(cg) >= 1, "the cgroup counts no oom_kill: the victim was not killed by the OOM killer"
    load.release(keeper)
    keeper.wait(timeout=20)


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#memory-interface-files",
      hints=["Every cgroup has a file of memory events. Whose file tells about this cgroup alone?",
             "v2: the oom_kill line of memory.events (memory.events.local excludes the children's "
             "events); v1: the oom_kill line of memory.oom_control. Read the cgroup you were given."],
      needs=["root", "cgroup:memory"])
@pytest.mark.timeout(90)
def test_oom_kills_are_counted_in_the_exact_cgroup(cgroup, spawn):
    """A monitor learns that a container was OOM-killed from its cgroup's event counters, not
    from the process (it is gone). Read the wrong cgroup and you blame the neighbour.

    Two sibling cgroups in one kk- parent; hogs are OOM-killed in one of them, a random number
    of times (2 or 3), and the other has none: your count must tell them apart."""
    outer = cgroup("memory", hint="events")
    hogs, calm = cgroup.nested(outer, hint="hogs"), cgroup.nested(outer, hint="calm")
    load.limit_memory(hogs, random.randrange(32 * MiB, 64 * MiB, 4096))
    kills = random.randint(2, 3)  # more than one: a count, not a flag
    sitter = load.start_worker(spawn, calm, "mem", "4", "0", "20", go=False)
    assert load.step(sitter)[:1] == ["held"], "setup: the calm cgroup's worker could not allocate"
    for n in range(kills):
        hog = load.start_worker(spawn, hogs, "mem", "512", "0", "20")
        try:
            hog.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"hog {n + 1} was still running after 30 s under its memory limit")
        assert hog.returncode == -signal.SIGKILL, f"hog {n + 1} ended with {ended(hog)}, not SIGKILL"
    assert sitter.poll() is None, f"the calm cgroup's process ended ({ended(sitter)}): setup failed"
    assert load.oom_kills(hogs) == kills, f"setup: the kernel counts {load.oom_kills(hogs)} kills, not {kills}"
    seen = {"hogs": memory.oom_kills(hogs), "calm": memory.oom_kills(calm)}
    assert seen == {"hogs": kills, "calm": 0}, (
        f"the kernel OOM-killed {kills} process(es) in the hogs' cgroup and none in its calm "
        f"sibling; your counts are {seen}")
