"""Seccomp guards: let the kernel tell a koan *how* learner code reached an end state.

Some end states can be reached the right way or a wrong way: a namespace is empty
after its init died, or after the code killed every member itself. A guard is a
seccomp filter, installed in the (forked) process that then runs the learner's
code; it also holds for everything that process starts. A forbidden syscall kills
the process with SIGSYS, which the koan sees as its wait status.
"""
from __future__ import annotations

import signal

SIGNAL_SYSCALLS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
"""The syscalls that send a signal to a pid: (target, ..., signal) arguments."""
_SIGNAL_ARG = {"kill": 1, "tkill": 1, "tgkill": 2, "rt_sigqueueinfo": 1, "rt_tgsigqueueinfo": 2}

GUARD_SIGNAL = signal.SIGSYS
"""What a process that broke a guard dies of."""


def signal_only(pid: int) -> None:
    """From now on this process (and what it starts) may send signals to `pid` only.

    A signal to any other target (another pid, a process group, -1), also through
    pidfd_open(2) of another pid, kills the sender with SIGSYS. Signal 0 (an
    existence check) stays allowed."""
    import pyseccomp as seccomp

    flt = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in SIGNAL_SYSCALLS:
        flt.add_rule(seccomp.KILL_PROCESS, name, seccomp.Arg(0, seccomp.NE, pid),
                     seccomp.Arg(_SIGNAL_ARG[name], seccomp.NE, 0))
    flt.add_rule(seccomp.KILL_PROCESS, "pidfd_open", seccomp.Arg(0, seccomp.NE, pid))
    flt.load()
