"""A tiny init: what PID 1 of a container owes its children.

Reference twin of koans/m01/tiny_init.py.
"""
from __future__ import annotations

import os
import signal
from typing import NoReturn

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def tiny_init(argv: list[str]) -> NoReturn:
    """Run argv as the only child; forward signals to it; reap every child; exit like it."""
    child = 0

    def forward(signum: int, _frame: object) -> None:
        # PID 1 gets no default action for these signals (the kernel drops them unless a
        # handler exists), so installing this handler is what makes them reach anyone.
        if child:
            os.kill(child, signum)

    # Handlers first: the child's pid is not known until fork() returns, and a signal that
    # arrives in between would find child == 0 and be lost. So the signals are also held
    # back (blocked: they wait, pending) until `child` is set; then they are forwarded.
    for signum in FORWARDED:
        signal.signal(signum, forward)
    before = signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    child = os.fork()
    if child == 0:
        try:
            # The program starts with default handlers (execve would reset ours anyway, but a
            # forwarded signal may come before it) and the mask it would have had.
            for signum in FORWARDED:
                signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)  # exec failed: the shell's "command not found" status
    signal.pthread_sigmask(signal.SIG_SETMASK, before)  # what arrived meanwhile is forwarded now
    while True:
        # waitpid(-1) reaps ANY child: our own, and orphans the kernel re-parented to us.
        # Python retries it after a handler runs (PEP 475), so signals do not break the loop.
        pid, status = os.waitpid(child, 0)
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
        if pid == child:
            # waitstatus_to_exitcode gives -N for "killed by signal N"; shells report 128+N.
            code = os.waitstatus_to_exitcode(status)
            os._exit(128 - code if code < 0 else code)


def init_script() -> str:
    """The same duties in busybox sh, for a container whose image has no Python."""
    return r"""#!/bin/sh
# PID 1 of the container: run "$@" as a child, forward TERM/INT to it, exit with its status.
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM
trap 'kill -INT "$child" 2>/dev/null' INT
# `wait` returns early (status > 128) when a trapped signal arrives: wait again until the
# child is really gone. Each `wait` also reaps orphans re-parented to this shell.
wait "$child"
status=$?
while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    status=$?
done
exit "$status"
"""
