"""Escape paths: a jail a root process cannot climb out of, and a detector of open doors (reference)."""
from __future__ import annotations

import os
from typing import Any

from kernel_koans import linux


def jail(rootfs: str) -> None:
    """Make `rootfs` this process's whole filesystem, so that even root cannot get out."""
    linux.unshare(linux.CLONE_NEWNS)  # our own mount table: the host's stays as it is
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    linux.mount(rootfs, rootfs, None, linux.MS_BIND | linux.MS_REC)  # pivot_root wants a mount
    old = os.path.join(rootfs, ".kk-oldroot")
    os.makedirs(old, exist_ok=True)
    linux.pivot_root(rootfs, old)
    os.chdir("/")
    # The old root must go: while it is mounted, the host's / is one chdir away.


def _exposes(source: str, socket: str) -> bool:
    """A bind of the socket itself, or of any directory above it."""
    source, socket = os.path.realpath(source), os.path.realpath(socket)
    return socket == source or socket.startswith(source.rstrip("/") + "/")


def dangers(inspect: dict[str, Any], engine_socket: str) -> set[str]:
    """The open doors of a container, from `docker inspect` data."""
    host = inspect.get("HostConfig") or {}
    found = set()
    # Mounts lists every kind (-v binds, --mount binds, volumes), each with its host Source;
    # the Destination's name says nothing.
    if any(m.get("Type") == "bind" and _exposes(m.get("Source", ""), engine_socket)
           for m in inspect.get("Mounts") or []):
        found.add("engine-socket")
    if host.get("Privileged"):
        found.add("privileged")
    if host.get("PidMode") == "host":  # "container:<id>" shares a container's, not the host's
        found.add("host-pid")
    return found
