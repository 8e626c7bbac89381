"""chroot(2): the oldest trick, and why it is not a container.

Read chroot(2), especially NOTES. Each function runs in a child the koan
forks for you, as root, with a fresh busybox root filesystem.
"""
from __future__ import annotations

import os  # noqa: F401 - os.chroot, os.chdir, os.mkdir


def enter_chroot(rootfs: str) -> None:
    """Make `rootfs` this process's / (so /bin/sh means rootfs/bin/sh).

    chroot(2) changes only where path lookups start for "/": it does not move
    the current directory. Leave none of the process behind outside.
    """
    raise NotImplementedError("should make `rootfs` this process's /")


def escape_chroot() -> None:
    """You are root inside a chroot. Get back to the real root filesystem.

    The classic escape: chroot into a new subdirectory while the current
    directory stays where it is (now *outside* your root), walk up with
    chdir("..") until you reach the real /, and chroot(".") there.
    """
    raise NotImplementedError("should get this process back to the real root filesystem")
