"""What mini-run remembers about a container between two calls (reference).

Every CLI call is a new process: `create` forks the container's init and exits, `start`
comes later. So each container has a directory under --root: state.json (the facts) and,
while the container is created but not started, exec.fifo (where its init waits).
"""
from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime, timezone
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
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def new(root: Path, cid: str, bundle: str, rootfs: str, pid: int, cgroup_dirs: list[str]) -> dict[str, Any]:
    """Write the state of a container whose init is `pid`; the directory exists already."""
    state = {"ociVersion": "1.0.2", "id": cid, "pid": pid, "bundle": bundle, "rootfs": rootfs,
             "created": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
             "starttime": starttime(pid), "cgroups": cgroup_dirs}
    path = directory(root, cid) / "state.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state))
    tmp.rename(path)
    return state


def load(root: Path, cid: str) -> dict[str, Any]:
    try:
        return dict(json.loads((directory(root, cid) / "state.json").read_text()))
    except (FileNotFoundError, NotADirectoryError):
        raise StateError(f"container {cid} does not exist") from None


def status(root: Path, saved: dict[str, Any]) -> str:
    """created (init waits on the fifo), running, or stopped (init gone)."""
    pid = int(saved["pid"])
    if pid <= 0 or starttime(pid) != saved.get("starttime"):
        return "stopped"
    return "running"


def report(root: Path, saved: dict[str, Any]) -> dict[str, Any]:
    """`state`'s JSON, shaped like runc's."""
    now = status(root, saved)
    return {"ociVersion": saved["ociVersion"], "id": saved["id"],
            "pid": int(saved["pid"]) if now != "stopped" else 0, "status": now,
            "bundle": saved["bundle"], "rootfs": saved.get("rootfs", ""),
            "created": saved["created"], "owner": ""}


def remove(root: Path, cid: str) -> None:
    shutil.rmtree(directory(root, cid), ignore_errors=True)


def ids(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "state.json").exists()) if root.is_dir() else []


def pid_file(path: str, pid: int) -> None:
    """Write the pid atomically: an engine may read the file the moment it appears."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as out:
        out.write(str(pid))
    os.rename(tmp, path)
