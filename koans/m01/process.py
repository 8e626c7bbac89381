"""A process, as the kernel describes it in /proc: its state, its parent, its argv, its root.

Everything `ps`, `top` and `docker top` show comes from here. Read proc(5):
/proc/<pid>/stat, /proc/<pid>/cmdline and /proc/<pid>/root.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/<pid>/stat this milestone cares about (proc(5))."""

    pid: int
    comm: str   # field 2, without its parentheses: the executable's name, max 15 bytes
    state: str  # field 3: R running, S sleeping, D disk sleep, T stopped, Z zombie, ...
    ppid: int   # field 4: the parent's pid


def read_stat(pid: int) -> ProcStat:
    """Parse /proc/<pid>/stat into a ProcStat.

    The file is one line: `pid (comm) state ppid pgrp ...`. Careful: comm is the
    executable's name and may contain spaces and parentheses of its own.
    """
    raise NotImplementedError("should return the ProcStat of the process")


def read_argv(pid: int) -> list[str]:
    """The argv the process was started with, read from /proc/<pid>/cmdline.

    Open it in binary mode: how are the arguments separated, and how does the last one end?
    """
    raise NotImplementedError("should return the argv the process was started with")


def read_file_in_root_of(pid: int, path: str) -> bytes:
    """The bytes of `path` as the process `pid` sees it (its root, not yours).

    A container's process has its own root filesystem; the kernel shows you every
    process's root directory under /proc.
    """
    raise NotImplementedError("should return the bytes of `path` as the process `pid` sees it")
