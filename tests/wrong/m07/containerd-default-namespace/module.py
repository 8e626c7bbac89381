"""containerd's view of a running container (reference)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Task:
    """One running container as containerd keeps it."""

    namespace: str
    bundle: str
    work_dir: str
    shim_pid: int
    init_pid: int


def argv(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def find_task(container_id: str) -> Task:
    """Find the containerd task of the engine's container `container_id`."""
    # One shim per task: containerd starts it with -namespace NS -id ID (runtime v2). Its
    # working directory is the bundle, which containerd made under its *state* directory
    # (/run/containerd by default; dockerd's own containerd uses /run/docker/containerd/daemon).
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        args = argv(int(entry))
        if not args or "containerd-shim" not in os.path.basename(args[0]):
            continue
        flags = dict(zip(args[1::2], args[2::2], strict=False))
        if flags.get("-id") != container_id:
            continue
        bundle = Path(os.readlink(f"/proc/{entry}/cwd"))
        # init.pid: written by runc create (--pid-file); the container's pid 1, host numbering.
        init_pid = int((bundle / "init.pid").read_text())
        # `work` links to the task's directory under containerd's *root* (/var/lib/containerd).
        work = os.path.realpath(bundle / "work")
        return Task("default", str(bundle), work, int(entry), init_pid)
    raise LookupError(f"no containerd shim runs container {container_id}")
