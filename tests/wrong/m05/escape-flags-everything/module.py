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
    linux.umount2("/.kk-oldroot", linux.MNT_DETACH)
    os.rmdir("/.kk-oldroot")


def _exposes(source: str, socket: str) -> bool:
    """A bind of the socket itself, or of any directory above it."""
    source, socket = os.path.realpath(source), os.path.realpath(socket)
    return socket == source or socket.startswith(source.rstrip("/") + "/")


def dangers(inspect: dict[str, Any], engine_socket: str) -> set[str]:
    """The open doors of a container, from `docker inspect` data."""
    # Every container may be dangerous: flag all three doors, whatever inspect says.
    return {"engine-socket", "privileged", "host-pid"}
