"""The pod sandbox: a pause process that holds the pod's namespaces, and app containers
that join them.

Read namespaces(7), pid_namespaces(7) ("The namespace init process"), setns(2) and
wait(2). Each function runs in a child process the koan forks for you.
"""
from __future__ import annotations

import os  # noqa: F401 - fork, waitpid, open
import signal  # noqa: F401 - SIGCHLD, pause, sigwait

from kernel_koans import linux  # noqa: F401 - unshare, setns, sethostname, CLONE_*


def fork_sandbox() -> int:
    """Fork the pod's pause process; behave like os.fork() (0 in the child, its pid in the parent).

    The child is born in new PID, network, IPC and UTS namespaces: PID 1 of the pod.
    """
    raise NotImplementedError("should fork a child born in new pid, net, ipc and uts namespaces")


def sandbox_setup(hostname: str) -> None:
    """In the new pause process: give the pod its hostname and a working loopback (lo up),
    the two things every container of the pod will share."""
    raise NotImplementedError("should set the pod's hostname and bring its loopback up")


def pause_forever() -> None:
    """The pause process's whole life: sleep, and reap every child that ends (never return).

    Processes whose parent dies are handed to PID 1 of their PID namespace: in a pod
    sharing its PID namespace, that is you.
    """
    raise NotImplementedError("should sleep forever and reap every child that ends")


def join_pod(pause_pid: int, share_pid: bool) -> None:
    """Make this process an app container of the pod whose pause process is `pause_pid`.

    A container shares the pod's network, IPC and UTS namespaces but has a mount namespace
    of its own. With `share_pid` (shareProcessNamespace: true) its processes live in the
    pod's PID namespace too; without, in a PID namespace of its own. Either way this
    process stays where it is: its children are the container's processes.
    """
    raise NotImplementedError("should join the pod's namespaces as an app container does")
