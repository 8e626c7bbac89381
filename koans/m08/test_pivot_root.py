"""M8 · pivot_root: the root of a mount namespace, not of one process.

Your code (m08/pivot.py) runs in children the koan forks; the koan reads their
/proc/<pid>/mountinfo and /proc/<pid>/root from outside. The first koan runs behind
a stand-in host whose / and the rootfs's parent are shared mounts, like a systemd host.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path

from kernel_koans import decoy, exercise, held, koan, linux

pivot = exercise("m08/pivot")


def private_then_pivot(rootfs: str) -> str:
    """The learner makes the namespace private; the koan pivots. 'ok' or what went wrong."""
    outer = linux.ns_inode(os.getppid(), "mnt")
    pivot.make_mounts_private()
    if linux.ns_inode("self", "mnt") == outer:
        return "still in the stand-in host's mount namespace (no new one)"
    linux.mount(rootfs, rootfs, None, linux.MS_BIND | linux.MS_REC)
    os.makedirs(f"{rootfs}/.kk-old", exist_ok=True)
    try:
        linux.pivot_root(rootfs, f"{rootfs}/.kk-old")
    except OSError as err:
        return f"pivot_root failed with {errno.errorcode.get(err.errno or 0, err.errno)}"
    return "ok"


@koan(man="pivot_root(2) (ERRORS: EINVAL), mount_namespaces(7) (SHARED SUBTREES)",
      hints=["pivot_root refuses when the new root's parent mount, or the current root's, is "
             "shared. Which mounts of a fresh mount namespace are shared, and with whom?",
             "linux.unshare(linux.CLONE_NEWNS), then linux.mount(None, '/', None, "
             "linux.MS_REC | linux.MS_PRIVATE): MS_REC reaches every mount below /, "
             "the rootfs's parent included."],
      needs=["root", "busybox"])
def test_pivot_root_needs_private_mounts(rootfs: Path) -> None:
    """pivot_root fails with EINVAL while the new root's parent mount is shared: a runtime
    first makes its whole mount namespace private, so nothing it does reaches the host."""
    parent = str(rootfs.parent)
    with held(decoy.run_behind, ["mnt"], private_then_pivot, str(rootfs),
              shared_submounts=[parent]) as h:
        outcome = h.value.value
        stand_in = decoy.mount_points(h.pid)
    assert outcome == "ok", f"after make_mounts_private, {outcome}"
    assert str(rootfs) not in stand_in, (
        "the rootfs's bind mount appeared in the stand-in host's mount table: a mount still "
        "propagates out of the new namespace")


def pivot_and_stay(rootfs: str) -> None:
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    pivot.pivot_into(rootfs)


@koan(man="pivot_root(2) (NOTES: the example), umount2(2) (MNT_DETACH)",
      hints=["After pivot_root the old root is still mounted, under the directory you named. What "
             "does the container see there?",
             "Bind the rootfs onto itself (pivot_root wants a mount point), pivot_root(rootfs, "
             "rootfs/oldroot), chdir('/'), umount2('/oldroot', MNT_DETACH), rmdir it."],
      needs=["root", "busybox"])
def test_pivot_root_leaves_only_the_rootfs(rootfs: Path) -> None:
    """After pivot_root and a lazy unmount of the old root, the namespace's mount table is the
    rootfs alone: the host's /, /proc, /sys are gone from mountinfo, not merely out of sight."""
    with held(pivot_and_stay, str(rootfs)) as h:
        points = decoy.mount_points(h.pid)
        release = Path(f"/proc/{h.pid}/root/etc/os-release").read_text()
        cwd = os.readlink(f"/proc/{h.pid}/cwd")
    assert "ID=kk-busybox" in release, f"the process's / holds {release!r}, not the busybox rootfs"
    assert points == ["/"], (
        f"the process's mountinfo lists mount points {points[:8]}{'…' if len(points) > 8 else ''}: "
        "after pivot_root the old root must be detached, leaving the rootfs as the only mount"
        if points else
        "the process's mountinfo lists no mount at all: its / is not a mount point, so the "
        "rootfs never became the namespace's root mount (chroot, not pivot_root?)")
    assert cwd == "/", f"the process's current directory is {cwd!r}, not its new /"


def pivot_then_escape(rootfs: str) -> tuple[int, int]:
    """The learner pivots; then the koan tries the classic chroot escape."""
    pivot_and_stay(rootfs)
    os.makedirs("/kk-escape", exist_ok=True)
    os.chroot("/kk-escape")
    for _ in range(256):
        os.chdir("..")
    os.chroot(".")
    st = os.stat("/etc/os-release") if os.path.exists("/etc/os-release") else os.stat("/")
    return st.st_dev, st.st_ino


@koan(man="pivot_root(2), chroot(2) (NOTES)",
      hints=["The chroot escape walks '..' up to the root of the mount namespace. What is that "
             "root after chroot, and after pivot_root?",
             "Use linux.pivot_root, not os.chroot: it moves the namespace's root mount, so "
             "'..' at the top stays in the rootfs."],
      needs=["root", "busybox"])
def test_the_chroot_escape_fails_after_pivot_root(rootfs: Path) -> None:
    """The escape that walks out of a chroot ends inside the rootfs after pivot_root: there is
    no directory above the namespace's root to walk to."""
    host = os.stat("/etc/os-release")
    inside = os.stat(rootfs / "etc" / "os-release")
    with held(pivot_then_escape, str(rootfs)) as h:
        seen = h.value
    assert seen != (host.st_dev, host.st_ino), (
        "after the chroot escape, /etc/os-release is the host's: the process walked out of its rootfs")
    assert seen == (inside.st_dev, inside.st_ino), (
        "after the chroot escape, /etc/os-release is not the rootfs's")
