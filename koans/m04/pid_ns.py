"""PID namespaces: a process tree with its own numbering, and its own PID 1.

Read pid_namespaces(7) first. The syscalls are in kernel_koans.linux
(`linux.unshare`, `linux.mount`, the CLONE_* and MS_* constants).
"""
from __future__ import annotations

import os  # noqa: F401 - you will need these
import signal  # noqa: F401

from kernel_koans import linux  # noqa: F401


def fork_into_new_pid_namespace() -> int:
    """Fork a child that is PID 1 of a brand-new PID namespace; behave like os.fork().

    Return 0 in the child and the child's pid (as *your* namespace numbers it) in
    the parent. unshare(CLONE_NEWPID) does not move the caller: it decides where
    the caller's next child is born. So: unshare first, then fork.
    """
    raise NotImplementedError("should fork a child that is PID 1 of a new PID namespace (like os.fork())")


def stop_namespace(init_pid: int) -> None:
    """Stop every process of the PID namespace whose init has pid `init_pid`, with one kill(2).

    You do not need to find the other processes: think about what the kernel
    does to a namespace whose PID 1 dies.
    """
    raise NotImplementedError("should stop every process of the PID namespace with one kill(2)")


def mount_proc() -> None:
    """Make /proc show this PID namespace's processes, without touching the host's /proc.

    Called inside PID 1 of a new PID namespace. /proc is a mount: a fresh procfs
    mount shows the PID namespace of whoever mounts it. Do it in a new mount
    namespace, and make its mounts private before mounting anything, so that
    the host's /proc stays as it is.
    """
    raise NotImplementedError("should make /proc show this PID namespace's processes, without touching the host's")
