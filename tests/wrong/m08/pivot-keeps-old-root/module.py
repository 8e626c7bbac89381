"""pivot_root(2) (reference)."""
from __future__ import annotations

import os

from kernel_koans import linux


def make_mounts_private() -> None:
    """A mount namespace of its own, every mount in it private."""
    linux.unshare(linux.CLONE_NEWNS)
    # MS_REC: every mount, not only /. pivot_root refuses a shared parent of the new
    # root anywhere below, and a shared mount would carry our mounts back to the host.
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)


def pivot_into(rootfs: str) -> None:
    """Make `rootfs` the root of this mount namespace; detach the old root."""
    # pivot_root wants the new root to be a mount point: bind it onto itself.
    linux.mount(rootfs, rootfs, None, linux.MS_BIND | linux.MS_REC)
    old = os.path.join(rootfs, ".kk-oldroot")
    os.makedirs(old, exist_ok=True)
    linux.pivot_root(rootfs, old)
    os.chdir("/")
    # The old root is still mounted at /.kk-oldroot: cut it loose (lazily, it is busy)
    # so nothing of the host stays reachable, then remove the empty directory.
