"""Docker, containerd and runc: who starts a container, who stays its parent, what runc is told.

`docker run` asks dockerd, dockerd asks containerd, containerd starts a
containerd-shim-runc-v2 for the container, and the shim runs `runc create`
on a *bundle*: a directory with the container's config.json (the OCI runtime
spec) and its root filesystem. runc sets up the namespaces and cgroup, execs the
container's init and exits. Everything here is readable from /proc and from
the bundle. Read proc(5) (stat, comm, cmdline, cwd), the OCI runtime spec's
config.md (namespaces, cgroupsPath) and containerd's docs on shims.
"""
from __future__ import annotations

import json  # noqa: F401 - config.json
import os  # noqa: F401 - /proc


def lineage(pid: int) -> list[tuple[int, str]]:
    """(pid, comm) of `pid`, its parent, its parent's parent, ... up to pid 1 (included)."""
    raise NotImplementedError("should return the chain of (pid, comm) from `pid` up to pid 1")


def shim_of(container_id: str) -> int:
    """The pid of the containerd shim that serves the container `container_id` (the full id)."""
    raise NotImplementedError("should return the pid of the shim serving this container")


def bundle_of(container_id: str) -> str:
    """The bundle directory (the one holding config.json) containerd handed runc for the container."""
    raise NotImplementedError("should return the path of the container's OCI bundle")


def bundle_namespaces(bundle: str) -> dict[str, str | None]:
    """The namespaces config.json asks for, keyed by their /proc/<pid>/ns names ("net", "mnt",
    "pid", ...): None for a namespace runc creates new, or the path of an existing one it joins.
    A kind config.json does not list is not in the dict."""
    raise NotImplementedError("should return the namespaces the bundle's config.json asks for")


def bundle_cgroup(bundle: str) -> str:
    """The cgroup runc puts the container in, as /proc/<pid>/cgroup names it (e.g. "/docker/<id>"),
    from config.json's linux.cgroupsPath."""
    raise NotImplementedError("should return the cgroup path the bundle's config.json asks for")
