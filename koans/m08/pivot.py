"""pivot_root(2): how a runtime makes a rootfs the root of a mount namespace.

Each function runs in a child the koan forks for you, as root. The syscalls are
in kernel_koans.linux (unshare, mount, umount2, pivot_root and the CLONE_*,
MS_*, MNT_* constants). Read pivot_root(2) — its list of EINVAL cases first —
and mount_namespaces(7) on shared subtrees.
"""
from __future__ import annotations

import os  # noqa: F401 - os.mkdir, os.chdir, os.rmdir

from kernel_koans import linux  # noqa: F401 - unshare, mount, umount2, pivot_root


def make_mounts_private() -> None:
    """Give this process a mount namespace of its own in which no mount propagates
    to or from any other namespace — the ground pivot_root needs."""
    raise NotImplementedError("should give this process a mount namespace of its own whose "
                              "mounts propagate nowhere")


def pivot_into(rootfs: str) -> None:
    """Make `rootfs` the root of this process's mount namespace (already private), with
    its current directory at the new /, and no way left back to the old root."""
    raise NotImplementedError("should make `rootfs` the root of this mount namespace and "
                              "leave the old root unreachable")
