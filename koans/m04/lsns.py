"""/proc/<pid>/ns: who shares which namespace, like lsns(8), and what Docker shares.

Every process has one file per namespace kind in /proc/<pid>/ns/. They are
symlinks like 'net:[4026531840]'; the number is the inode of the namespace
(os.stat(path).st_ino). Equal inodes: the same namespace. Read namespaces(7).
"""
from __future__ import annotations

KINDS = ("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts")
"""The namespace kinds; /proc/<pid>/ns also has pid_for_children and
time_for_children, which describe a process's future children: leave them out."""


def list_namespaces(kind: str) -> dict[int, list[int]]:
    """Group every process on the machine by its namespace of `kind` ("net", "pid", ...).

    Return {namespace inode: sorted list of pids in it}. Processes come and go
    while you read /proc: one that vanished under you is simply not listed.
    """
    raise NotImplementedError("should return {namespace inode: pids in it} for namespaces of `kind`")


def shared_namespaces(pid_a: int, pid_b: int) -> set[str]:
    """The kinds (from KINDS) of namespace that processes pid_a and pid_b share."""
    raise NotImplementedError("should return the kinds of namespace the two processes share")
