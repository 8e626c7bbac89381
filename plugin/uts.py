"""Hostnames: the one a process's UTS namespace holds, and a guard for the machine's own.

A koan reads a container's hostname the kernel's way: a child joins the process's UTS
namespace (setns(2)) and asks uname(2). Learner code that calls sethostname(2) runs
behind a stand-in host (`kernel_koans.decoy`); `kept_hostname` is the last line behind
it: should the machine's own name change anyway, it is put back and the koan fails.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from kernel_koans import child, linux


def _join_and_ask(pid: int) -> str:
    fd = os.open(f"/proc/{pid}/ns/uts", os.O_RDONLY)
    try:
        linux.setns(fd, linux.CLONE_NEWUTS)
    finally:
        os.close(fd)
    return socket.gethostname()


def hostname_in(pid: int) -> str:
    """The hostname of pid's UTS namespace (asked from inside it, by a child)."""
    value: str = child.in_child(_join_and_ask, pid)
    return value


class HostRenamed(AssertionError):
    """The machine's own hostname changed during a koan (it has been restored)."""


@contextmanager
def kept_hostname() -> Iterator[str]:
    """Yield the machine's hostname; afterwards, if it changed, restore it and fail."""
    before = socket.gethostname()
    try:
        yield before
    finally:
        now = socket.gethostname()
        if now != before:
            linux.sethostname(before)
            raise HostRenamed(
                f"this machine's own hostname became {now!r} (the koan set it back to "
                f"{before!r}): sethostname(2) ran in the host's UTS namespace")
