"""What /proc says of a process: the readings many koans make of the kernel's answer.

proc(5) is the kernel's own report; a koan reads it to check what the learner's code
did (which namespace a pid is in, who its parent is, which ids it holds). Hand-parsed:
psutil gives none of NSpid, the four uids or the UTS name, and reading the file is
the lesson. A process that is gone reads as gone ({} or None), never as an error: a
koan asks while the process may be ending.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


def status(pid: int | str) -> dict[str, str]:
    """/proc/<pid>/status as {field: value} ({} once the process is gone, reaped)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return {}
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines)}


def nspid(pid: int | str) -> list[int]:
    """The pid in each PID namespace the process is in, outermost first (NSpid:); [] if gone."""
    return [int(x) for x in status(pid).get("NSpid", "").split()]


def _stat_fields(pid: int | str) -> list[str] | None:
    """/proc/<pid>/stat's fields after the comm (which may hold spaces and parentheses)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rsplit(")", 1)[1].split()


def alive(pid: int | str) -> bool:
    """The process exists and is neither a zombie nor dead (stat's state field)."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def ppid(pid: int | str) -> int | None:
    """The parent's pid, as this PID namespace sees it; None once the process is gone."""
    fields = _stat_fields(pid)
    return int(fields[1]) if fields is not None else None


def comm(pid: int | str) -> str:
    """The process's name (/proc/<pid>/comm: what it exec'd, 15 bytes at most)."""
    return Path(f"/proc/{pid}/comm").read_text().rstrip("\n")


def ids(pid: int | str) -> dict[str, list[int]]:
    """The Uid and Gid lines (real, effective, saved set, filesystem) and the supplementary
    Groups, as this user namespace sees them."""
    fields = status(pid)
    return {name: [int(x) for x in fields.get(name, "").split()] for name in ("Uid", "Gid", "Groups")}


class Mount(NamedTuple):
    """One line of /proc/<pid>/mountinfo (proc(5)), the fields the koans compare."""

    device: str  # major:minor
    fstype: str
    optional: str  # the optional fields: shared:N, master:N, propagate_from:N, unbindable


def mounts(pid: int | str = "self") -> dict[str, Mount]:
    """{mount point: Mount} of the process's mount namespace; a point mounted over twice
    keeps its topmost mount. Hand-parsed: no library gives the device numbers or the
    propagation fields (psutil's partitions lack both)."""
    found: dict[str, Mount] = {}
    for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields = left.split()
        found[fields[4]] = Mount(fields[2], right.split()[0], " ".join(fields[6:]))
    return found
