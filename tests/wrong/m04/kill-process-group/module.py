"""PID namespaces: a process tree with its own numbering, and its own PID 1 (reference)."""
from __future__ import annotations

import os
import signal

from kernel_koans import linux


def fork_into_new_pid_namespace() -> int:
    """Fork a child that is PID 1 of a brand-new PID namespace; behave like os.fork()."""
    # unshare(CLONE_NEWPID) leaves the caller where it is: /proc/self/ns/pid is
    # unchanged, only /proc/self/ns/pid_for_children points at the new namespace.
    linux.unshare(linux.CLONE_NEWPID)
    # The first child born after it is the new namespace's init: PID 1 inside.
    return os.fork()


def stop_namespace(init_pid: int) -> None:
    """Stop every process of the PID namespace whose init has pid `init_pid`, with one kill(2)."""
    # When a namespace's init dies, the kernel SIGKILLs every other process in
    # it (zap_pid_ns_processes). SIGKILL from an ancestor namespace always lands;
    # a signal sent from inside to PID 1 is ignored unless PID 1 handles it.
    os.killpg(os.getpgid(init_pid), signal.SIGKILL)


def mount_proc() -> None:
    """Make /proc show this PID namespace's processes, without touching the host's /proc."""
    linux.unshare(linux.CLONE_NEWNS)
    # Copies of shared mounts would propagate our new mount back to the host:
    # make every mount in this namespace private first.
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    # A procfs instance shows the PID namespace of the process that mounted it.
    linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
