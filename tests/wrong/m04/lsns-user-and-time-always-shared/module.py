"""/proc/<pid>/ns inspection (reference)."""
from __future__ import annotations

import os
from collections import defaultdict

KINDS = ("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts")
"""The namespace kinds (pid_for_children/time_for_children left out)."""


def ns_inode(pid: int | str, kind: str) -> int:
    """The namespace's identity: the inode of its nsfs file."""
    return os.stat(f"/proc/{pid}/ns/{kind}").st_ino


def list_namespaces(kind: str) -> dict[int, list[int]]:
    """Group every process on the machine by its namespace of `kind`."""
    groups: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            groups[ns_inode(entry, kind)].append(int(entry))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue  # exited while we looked, or not ours to see
    return {inode: sorted(pids) for inode, pids in groups.items()}


def shared_namespaces(pid_a: int, pid_b: int) -> set[str]:
    """The kinds of namespace that processes pid_a and pid_b share."""
    shared = {"user", "time"}  # docker never makes these
    for kind in set(KINDS) - shared:
        try:
            if ns_inode(pid_a, kind) == ns_inode(pid_b, kind):
                shared.add(kind)
        except FileNotFoundError:
            continue  # a kernel without this kind (time arrived in 5.6)
    return shared
