"""M4 · PID namespaces: a container's processes number themselves from 1.

Your code (m04/pid_ns.py) makes the namespace; these koans watch it from the
host, through /proc/<pid>/status (NSpid) and /proc/<pid>/ns/pid.
"""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import Any

from kernel_koans import decoy, exercise, guard, koan, linux, procfs, waiting
from kernel_koans.child import ChildDied, held, in_child, spawn_held

pid_ns = exercise("m04/pid_ns")


def as_pid1(body: Callable[[], Any], stand_in: tuple[str, ...] = ()) -> tuple[int, Any, str]:
    """Run in a held child: fork with the learner's function; the new PID 1 runs `body`
    (koan code) and stays alive. With `stand_in` kinds, the held child first moves into
    namespaces that play the host (kernel_koans.decoy). Returns (PID 1's pid as the host
    numbers it, what body returned, the held child's mountinfo before the fork)."""
    mountinfo = decoy.stand_in(stand_in) if stand_in else ""
    pid, value = spawn_held(body, fork=pid_ns.fork_into_new_pid_namespace)
    return pid, value, mountinfo


def own_ids() -> tuple[int, int]:
    return os.getpid(), os.getppid()


def members(ns_inode: int) -> set[int]:
    """Every live pid whose /proc/<pid>/ns/pid is `ns_inode` (the koan's own reading)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if linux.ns_inode(entry, "pid") == ns_inode and procfs.alive(int(entry)):
                    found.add(int(entry))
            except OSError:
                pass
    return found


def start_sleepers(count: int = 3) -> int:
    """Run as PID 1: fork `count` children that sleep until killed."""
    in_new_namespace = os.getpid() == 1
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # as a fresh program's: the kernel drops it for init
    for _ in range(count):
        if os.fork() == 0:
            if not in_new_namespace:  # no namespace will take them down: never outlive the koan
                linux.set_parent_death_signal(signal.SIGKILL)
            while True:
                time.sleep(60)
    return count


def proc_pids() -> list[int]:
    """Run as PID 1: mount a fresh /proc with the learner's function, list what it shows."""
    pid_ns.mount_proc()
    return sorted(int(e) for e in os.listdir("/proc") if e.isdigit())


@koan(man="pid_namespaces(7)",
      hints=["What must happen before fork() for the child to be born in a new namespace?",
             "linux.unshare(linux.CLONE_NEWPID), then os.fork(): the first child is the "
             "namespace's init. Its parent lives outside, so getppid() returns 0 inside."],
      needs=["root"])
def test_first_child_is_pid_1_and_sees_no_parent() -> None:
    """The first process of a new PID namespace is its init: PID 1, parent 0.
    That is why a container's entrypoint is PID 1, with PID 1's duties."""
    with held(as_pid1, own_ids) as h:
        init, (inside_pid, inside_ppid), _ = h.value
        numbers = procfs.nspid(init)
    assert numbers[-1:] == [1] and len(numbers) == 2, (
        f"/proc/{init}/status reads NSpid {numbers}: the kernel numbers a process once per "
        "PID namespace, and in its own new namespace the child should be 1")
    assert (inside_pid, inside_ppid) == (1, 0), (
        f"inside, getpid() returned {inside_pid} and getppid() {inside_ppid}: init of a new "
        "namespace is 1, and its parent, outside the namespace, reads as 0")


@koan(man="unshare(2), pid_namespaces(7)",
      hints=["Compare /proc/<caller>/ns/pid with /proc/<caller>/ns/pid_for_children.",
             "unshare(CLONE_NEWPID) cannot renumber the caller (its pid is fixed for life): it "
             "changes pid_for_children, so only processes forked afterwards land inside."],
      needs=["root"])
def test_unshare_pid_moves_children_not_the_caller() -> None:
    """unshare(CLONE_NEWPID) leaves the caller where it was; its next child is born inside.
    Runtimes therefore fork (or clone) after unsharing: `unshare --pid --fork`."""
    host = linux.ns_inode(os.getpid(), "pid")
    with held(as_pid1, own_ids) as h:
        caller, init = h.pid, h.value[0]
        caller_ns = linux.ns_inode(caller, "pid")
        for_children = os.stat(f"/proc/{caller}/ns/pid_for_children").st_ino
        init_ns = linux.ns_inode(init, "pid")
    assert init_ns != host, (
        f"the child's /proc/{init}/ns/pid has the host's inode {host}: it is still in the "
        "host's PID namespace")
    assert caller_ns == host, (
        f"the caller's /proc/{caller}/ns/pid changed to {caller_ns}: a PID namespace never "
        "takes in the process that asked for it")
    assert for_children == init_ns, (
        f"the caller's pid_for_children is {for_children}, the child's namespace {init_ns}: "
        "the child should be born in the namespace the caller unshared")


def stop_with_one_kill(init: int) -> None:
    """Run the learner's stop_namespace where it may signal nobody but PID 1 (a seccomp
    guard: a signal to any other process kills the sender with SIGSYS)."""
    guard.signal_only(init)
    pid_ns.stop_namespace(init)


@koan(man="pid_namespaces(7), kill(2)",
      hints=["Which single process must die for all of them to die?",
             "When PID 1 of a namespace terminates, the kernel sends SIGKILL to every other "
             "process in it. os.kill(init_pid, signal.SIGKILL) from the host always lands."],
      needs=["root", "seccomp"])
def test_killing_init_empties_the_namespace() -> None:
    """When a PID namespace's init exits, the kernel kills everything else in it.
    So a container lives exactly as long as its PID 1: `docker stop` only needs that one.

    The koan lets stop_namespace signal PID 1 and nothing else, so the others must die by
    the kernel's hand. Not seen: pidfd_send_signal(2) through an open /proc/<pid> directory."""
    with held(as_pid1, start_sleepers) as h:
        init = h.value[0]
        ns = linux.ns_inode(init, "pid")
        assert ns != linux.ns_inode(os.getpid(), "pid"), (
            "PID 1 is in the host's PID namespace: fork_into_new_pid_namespace (koan 1) comes first")
        before = waiting.settle(lambda: members(ns), lambda found: len(found) >= 4, 5)
        assert len(before) == 4, f"setup: expected init and 3 sleepers in the namespace, found {before}"
        try:
            in_child(stop_with_one_kill, init)
        except ChildDied as died:
            if died.status is None or not os.WIFSIGNALED(died.status) or \
                    os.WTERMSIG(died.status) != guard.GUARD_SIGNAL:
                raise
            raise AssertionError(
                "stop_namespace sent a signal to a process other than the namespace's init (the "
                "koan's seccomp guard stopped it with SIGSYS): one kill(2), to PID 1, is enough; "
                "the kernel kills the rest") from None
        waiting.until(lambda: not any(procfs.alive(p) for p in before), 5)
        survivors = sorted(p for p in before if procfs.alive(p))
    assert not survivors, (
        f"pids {survivors} of the namespace are still running: when its init dies, the kernel "
        "SIGKILLs every other process in the namespace")


@koan(man="pid_namespaces(7), proc(5), mount_namespaces(7)",
      hints=["Inside the new namespace, /proc still is the host's procfs mount. Who mounted it?",
             "A procfs mount shows the PID namespace of the process that mounted it: "
             "unshare(CLONE_NEWNS), mount(None, '/', None, MS_REC | MS_PRIVATE), then "
             "mount('proc', '/proc', 'proc')."],
      needs=["root"])
def test_proc_must_be_remounted_to_show_the_new_tree() -> None:
    """`ps` reads /proc; until a new procfs is mounted, a container's ps shows the host.
    Mounted in a private mount namespace, the new /proc leaves the host's alone."""
    host_mounts = decoy.mount_points("self")
    # PID 1's parent stands in for the host: should the proc mount escape, it lands there.
    with held(as_pid1, proc_pids, ("mnt",)) as h:
        init, seen, stand_in_before = h.value
        own_mnt = linux.ns_inode(init, "mnt") != linux.ns_inode(h.pid, "mnt")
        stand_in_now = open(f"/proc/{h.pid}/mountinfo").read()
    assert own_mnt, "PID 1 shares its parent's mount namespace: the new /proc must go in its own"
    assert stand_in_now == stand_in_before, (
        "the parent's mount table changed: the new procfs propagated out of PID 1's mount "
        "namespace (make / private, MS_REC | MS_PRIVATE, before mounting; on a systemd host / "
        "is shared)")
    assert seen == [1], (
        f"the new /proc lists pids {seen[:10]}{'...' if len(seen) > 10 else ''}: a procfs "
        "mounted inside the PID namespace shows only that namespace, here [1]")
    assert decoy.mount_points("self") == host_mounts, "the host's mount table changed"
