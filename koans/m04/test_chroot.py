"""M4 · chroot: the manual chroot demo, and why chroot alone is not isolation.

Your code (m04/chroot.py) runs in a child the koan keeps alive; the koan reads
that child's /proc/<pid>/root and /proc/<pid>/cwd, the kernel's record of where
its path lookups start.
"""
from __future__ import annotations

import os
from pathlib import Path

from kernel_koans import exercise, held, koan

chroot = exercise("m04/chroot")


def chroot_then_look(rootfs: str) -> tuple[list[str], str]:
    chroot.enter_chroot(rootfs)
    return sorted(os.listdir("/")), Path("/etc/os-release").read_text()


def chroot_then_escape(rootfs: str) -> tuple[int, int]:
    """Koan code chroots (properly); the learner's code breaks out."""
    os.chroot(rootfs)
    os.chdir("/")
    chroot.escape_chroot()
    st = os.stat("/")
    return st.st_dev, st.st_ino


@koan(man="chroot(2)",
      hints=["After os.chroot(path), where is the process's current directory?",
             "os.chroot(rootfs) then os.chdir('/'): the kernel records both, see "
             "/proc/<pid>/root and /proc/<pid>/cwd."],
      needs=["root", "busybox"])
def test_chroot_makes_the_rootfs_the_root(rootfs: Path) -> None:
    """chroot(2) changes where "/" starts for one process: the rootfs becomes its whole world.
    It is a container image's first use: a directory tree becomes /."""
    with held(chroot_then_look, str(rootfs)) as h:
        root = os.readlink(f"/proc/{h.pid}/root")
        cwd = os.readlink(f"/proc/{h.pid}/cwd")
        listing, os_release = h.value
    assert root == str(rootfs.resolve()), f"/proc/<pid>/root points at {root}, not the rootfs {rootfs}"
    assert cwd == str(rootfs.resolve()), (
        f"/proc/<pid>/cwd points at {cwd}: the current directory stayed outside the new root "
        "(chroot does not move it; chdir('/') does)")
    assert "ID=kk-busybox" in os_release and "bin" in listing, (
        f"inside, / lists {listing} and /etc/os-release reads {os_release!r}: not the busybox rootfs")


@koan(man="chroot(2) (NOTES), pivot_root(2)",
      hints=["chroot moves the root but not the cwd. What is '..' of a directory above your root?",
             "mkdir('/kk-escape'); chroot('/kk-escape') leaves the cwd outside the new root; "
             "chdir('..') a few hundred times reaches the real /; chroot('.')."],
      needs=["root", "busybox"])
def test_chroot_alone_is_not_isolation(rootfs: Path) -> None:
    """A root process can leave a chroot at will; it was never a security boundary.
    Runtimes use pivot_root in a mount namespace and drop CAP_SYS_CHROOT (milestones 5 and 8)."""
    host_root = os.stat("/")
    with held(chroot_then_escape, str(rootfs)) as h:
        root = os.readlink(f"/proc/{h.pid}/root")
        seen = h.value
    assert root == "/", f"/proc/<pid>/root still points at {root}: the process is still chrooted"
    assert seen == (host_root.st_dev, host_root.st_ino), (
        "the escaped process's / is not the host's root directory (device, inode differ)")
