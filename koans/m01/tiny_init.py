"""A tiny init: what PID 1 of a container owes its children.

The first process of a PID namespace is its init (pid_namespaces(7)): the kernel
sends it no signal it has no handler for, and it inherits every orphan. Docker's
`--init` (tini) does what you write here.
"""
from __future__ import annotations

from typing import NoReturn


def tiny_init(argv: list[str]) -> NoReturn:
    """Be PID 1 for the program argv. Never return: end with os._exit(code).

    1. install handlers for SIGTERM and SIGINT (more if you like) that forward the
       signal to the child, before forking; and since a signal may come right after
       fork(), before you know the child's pid, block them around the fork
       (signal.pthread_sigmask) so they wait instead of getting lost;
    2. fork; in the child, restore the default handlers and the mask, then
       execvp(argv[0], argv);
    3. loop on os.waitpid(-1, 0): reap *every* child, also orphans that the kernel
       re-parents to you; when the one you started ends, os._exit() with its exit
       code, or 128 + N if signal N killed it (what a shell reports).
    """
    raise NotImplementedError("should be PID 1 for argv: pass signals on, reap every child, exit with the program's status")


def init_script() -> str:
    """The same init as a busybox `sh` script (the busybox image has no Python).

    It will run as `/bin/sh /kk-init.sh PROGRAM ARGS...`: start "$@" in the background,
    `trap` SIGTERM to forward it (kill -TERM) to that child, `wait` for it and exit
    with its status. Careful: `wait` returns early when a trapped signal arrives.
    """
    raise NotImplementedError("should return the same init as a busybox sh script")
