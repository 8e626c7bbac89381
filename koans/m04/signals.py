"""Signals and the process tree: PID 1's special rules, subreapers, and /proc.

The koans start the namespaces and processes; you send the signals, adopt the
orphans and read the tree. Useful: os.kill, os.fork, os.wait, os.waitpid,
`kernel_koans.linux` (setns, CLONE_NEWPID, set_child_subreaper) and /proc.
"""
from __future__ import annotations

# What the reference uses; ruff's F401 is silenced because the stubs do not use them yet.
import os  # noqa: F401
import signal  # noqa: F401
import subprocess  # noqa: F401
import time  # noqa: F401
from pathlib import Path  # noqa: F401

from kernel_koans import linux  # noqa: F401


def signal_pid1_from_inside(host_pid: int, signum: int) -> None:
    """Send `signum` to PID 1 of a PID namespace, from a process *inside* it.

    `host_pid` is that PID 1 as your namespace numbers it. Open
    /proc/<host_pid>/ns/pid and `linux.setns(fd, linux.CLONE_NEWPID)`: that
    places your *next child* in the namespace. Fork; in the child,
    `os.kill(1, signum)` (inside, the init is pid 1) and `os._exit(0)`; wait for it.
    """
    raise NotImplementedError("should send `signum` to the namespace's PID 1 from a process inside it")


def stop(pid: int, grace: float) -> None:
    """Stop a process the way `docker stop` does.

    Send SIGTERM; wait up to `grace` seconds for the process to be gone (you
    are not its parent: watch /proc/<pid>/stat — missing, or state 'Z');
    if it is still running, send SIGKILL.
    """
    raise NotImplementedError("should stop the process the way `docker stop` does")


def reap_as_subreaper(argv: list[str]) -> int:
    """Be a tiny init: run `argv`, adopt its orphans, reap them all.

    Call `linux.set_child_subreaper(True)` first: then orphaned descendants are
    re-parented to you instead of to PID 1. Start argv (subprocess.Popen), then
    `os.wait()` in a loop until it raises ChildProcessError (no children left).
    Return argv's exit code.
    """
    raise NotImplementedError("should run argv, adopt its orphans and reap them all")


def ppid_of(stat_line: str) -> int:
    """The parent pid (field 4) in a line of /proc/<pid>/stat.

    Careful: field 2 is the command name in parentheses, e.g. "(sleep)", and a
    name may contain spaces and parentheses itself: "1234 (a) (b) S 1 ...".
    """
    raise NotImplementedError("should return the parent pid in a /proc/<pid>/stat line")


def process_tree(root: int) -> dict[int, list[int]]:
    """Map `root` and every descendant of it to the sorted list of its children's pids.

    Read /proc/<pid>/stat of every process (processes may vanish while you
    read: skip those), take each one's ppid with `ppid_of`, and walk down from root.
    Leaves map to []. Example: {100: [101, 102], 101: [], 102: [103], 103: []}.
    """
    raise NotImplementedError("should return {pid: its children} for `root` and every descendant")
