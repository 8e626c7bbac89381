"""M0 · The Linux directory tree: which filesystem backs a path, and /proc as the
kernel's view of a process.

Your exercise: write the two functions below. The koans in test_filesystems.py
check your answers against what the kernel reports elsewhere (mountinfo, the
process the koan started). Man pages: hier(7), statfs(2), proc(5).
"""
from __future__ import annotations

from kernel_koans import linux  # noqa: F401  (linux.statfs_magic is yours to use)


def filesystem_type(path: str) -> str:
    """The kernel's name for the filesystem type that holds `path`, spelled as
    /proc/filesystems spells it: "proc", "sysfs", "tmpfs", "cgroup2", "cgroup",
    "devpts", "mqueue", ...

    Ask the kernel: linux.statfs_magic(path) returns statfs(2)'s f_type, one magic
    number per filesystem type (PROC_SUPER_MAGIC is 0x9fa0; the rest are in statfs(2)).
    """
    raise NotImplementedError("should return the kernel's name for the filesystem type that holds `path`")


def process_view(pid: int) -> dict[str, object]:
    """What /proc/<pid> says about a running process, as a dict:

    "exe":  the path of the program it runs (the /proc/<pid>/exe link)
    "cwd":  its working directory (the /proc/<pid>/cwd link)
    "argv": its command line as a list of strings (/proc/<pid>/cmdline, NUL-separated)
    "ppid": its parent's pid (/proc/<pid>/stat or /proc/<pid>/status)
    """
    raise NotImplementedError("should return what /proc says about the process: exe, cwd, argv and ppid")
