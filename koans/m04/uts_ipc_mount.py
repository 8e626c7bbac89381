"""UTS, IPC and mount namespaces: a hostname, SysV IPC objects and a mount table of one's own.

Each function runs in a child process the koan forks for you, so whatever
namespace it enters stays out of the test runner. Read uts_namespaces(7),
ipc_namespaces(7) and mount_namespaces(7).
"""
from __future__ import annotations

from kernel_koans import linux  # noqa: F401 - unshare, sethostname, shmget, mount, MS_*


def set_hostname_in_new_uts(name: str) -> None:
    """Give this process its own hostname, `name`, leaving the host's unchanged.

    sethostname(2) changes the hostname of the caller's UTS namespace. Whose
    namespace is that right now?
    """
    raise NotImplementedError("should give this process its own hostname, leaving the host's unchanged")


def create_shm_in_new_ipc(key: int, size: int) -> int:
    """Create a SysV shared memory segment `key` of `size` bytes that only this
    process's new IPC namespace can see; return its id.

    SysV IPC objects (shm, semaphores, message queues) are found by key in a
    table that belongs to an IPC namespace.
    """
    raise NotImplementedError("should return the id of a shared memory segment only this process's IPC namespace sees")


def mount_tmpfs_privately(target: str) -> None:
    """Mount a tmpfs named `kk-tmpfs` on `target`, visible to this process only.

    A new mount namespace starts as a copy of the old one, and copies of
    *shared* mounts keep propagating mount events to the host. Change the
    propagation before you mount.
    """
    raise NotImplementedError("should mount a tmpfs on `target` that only this process sees")
