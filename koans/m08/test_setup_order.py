"""M8 · the setup order: what must happen before the container's first instruction.

Your code (m08/setup_order.py) forks the container's process; the koan hands it the
parent's part (`join`, `map_ids`), which — like runc's parent, busy with many things —
takes its time. The program the child execs writes down what it found at its start,
or the koan reads /proc/<pid>/status while it runs.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from kernel_koans import CgroupFactory, decoy, exercise, held, in_child, koan, linux, waiting

setup_order = exercise("m08/setup_order")

SLOW = 0.3  # seconds the parent's part takes: much longer than a program needs to start


@koan(man="cgroups(7), runc's libcontainer/nsenter/README.md, pipe(2)",
      hints=["A process is born in its parent's cgroup and may be moved later. What has the "
             "program done by the time the parent's `join` returns, if nothing makes it wait?",
             "Create a pipe before fork; the child blocks reading it, the parent calls join(pid) "
             "and then writes a byte; only then does the child execv. Return waitpid's status."],
      needs=["root", "cgroup:pids"])
def test_the_child_joins_the_cgroup_before_exec(cgroup: CgroupFactory, scratch: Path) -> None:
    """A container's limits hold from its first instruction only if its process joined the
    cgroup before exec: runc's child waits on a sync pipe while the parent moves it."""
    cg = cgroup("pids", hint="order")
    out = scratch / "cgroup-at-start"

    def join(pid: int) -> None:
        time.sleep(SLOW)
        cg.add(pid)

    argv = ["/bin/sh", "-c", f"exec cat /proc/self/cgroup > {out}"]
    status = in_child(setup_order.spawn_in_cgroup, argv, join)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (
        f"the program's wait status is {status}, not a clean exit 0")
    seen = out.read_text() if out.exists() else ""
    assert any(line.rstrip().endswith("/" + cg.name) for line in seen.splitlines()), (
        f"the program, at its start, was in {seen.split() or 'no cgroup it could read'}, not in "
        f"{cg.name}: it ran before the parent had moved it")


def confined_sleep(argv: list[str], keep: list[int]) -> int:
    return int(setup_order.exec_confined(argv, keep))


def status_of(pid: int, program: str, timeout: float = 10) -> dict[str, str]:
    """/proc/<pid>/status once pid runs `program` (its exec done); {} if it never does."""
    def read() -> dict[str, str]:
        try:
            if os.readlink(f"/proc/{pid}/exe") == program:
                text = Path(f"/proc/{pid}/status").read_text()
                return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
        except OSError:
            pass
        return {}

    return waiting.settle(read, bool, timeout, 0.02)


KEEP = [5, 10, 29]  # CAP_KILL, CAP_NET_BIND_SERVICE, CAP_AUDIT_WRITE: runc's default set


@koan(man="capabilities(7) (Transformation of capabilities during execve), prctl(2)",
      hints=["After exec the code is the container's, not yours: everything it must not be "
             "allowed has to be taken away before. What does root get from exec, and from where?",
             "In the child, PR_CAPBSET_DROP every capability 0..cap_last_cap "
             "(/proc/sys/kernel/cap_last_cap) not in keep, PR_SET_NO_NEW_PRIVS 1, then execv: "
             "root's exec sets permitted = effective = the bounding set."],
      needs=["root"])
def test_capabilities_drop_and_no_new_privs_come_before_exec() -> None:
    """A runtime confines the process before exec: the program starts with only the kept
    capabilities and NoNewPrivs set, so a setuid binary inside can never give them back."""
    program = os.path.realpath("/bin/sleep")
    with held(confined_sleep, [program, "1000"], KEEP) as h:
        pid = h.value
        try:
            status = status_of(pid, program)
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert status, f"pid {pid} never ran {program}"
    wanted = sum(1 << cap for cap in KEEP)
    for field in ("CapBnd", "CapPrm", "CapEff"):
        value = int(status[field], 16)
        assert value == wanted, (
            f"{field} of the program is {value:#x}; only {KEEP} ({wanted:#x}) should be left "
            f"(extra: {[c for c in range(64) if value >> c & 1 and c not in KEEP]})")
    assert status["NoNewPrivs"].strip() == "1", "NoNewPrivs is 0: exec could still grant privileges"


@koan(man="user_namespaces(7) (User and group ID mappings), runc's libcontainer/nsenter/README.md",
      hints=["Until its maps are written, who is a process in a new user namespace? Who can "
             "write them, and when?",
             "Child: unshare(CLONE_NEWUSER), tell the parent (pipe), wait for its answer (second "
             "pipe), execv. Parent: wait, map_ids(pid), answer, waitpid."],
      needs=["root", "userns"])
def test_the_user_namespace_is_mapped_before_anything_needs_it(scratch: Path) -> None:
    """In a new user namespace a process is nobody (65534) until someone outside writes its
    uid_map: runc's child waits for the parent to map it before going on."""
    out = scratch / "ids-at-start"

    def map_ids(pid: int) -> None:
        time.sleep(SLOW)
        try:
            Path(f"/proc/{pid}/uid_map").write_text("0 0 1\n")
            Path(f"/proc/{pid}/gid_map").write_text("0 0 1\n")
        except OSError:
            pass  # no new namespace to map (EPERM): the program's own output will say where it ran,
            # and the program still runs to its end while the koan waits for it

    argv = ["/bin/sh", "-c", f"readlink /proc/self/ns/user > {out}; id -u >> {out}"]
    status = in_child(setup_order.spawn_in_user_namespace, argv, map_ids)
    lines = out.read_text().split() if out.exists() else []
    assert len(lines) == 2, f"the program did not run to the end (wait status {status}): {lines}"
    own = f"user:[{linux.ns_inode(os.getpid(), 'user')}]"
    assert lines[0] != own, "the program ran in the host's user namespace, not a new one"
    assert lines[1] == "0", (
        f"the program started as uid {lines[1]} in its user namespace: its maps were not "
        "written yet (65534 is the overflow id of an unmapped uid)")


def pids_seen(pid: int, timeout: float = 10) -> list[str]:
    """The pid directories of the /proc that pid sees (through /proc/<pid>/root), once it
    looks like a PID namespace of its own (or at the timeout)."""
    def read() -> list[str]:
        try:
            return sorted(n for n in os.listdir(f"/proc/{pid}/root/proc") if n.isdigit())
        except OSError:
            return []

    return waiting.settle(read, lambda found: found == ["1"], timeout)


def start_pid1() -> int:
    return int(setup_order.start_pid1_with_proc())


@koan(man="pid_namespaces(7) (/proc and PID namespaces), mount_namespaces(7), proc(5)",
      hints=["A procfs shows the PID namespace of the process that mounted it. Which process of "
             "yours is in the new PID namespace?",
             "unshare(CLONE_NEWPID | CLONE_NEWNS), make / rprivate, fork; in the child (PID 1) "
             "mount('proc', '/proc', 'proc'); then pause. The parent returns the child's pid."],
      needs=["root"])
def test_proc_is_mounted_from_inside_the_new_pid_namespace() -> None:
    """runc mounts /proc after the fork into the new PID namespace, by a process inside it:
    mounted a step earlier, the container's `ps` would list the host's processes."""
    with held(decoy.run_behind, ["mnt"], start_pid1) as h:  # h.pid: the stand-in host
        pid = h.value.value
        try:
            seen = pids_seen(pid)
            time.sleep(0.1)  # a mount that propagates has arrived by now
            stand_in_mounts = decoy.mount_points(h.pid)
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert seen == ["1"], (
        f"the child's /proc lists pids {seen[:10]}{'…' if len(seen) > 10 else ''}: "
        + ("it is not a procfs of a new PID namespace (mounted by a process outside it, or "
           "never mounted)" if seen else "none at all"))
    assert stand_in_mounts.count("/proc") == 1, (
        "the new /proc appeared in the stand-in host's mount table too: the mount namespace "
        "was not private (or not new)")
