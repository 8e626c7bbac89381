"""setns(2) and namespace files (reference)."""
from __future__ import annotations

import os
from pathlib import Path

from kernel_koans import linux

RUN_NETNS = Path("/run/netns")
"""Where iproute2 (`ip netns`) keeps the bind mounts that name network namespaces."""


def join_namespace(ns_file: str) -> None:
    """Move this process into the namespace that `ns_file` refers to."""
    fd = os.open(ns_file, os.O_RDONLY | os.O_CLOEXEC)
    try:
        # nstype 0: accept whatever kind of namespace the file is.
        linux.setns(fd, 0)
    finally:
        os.close(fd)


def nsenter(pid: int, kinds: list[str]) -> None:
    """Join each namespace `kind` of process `pid`, like `nsenter --target PID`."""
    # Open every file first: once in the target's mount namespace, /proc may be
    # another pid namespace's /proc, where <pid> names nobody (or someone else).
    fds = {kind: os.open(f"/proc/{pid}/ns/{kind}", os.O_RDONLY | os.O_CLOEXEC) for kind in kinds}
    try:
        # Privilege decides the order, as in nsenter(1). Joining a user namespace
        # leaves us with capabilities over the namespaces it owns only. Root
        # entering a container root made: join the rest first, user last. An
        # ordinary user entering its own container: nothing but user works before
        # user. So: try the rest, join user, then retry what was refused.
        for kind, fd in fds.items():
            try:
                linux.setns(fd, linux.NAMESPACE_FLAGS[kind])
            except PermissionError:
                continue
    finally:
        for fd in fds.values():
            os.close(fd)


def create_named_netns(name: str) -> None:
    """Do what `ip netns add NAME` does, for this process."""
    RUN_NETNS.mkdir(parents=True, exist_ok=True)
    target = RUN_NETNS / name
    target.touch(exist_ok=False)
    linux.unshare(linux.CLONE_NEWNET)
    # A bind mount of an nsfs file pins the namespace: it lives as long as the
    # mount does, with or without processes (`ip netns delete` unmounts it).
    linux.mount("/proc/self/ns/net", str(target), None, linux.MS_BIND)
