"""A stand-in host: namespaces of a koan's own that learner code may damage instead of the real one.

Learner code that forgets unshare(2) or MS_PRIVATE would otherwise change the
machine itself: its hostname, its /proc, its mount table. A koan runs such code
in a child of a *stand-in*: a process in fresh namespaces that play the host's
part. Its mount namespace is cut off from the real host (private) and then
re-shared, so mount events propagate inside it as on a systemd host, where /
is shared: forgetting MS_PRIVATE shows up as a mount in the stand-in.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel_koans import child, linux


@dataclass
class Behind:
    """What run_behind reports: the learner's child, its value, the stand-in's mountinfo at the start."""

    pid: int
    value: Any
    mountinfo: str


def stand_in(kinds: Iterable[str], shared_submounts: Iterable[str] = ()) -> str:
    """Move the caller into new namespaces of `kinds` ("uts", "ipc", "mnt", ...) that act as
    the host; return its mountinfo as it is now.

    Each directory in `shared_submounts` becomes a mount of its own there, shared in a peer
    group of its own, like /home or /tmp on a systemd host: making only / private (no
    MS_REC) then leaves it propagating."""
    flags = 0
    for kind in kinds:
        flags |= linux.NAMESPACE_FLAGS[kind]
    linux.unshare(flags)
    if flags & linux.CLONE_NEWNS:
        linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)  # nothing reaches the real host
        linux.mount(None, "/", None, linux.MS_REC | linux.MS_SHARED)   # but propagates like systemd's /
        for path in shared_submounts:
            linux.mount(path, path, None, linux.MS_BIND)
            linux.mount(None, path, None, linux.MS_PRIVATE)  # out of /'s peer group...
            linux.mount(None, path, None, linux.MS_SHARED)   # ...into one of its own
    return Path("/proc/self/mountinfo").read_text()


def run_behind(kinds: Iterable[str], fn: Callable[..., Any], *args: Any,
               timeout: float = child.DEFAULT_TIMEOUT, shared_submounts: Iterable[str] = ()) -> Behind:
    """For a held child: become a stand-in host, then run fn in a child of it that stays
    alive (child.spawn_held). The held child's pid is the stand-in's."""
    mountinfo = stand_in(kinds, shared_submounts)
    pid, value = child.spawn_held(fn, *args, timeout=timeout)
    return Behind(pid, value, mountinfo)


def mount_points(pid: int | str) -> list[str]:
    """The mount points of /proc/<pid>/mountinfo, in order (a stacked mount appears twice)."""
    return [line.split()[4] for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines()]
