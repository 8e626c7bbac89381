"""M4 — signals and the process tree: PID 1's rules, subreapers, and reading /proc.

A container's first process is PID 1 of its PID namespace, and the kernel treats
PID 1 differently: that is why `docker stop` sometimes takes 10 seconds and why
tini exists. These koans start the processes; your code signals and reaps them.
"""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kernel_koans import child, exercise, koan, procfs, trace, waiting
from kernel_koans.child import describe_status, in_child

sig = exercise("m04/signals")

LAUNCHER = r'''
import os, sys
from kernel_koans import linux
linux.unshare(linux.CLONE_NEWPID)        # our next child is PID 1 of a new namespace
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-c", sys.argv[1]])
print("pid", pid, flush=True)
_, status = os.waitpid(pid, 0)
print("status", status, flush=True)      # PID 1's wait status, as the kernel reported it
'''
BARE_INIT = "import time; print('ready', flush=True); time.sleep(60)"
HANDLER_INIT = """
import os, select, signal, sys
signal.signal(signal.SIGTERM, lambda *_: None)       # a handler makes SIGTERM deliverable to PID 1
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
print("ready", flush=True)
info = signal.sigtimedwait({signal.SIGTERM}, 60)     # who sent it: si_pid is 0 if from outside
if info is not None:
    print("from", info.si_pid, flush=True)
    try:  # let the sender exit first: PID 1's exit SIGKILLs whatever is left in its namespace
        select.select([os.pidfd_open(info.si_pid)], [], [], 10)
    except OSError:  # gone already, or si_pid 0 (sent from outside)
        pass
    sys.exit(7)
"""


class Init:
    """A Python program running as PID 1 of a fresh PID namespace, started by the koan."""

    def __init__(self, spawn, program: str) -> None:
        self.spawn = spawn
        self.proc = spawn([sys.executable, "-c", LAUNCHER, program], stdout=subprocess.PIPE)
        self.lines: dict[str, str] = {}
        self._buf = b""
        started = self._read_until({"pid", "ready"}, 10)
        if "pid" in self.lines:
            spawn.track(int(self.lines["pid"]))
        assert started, f"the koan could not start a PID namespace init (it said {self.lines})"
        self.pid = int(self.lines["pid"])

    def _read_until(self, keys: set[str], timeout: float) -> bool:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while not keys <= self.lines.keys():
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return False
            chunk = os.read(fd, 4096)
            if not chunk:
                return False
            self._buf += chunk
            *done, self._buf = self._buf.split(b"\n")
            for line in done:
                key, _, value = line.decode().partition(" ")
                self.lines[key] = value
        return True

    def status(self, timeout: float) -> int | None:
        """PID 1's wait status once it has ended, or None if it still runs after `timeout`."""
        if not self._read_until({"status"}, timeout):
            return None
        if self.pid in self.spawn.pids:  # reaped: its pid may be reused, teardown must not kill it
            self.spawn.pids.remove(self.pid)
        return int(self.lines["status"])


def how_ended(status: int | None) -> str:
    return "still running" if status is None else describe_status(status)


@koan(man="pid_namespaces(7)",
      hints=["How does a process join a PID namespace that already exists, given setns() "
             "only moves the caller's future children?",
             "open /proc/<pid>/ns/pid, linux.setns(fd, linux.CLONE_NEWPID), fork, and kill(1, sig) "
             "in the child. The kernel drops signals to a namespace's init unless init installed a "
             "handler for them: SIGTERM's default action never applies to PID 1."],
      needs=["root"])
def test_pid1_ignores_sigterm_it_has_no_handler_for(spawn):
    """The kernel only delivers a signal to a namespace's PID 1 if PID 1 handles it.
    An app that never installed a SIGTERM handler, run as PID 1, cannot be told to stop."""
    handled = Init(spawn, HANDLER_INIT)
    in_child(sig.signal_pid1_from_inside, handled.pid, signal.SIGTERM, timeout=10)
    status = handled.status(5)
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 7, (
        f"PID 1 with a SIGTERM handler (it exits 7) is {how_ended(status)} after SIGTERM from inside "
        f"its namespace: the signal never reached it")
    sender = int(handled.lines.get("from", "0"))
    assert sender != 0, ("PID 1 got SIGTERM with si_pid 0: it came from outside the namespace, "
                         "not from a process inside it")
    bare = Init(spawn, BARE_INIT)
    in_child(sig.signal_pid1_from_inside, bare.pid, signal.SIGTERM, timeout=10)
    status = bare.status(1.0)
    assert status is None, (f"PID 1 without a handler ended ({how_ended(status)}) on SIGTERM: "
                            f"the kernel should have dropped the signal")
    os.kill(bare.pid, signal.SIGKILL)
    status = bare.status(5)
    assert status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
        f"SIGKILL from the parent namespace left PID 1 {how_ended(status)}")


@koan(man="signal(7)",
      hints=["A polite request first, then force: which signal can't PID 1 ignore when sent from "
             "outside its namespace?",
             "os.kill(pid, SIGTERM); poll /proc/<pid>/stat until it is gone or 'Z' or `grace` has "
             "passed; then os.kill(pid, SIGKILL). The kernel always delivers SIGKILL (and SIGSTOP) "
             "to a namespace's init from an ancestor namespace."],
      needs=["root"])
def test_stop_escalates_to_sigkill_which_pid1_cannot_ignore(spawn):
    """docker stop sends SIGTERM, waits, then SIGKILLs: only SIGKILL from outside is sure to work.
    An init that handles SIGTERM stops at once; one that does not costs the full grace period."""
    grace = 1.5
    handled = Init(spawn, HANDLER_INIT)
    start = time.monotonic()
    in_child(sig.stop, handled.pid, grace, timeout=10)
    status = handled.status(5)
    took = time.monotonic() - start
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 7, (
        f"PID 1 with a SIGTERM handler (it exits 7) ended {how_ended(status)}: it should get SIGTERM first")
    assert took < grace, f"stopping a PID 1 that handles SIGTERM took {took:.1f} s, the whole grace period"
    bare = Init(spawn, BARE_INIT)
    start = time.monotonic()
    in_child(sig.stop, bare.pid, grace, timeout=10)
    status = bare.status(5)
    took = time.monotonic() - start
    assert status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
        f"PID 1 without a SIGTERM handler is {how_ended(status)} after stop(): only SIGKILL ends it")
    assert took >= grace - 0.1, (f"SIGKILL came after {took:.2f} s: stop() must give the process its "
                                 f"{grace} s grace period first")


def _zombie_or_gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"


@koan(man="prctl(2)",
      hints=["When a process dies, who becomes the parent of its children? Can you volunteer?",
             "linux.set_child_subreaper(True) before starting argv, then os.wait() until "
             "ChildProcessError. The kernel re-parents orphans to the nearest subreaper ancestor, "
             "and only the parent can reap a zombie: that is the job of tini and `docker run --init`."],
      needs=["root", "ptrace"])
def test_a_subreaper_adopts_and_reaps_orphans(spawn, scratch):
    """An orphan is re-parented to the nearest ancestor that declared itself a child subreaper.
    A container's init must then reap those orphans, or zombies pile up.

    The koan stops your code at its first fork until argv has made its orphan and exited:
    an orphan made early goes to whoever was a subreaper at that moment."""
    marker = scratch / "orphan.pid"
    argv = ["sh", "-c", f"sleep 30 & echo $! > {marker}; exit 3"]
    with child.start(sig.reap_as_subreaper, argv, gated=True) as reaper:

        def let_argv_orphan_its_child(program: int) -> None:
            waiting.until(lambda: _zombie_or_gone(program), 5, 0.01)

        program = trace.at_next_fork(reaper, let_argv_orphan_its_child)
        if program is None:  # it never started argv: its exception, or how it ended
            reaper.report()
            raise AssertionError(f"the reaper never started argv ({child.describe_status(reaper.wait(0) or 0)})")
        orphan = int(marker.read_text()) if marker.exists() and marker.read_text().strip() else 0
        assert orphan, "the shell never started its background sleep"
        spawn.track(orphan)
        parent = procfs.ppid(orphan)
        assert parent == reaper.pid, (
            f"the orphaned sleep's PPid is {parent}, not the subreaper {reaper.pid}: the kernel gave "
            "it to another ancestor (set_child_subreaper must come before the orphan is made)")
        status = reaper.wait(0.5)
        assert status is None, (
            f"the reaper ended ({child.describe_status(status)}) while its adopted orphan {orphan} "
            "still ran: it must wait for every child")
        os.kill(orphan, signal.SIGKILL)
        code = reaper.report(timeout=5)
        assert code == 3, f"the reaper returned {code!r}: it should return argv's exit code 3"
        assert not Path(f"/proc/{orphan}").exists(), f"the orphan {orphan} was never reaped (zombie)"
        spawn.pids.remove(orphan)


NAMES = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=15)


@koan(man="proc(5)",
      hints=["What if the command name itself contains ') ' or spaces?",
             "Field 2 is '(' comm ')', and comm may hold anything but NUL. Split after the LAST ')': "
             "then come state and ppid."],
      needs=[])
@settings(max_examples=200, deadline=None)
# The hard names are always tried, besides hypothesis' draws: a fake ") S <ppid>" inside the
# name, a name that is only parentheses, spaces, a newline, digits, and an empty name.
@example(pid=4242, ppid=17, comm="x) R 99 98", state="S", rest=[0] * 10)
@example(pid=7, ppid=3, comm=") S 1 1 1 (", state="R", rest=[5] * 12)
@example(pid=12, ppid=4000, comm="((a))", state="Z", rest=[1] * 10)
@example(pid=99, ppid=1, comm="my app 2 3", state="D", rest=[2] * 10)
@example(pid=3, ppid=8, comm="a\nb) S 2", state="S", rest=[0] * 10)
@example(pid=5, ppid=6, comm="", state="I", rest=[7] * 10)
@example(pid=11, ppid=22, comm="1234", state="T", rest=[33] * 10)
@given(pid=st.integers(1, 4_194_304), ppid=st.integers(0, 4_194_304), comm=NAMES,
       state=st.sampled_from("RSDZTtXI"), rest=st.lists(st.integers(-1, 2**40), min_size=10, max_size=48))
def test_ppid_parsing_survives_any_command_name(pid, ppid, comm, state, rest):
    """A process chooses its own name, so a /proc parser must not trust it.
    ps, top and container tools all parse this line: a naive split is a classic bug."""
    line = f"{pid} ({comm}) {state} {ppid} " + " ".join(map(str, rest)) + "\n"
    got = sig.ppid_of(line)
    assert got == ppid, f"ppid_of read {got} from a stat line of ppid {ppid} (comm {comm!r})"


TREE = r'''
import ctypes, os, time
libc = ctypes.CDLL(None)
def grow(kids):
    for name, grandkids in kids:
        if os.fork() == 0:
            libc.prctl(15, name.encode(), 0, 0, 0)   # PR_SET_NAME: this process's comm
            grow(grandkids)
            time.sleep(30)
            os._exit(0)
grow([("leaf", []), ("kk) (S 1 2", [("x", [])]), ("mid", [("deep", [("deepest", [])]), ("y", [])])])
time.sleep(30)
'''


def kernel_tree(root: int) -> dict[int, list[int]]:
    """The tree as the kernel lists it in /proc/<pid>/task/<tid>/children (or psutil)."""
    tree: dict[int, list[int]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        kids: list[int] = []
        task_dir = Path(f"/proc/{pid}/task")
        for task in task_dir.iterdir() if task_dir.is_dir() else []:
            children = task / "children"
            if children.exists():
                kids.extend(int(x) for x in children.read_text().split())
            else:  # kernel without CONFIG_PROC_CHILDREN
                import psutil

                kids = [p.pid for p in psutil.Process(pid).children()]
                break
        tree[pid] = sorted(set(kids))
        todo.extend(tree[pid])
    return tree


@koan(man="proc(5)",
      hints=["Every process names its parent. How do you turn 'child -> parent' into 'parent -> children'?",
             "Read /proc/<n>/stat for every numeric n, take the ppid with ppid_of (skip processes "
             "that vanish), invert the map, and walk down from root."],
      needs=[])
def test_process_tree_read_from_proc_matches_the_kernel(spawn):
    """`ps --forest`, pstree and `docker top` all rebuild the process tree from /proc.
    The kernel keeps only each process's parent; the tree is yours to assemble."""
    proc = spawn([sys.executable, "-c", TREE])
    expected = waiting.settle(lambda: kernel_tree(proc.pid), lambda tree: len(tree) >= 8, 10)
    assert len(expected) == 8, f"the koan's process tree did not come up: {expected}"
    got = sig.process_tree(proc.pid)
    assert got == expected, f"your tree {got} differs from the kernel's {expected}"
