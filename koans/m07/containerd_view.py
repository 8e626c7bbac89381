"""containerd's view of a running container: its namespace, task, shim and bundle.

dockerd hands every container to containerd, in containerd's namespace "moby"; containerd
starts one shim per container (containerd-shim-runc-v2), and the shim runs runc on a
bundle directory it works in. Read containerd(8), containerd-config.toml(5) ("root",
"state"), and proc(5) (/proc/<pid>/cmdline, cwd, status).
"""
from __future__ import annotations

import os  # noqa: F401
from dataclasses import dataclass
from pathlib import Path  # noqa: F401


@dataclass
class Task:
    """One running container as containerd keeps it."""

    namespace: str  # containerd's namespace ("moby" for dockerd's containers)
    bundle: str  # the OCI bundle: config.json, init.pid, rootfs (under containerd's state dir)
    work_dir: str  # the task's directory under containerd's root dir (the bundle's `work`)
    shim_pid: int  # the containerd-shim process that runs and watches this container
    init_pid: int  # the container's first process, as the host numbers it


def find_task(container_id: str) -> Task:
    """Find the containerd task of the engine's container `container_id` (its full id) on
    this host, from the process tree and containerd's directories only (not the engine's API)."""
    raise NotImplementedError("should find the container's containerd namespace, bundle, shim and init pid")
