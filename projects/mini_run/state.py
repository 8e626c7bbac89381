"""What mini-run remembers about a container between two calls (yours to write).

Every CLI call is a new process: `create` forks the container's init and exits, `start`
comes later. So each container has a directory under --root: state.json (the facts) and,
while the container is created but not started, exec.fifo (where its init waits).
"""
from __future__ import annotations

import json  # noqa: F401
import os  # noqa: F401
import re
import shutil
from datetime import datetime, timezone  # noqa: F401
from pathlib import Path
from typing import Any

FIFO = "exec.fifo"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$")


class StateError(Exception):
    """No such container, or one already exists, or a bad id."""


def directory(root: Path, cid: str) -> Path:
    if not ID_PATTERN.match(cid):
        raise StateError(f"invalid container id {cid!r}")
    return root / cid


def starttime(pid: int) -> int | None:
    """Field 22 of /proc/<pid>/stat (clock ticks after boot): a pid plus its start time names
    one process, even after the pid is reused. None when it is gone or a zombie."""
    raise NotImplementedError('should return the start time of a live process (None when gone or a zombie)')


def new(root: Path, cid: str, bundle: str, rootfs: str, pid: int, cgroup_dirs: list[str]) -> dict[str, Any]:
    """Write the state of a container whose init is `pid`; the directory exists already."""
    raise NotImplementedError("should record a new container's state under --root")


def load(root: Path, cid: str) -> dict[str, Any]:
    raise NotImplementedError("should return a container's recorded state (StateError when there is none)")


def status(root: Path, saved: dict[str, Any]) -> str:
    """created (init waits on the fifo), running, or stopped (init gone)."""
    raise NotImplementedError('should say whether the container is created, running or stopped')


def report(root: Path, saved: dict[str, Any]) -> dict[str, Any]:
    """`state`'s JSON, shaped like runc's."""
    raise NotImplementedError("should return `state`'s JSON object, shaped like runc's")


def remove(root: Path, cid: str) -> None:
    shutil.rmtree(directory(root, cid), ignore_errors=True)


def ids(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "state.json").exists()) if root.is_dir() else []


def pid_file(path: str, pid: int) -> None:
    """Write the pid atomically: an engine may read the file the moment it appears."""
    raise NotImplementedError("should write the init's pid to the --pid-file")
