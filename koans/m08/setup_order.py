"""The order a runtime sets a container up in, before the container's first instruction.

runc's parent and child meet at fixed points over pipes: the child waits until the
parent has done what only the parent can do (put it in a cgroup, write its id maps),
and limits itself (capabilities, no_new_privs) before exec, because after exec the
code is no longer the runtime's. Each function forks the child itself and runs in a
child the koan forked for you. Read runc's libcontainer/nsenter README, execve(2),
capabilities(7), prctl(2) (PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP), user_namespaces(7).
"""
from __future__ import annotations

import os  # noqa: F401 - fork, pipe, read, write, execv, waitpid
import signal  # noqa: F401 - pause
from collections.abc import Callable

from kernel_koans import linux  # noqa: F401 - prctl, unshare and their constants


def spawn_in_cgroup(argv: list[str], join: Callable[[int], None]) -> int:
    """Run argv (argv[0] a path) in a child process that is in the cgroup from its very
    first instruction. `join(pid)` — call it here, in the parent — moves pid into the
    cgroup, and takes its time. Return the child's wait status once it ended."""
    raise NotImplementedError("should run argv in a child that is inside the cgroup from "
                              "its first instruction")


def exec_confined(argv: list[str], keep: list[int]) -> int:
    """Start argv (argv[0] a path) in a child process that runs with no capability but
    those in `keep` (CAP_* numbers) and can never gain one by exec; return its pid (the
    koan ends it). It must be so from the program's first instruction."""
    raise NotImplementedError("should start argv with only the `keep` capabilities and no "
                              "way to gain privileges")


def spawn_in_user_namespace(argv: list[str], map_ids: Callable[[int], None]) -> int:
    """Run argv (argv[0] a path) in a child process in a new user namespace, where it is
    already root when its first instruction runs. `map_ids(pid)` — call it here, in the
    parent — writes pid's uid and gid maps, and takes its time. Return the wait status."""
    raise NotImplementedError("should run argv in a new user namespace whose id maps are in "
                              "place before the program starts")


def start_pid1_with_proc() -> int:
    """Start a child that is PID 1 of a new PID namespace, in a mount namespace of its own
    whose /proc shows that PID namespace (and no mount of it reaches this one). The
    child stays alive; return its pid."""
    raise NotImplementedError("should start a PID 1 whose /proc shows its own PID namespace")
