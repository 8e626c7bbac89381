"""The order a runtime sets a container up in (reference)."""
from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

from kernel_koans import linux


def _exec(argv: list[str]) -> None:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)


def spawn_in_cgroup(argv: list[str], join: Callable[[int], None]) -> int:
    """Fork; the child waits on a pipe until the parent has joined it to the cgroup."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        _exec(argv)
    os.close(ready_r)
    join(pid)
    os.write(ready_w, b"j")  # only now may the child exec: everything it forks is born inside
    os.close(ready_w)
    return os.waitpid(pid, 0)[1]


def last_cap() -> int:
    return int(Path("/proc/sys/kernel/cap_last_cap").read_text())


def exec_confined(argv: list[str], keep: list[int]) -> int:
    """Fork; the child drops every other capability from its bounding set, sets no_new_privs,
    then execs (root's exec gets the bounding set as its permitted and effective sets)."""
    pid = os.fork()
    if pid == 0:
        try:
            for cap in range(last_cap() + 1):  # the kernel's count, not a hard-coded one
                if cap not in keep:
                    linux.prctl(linux.PR_CAPBSET_DROP, cap)
            linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
        except BaseException:
            os._exit(126)
        _exec(argv)
    return pid


def spawn_in_user_namespace(argv: list[str], map_ids: Callable[[int], None]) -> int:
    """The child unshares and says so; the parent writes its maps; then the child execs."""
    unshared_r, unshared_w = os.pipe()
    mapped_r, mapped_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(unshared_r)
            os.close(mapped_w)
            linux.unshare(linux.CLONE_NEWUSER)
            os.write(unshared_w, b"u")  # maps can only be written once the namespace exists
            os.read(mapped_r, 1)        # and the program must not start before they are
        except BaseException:
            os._exit(126)
        _exec(argv)
    os.close(unshared_w)
    os.close(mapped_r)
    os.read(unshared_r, 1)
    map_ids(pid)
    os.write(mapped_w, b"m")
    os.close(mapped_w)
    return os.waitpid(pid, 0)[1]


def start_pid1_with_proc() -> int:
    """unshare PID and mount namespaces; the *child* (the new namespace's PID 1) mounts /proc."""
    linux.unshare(linux.CLONE_NEWPID | linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)  # our mounts stay ours
    pid = os.fork()
    if pid == 0:
        try:
            # A procfs shows the PID namespace of the process that mounts it: only a
            # process inside the new namespace gets a /proc of it.
            linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
            while True:
                signal.pause()
        finally:
            os._exit(0)
    return pid
