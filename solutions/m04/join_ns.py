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
    # Open every file first: after joining the mount namespace, /proc/<pid>
    # may resolve differently. The user namespace, if asked for, goes first:
    # it grants the capabilities the other joins need.
    ordered = sorted(kinds, key=lambda kind: kind != "user")
    fds = [(kind, os.open(f"/proc/{pid}/ns/{kind}", os.O_RDONLY | os.O_CLOEXEC)) for kind in ordered]
    try:
        for kind, fd in fds:
            linux.setns(fd, linux.NAMESPACE_FLAGS[kind])  # a typed nstype: refuse a wrong file
    finally:
        for _, fd in fds:
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
