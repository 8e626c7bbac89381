"""M0 · The Linux directory tree: which filesystem backs a path, and /proc as the
kernel's view of a process. Reference solution.

Man pages: hier(7), file-hierarchy(7), statfs(2), proc(5).
"""
from __future__ import annotations

import os
from pathlib import Path

from kernel_koans import linux

MAGIC: dict[int, str] = {
    0x9FA0: "proc",            # PROC_SUPER_MAGIC
    0x62656572: "sysfs",       # SYSFS_MAGIC
    0x01021994: "tmpfs",       # TMPFS_MAGIC
    0x63677270: "cgroup2",     # CGROUP2_SUPER_MAGIC
    0x0027E0EB: "cgroup",      # CGROUP_SUPER_MAGIC (v1)
    0x1CD1: "devpts",          # DEVPTS_SUPER_MAGIC
    0x19800202: "mqueue",      # MQUEUE_MAGIC
    0x64626720: "debugfs",     # DEBUGFS_MAGIC
    0x74726163: "tracefs",     # TRACEFS_MAGIC
    0x73636673: "securityfs",  # SECURITYFS_MAGIC
    0xCAFE4A11: "bpf",         # BPF_FS_MAGIC
    0x42494E4D: "binfmt_misc",  # BINFMTFS_MAGIC
    0x62656570: "configfs",    # CONFIGFS_MAGIC
    0x6165676C: "pstore",      # PSTOREFS_MAGIC
    0x958458F6: "hugetlbfs",   # HUGETLBFS_MAGIC
    0x858458F6: "ramfs",       # RAMFS_MAGIC
    0x794C7630: "overlay",     # OVERLAYFS_SUPER_MAGIC
    0xEF53: "ext4",            # EXT2/3/4_SUPER_MAGIC: one number for all three
    0x58465342: "xfs",         # XFS_SUPER_MAGIC
    0x9123683E: "btrfs",       # BTRFS_SUPER_MAGIC
    0x65735546: "fuse",        # FUSE_SUPER_MAGIC
}
"""statfs(2)'s f_type values (linux/magic.h), named as /proc/filesystems names them."""


def filesystem_type(path: str) -> str:
    """The kernel's name for the filesystem type that holds `path`."""
    magic = linux.statfs_magic(path)
    try:
        return MAGIC[magic]
    except KeyError:
        raise LookupError(f"{path}: unknown filesystem magic {magic:#x}") from None


def process_view(pid: int) -> dict[str, object]:
    """What /proc/<pid> says about a running process: exe, cwd, argv and ppid."""
    base = Path(f"/proc/{pid}")
    raw = (base / "cmdline").read_bytes()
    argv = [os.fsdecode(arg) for arg in raw.split(b"\0")[:-1]]
    stat = (base / "stat").read_text()
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so cut at the last ")".
    ppid = int(stat.partition(")")[2].split()[1])
    return {
        "exe": os.readlink(base / "exe"),
        "cwd": os.readlink(base / "cwd"),
        "argv": argv,
        "ppid": ppid,
    }
