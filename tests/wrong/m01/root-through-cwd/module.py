"""A process, as the kernel describes it in /proc: its state, its parent, its argv, its root.

Reference twin of koans/m01/process.py.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/<pid>/stat this milestone cares about (proc(5))."""

    pid: int
    comm: str   # field 2, without its parentheses: the executable's name, max 15 bytes
    state: str  # field 3: R running, S sleeping, D disk sleep, T stopped, Z zombie, ...
    ppid: int   # field 4: the parent's pid


def read_stat(pid: int) -> ProcStat:
    """Parse /proc/<pid>/stat."""
    raw = open(f"/proc/{pid}/stat", "rb").read().decode(errors="surrogateescape")
    # comm may itself hold spaces and ')' characters: it runs from the first '(' to the
    # LAST ')'. Everything after that is space-separated numbers and the state letter.
    left = raw.index("(")
    right = raw.rindex(")")
    rest = raw[right + 2:].split()
    return ProcStat(pid=int(raw[:left]), comm=raw[left + 1:right], state=rest[0], ppid=int(rest[1]))


def read_argv(pid: int) -> list[str]:
    """The argv the process was started with, from /proc/<pid>/cmdline."""
    raw = open(f"/proc/{pid}/cmdline", "rb").read()
    # Each argument ends with a NUL byte, the last one too; arguments may be empty.
    return [os.fsdecode(arg) for arg in raw.split(b"\0")[:-1]]


def read_file_in_root_of(pid: int, path: str) -> bytes:
    """Read `path` as the process `pid` sees it, through its root directory."""
    # /proc/<pid>/root is a magic link to that process's root: for a container's
    # process, the container's root filesystem, whatever mount namespace it lives in.
    return open(f"/proc/{pid}/cwd/{path.lstrip('/')}", "rb").read()
