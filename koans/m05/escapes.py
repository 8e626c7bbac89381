"""Escape paths: why chroot is no jail, and the container settings that open the host.

Read pivot_root(2) and chroot(2) (NOTES), and Docker's "Docker daemon attack surface"
(https://docs.docker.com/engine/security/#docker-daemon-attack-surface). The koans
run your jail behind a stand-in host and show each dangerous container setting at work.
"""
from __future__ import annotations

import os  # noqa: F401
from typing import Any

from kernel_koans import linux  # noqa: F401 - unshare, mount, pivot_root, umount2


def jail(rootfs: str) -> None:
    """Make the directory `rootfs` this process's whole filesystem, in a way that a root
    process inside cannot climb out of (the chroot escape of M4 must fail)."""
    raise NotImplementedError("should make `rootfs` this process's whole filesystem, with no way back out")


def dangers(inspect: dict[str, Any], engine_socket: str) -> set[str]:
    """The dangerous settings of a container, from its `docker inspect` data (a dict):
      "engine-socket"  the engine's socket (`engine_socket`, a host path) is reachable inside
      "privileged"     the container runs privileged
      "host-pid"       the container shares the host's PID namespace
    """
    raise NotImplementedError("should return the dangerous settings the inspect data shows")
