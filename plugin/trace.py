"""Stop a child at its next fork(2), to force a race open instead of hoping for it.

Some mistakes only show when something happens in a narrow window: a signal
that arrives right after fork(), an orphan that is made before the parent has
declared itself a subreaper. A koan starts the learner's code gated
(`child.start(..., gated=True)`), and `at_next_fork` seizes it with ptrace(2),
lets it run until the kernel reports its first fork, vfork or clone, and then
acts while the forking process is still stopped in the kernel.
"""
from __future__ import annotations

import ctypes
import os
import time
from collections.abc import Callable

from kernel_koans.child import Child, ChildTimeout

PTRACE_CONT = 7
PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_GETEVENTMSG = 0x4201
PTRACE_O_TRACEFORK = 0x02
PTRACE_O_TRACEVFORK = 0x04
PTRACE_O_TRACECLONE = 0x08
PTRACE_EVENT_FORK, PTRACE_EVENT_VFORK, PTRACE_EVENT_CLONE = 1, 2, 3
WALL = 0x40000000  # __WALL: wait for any child, traced ones included

_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
_libc.ptrace.restype = ctypes.c_long


def _ptrace(request: int, pid: int, addr: int = 0, data: int | ctypes.c_void_p | None = 0) -> None:
    if _libc.ptrace(request, pid, addr, data) == -1:
        err = ctypes.get_errno()
        raise OSError(err, f"ptrace({request:#x}, {pid}): {os.strerror(err)}")


def _event(status: int) -> int:
    return (status >> 16) & 0xFF


def at_next_fork(child: Child, then: Callable[[int], object], timeout: float = 5.0) -> int | None:
    """Run a gated child until it forks; call then(new_pid) while the child is still stopped
    in the kernel at that fork (the new process already runs), then let the child go on.

    Returns the new pid, or None when the child ended (child.status) or ran `timeout`
    seconds without forking (it is left running, untraced)."""
    _ptrace(PTRACE_SEIZE, child.pid, 0, PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE)
    child.go()
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(child.pid, os.WNOHANG | WALL)
        if not done:
            if time.monotonic() > deadline:
                _detach_running(child.pid)
                return None
            time.sleep(0.002)
            continue
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            child.status = status
            return None
        if _event(status) in (PTRACE_EVENT_FORK, PTRACE_EVENT_VFORK, PTRACE_EVENT_CLONE):
            break
        # A signal on its way to the child (or a group stop): pass it on and keep watching.
        sig = os.WSTOPSIG(status) if _event(status) == 0 else 0
        _ptrace(PTRACE_CONT, child.pid, 0, sig)
    msg = ctypes.c_ulong()
    _ptrace(PTRACE_GETEVENTMSG, child.pid, 0, ctypes.addressof(msg))
    new = int(msg.value)
    _release_new(new, deadline)
    try:
        then(new)
    finally:
        _ptrace(PTRACE_DETACH, child.pid, 0, 0)
    return new


def _release_new(pid: int, deadline: float) -> None:
    """The new process starts traced and stopped: wait for that stop, then detach it."""
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG | WALL)
        if done:
            break
        if time.monotonic() > deadline:
            raise ChildTimeout(f"the new process {pid} never reached its first stop")
        time.sleep(0.001)
    _ptrace(PTRACE_DETACH, pid, 0, 0)


def _detach_running(pid: int) -> None:
    """Detach from a tracee that is running: interrupt it first (detach needs a stop)."""
    PTRACE_INTERRUPT = 0x4207
    try:
        _ptrace(PTRACE_INTERRUPT, pid)
        os.waitpid(pid, WALL)
        _ptrace(PTRACE_DETACH, pid, 0, 0)
    except (OSError, ChildProcessError):
        pass
