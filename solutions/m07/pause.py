"""The pod sandbox: a pause process and app containers that join it (reference)."""
from __future__ import annotations

import os
import signal

from pyroute2 import IPRoute

from kernel_koans import linux


def fork_sandbox() -> int:
    """Fork the pod's pause process; behave like os.fork()."""
    # unshare(CLONE_NEWPID) moves only the children to come; net, ipc and uts move the caller
    # too. The koan calls this in a throwaway child, so the caller's moves do no harm.
    linux.unshare(linux.CLONE_NEWPID | linux.CLONE_NEWNET | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS)
    return os.fork()


def sandbox_setup(hostname: str) -> None:
    """Set the pod's hostname, bring its loopback up."""
    linux.sethostname(hostname)
    # A new network namespace has lo, down: 127.0.0.1 answers nothing until it is up.
    # (Kubernetes leaves this to the runtime or the CNI `loopback` plugin.)
    with IPRoute() as ipr:
        ipr.link("set", index=ipr.link_lookup(ifname="lo")[0], state="up")


def pause_forever() -> None:
    """Sleep, and reap every child that ends (never return)."""
    # Block SIGCHLD and wait for it synchronously: no handler, no race between a
    # check and a sleep. One SIGCHLD may stand for several dead children (signals of
    # one kind do not queue), so reap in a loop until nothing is left to reap.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT})
    while True:
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        if signal.sigwait({signal.SIGCHLD, signal.SIGTERM, signal.SIGINT}) != signal.SIGCHLD:
            os._exit(0)


def join_pod(pause_pid: int, share_pid: bool) -> None:
    """Make this process an app container of the pod whose pause process is `pause_pid`."""
    fds = {kind: os.open(f"/proc/{pause_pid}/ns/{kind}", os.O_RDONLY | os.O_CLOEXEC)
           for kind in ("net", "ipc", "uts", "pid")}
    try:
        for kind in ("net", "ipc", "uts"):
            linux.setns(fds[kind], linux.NAMESPACE_FLAGS[kind])
        if share_pid:
            linux.setns(fds["pid"], linux.CLONE_NEWPID)  # our children are born in the pod's
        else:
            linux.unshare(linux.CLONE_NEWPID)  # our first child is PID 1 of its own
    finally:
        for fd in fds.values():
            os.close(fd)
    # Its own mount namespace: each container sees its own image's filesystem.
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
