"""UTS, IPC and mount namespaces (reference)."""
from __future__ import annotations

from kernel_koans import linux


def set_hostname_in_new_uts(name: str) -> None:
    """Give this process its own hostname, `name`, leaving the host's unchanged."""
    # The hostname is a property of the UTS namespace: get a private one first.
    linux.unshare(linux.CLONE_NEWUTS)
    linux.sethostname(name)


def create_shm_in_new_ipc(key: int, size: int) -> int:
    """Create SysV shm segment `key` in a new IPC namespace; return its id."""
    linux.unshare(linux.CLONE_NEWIPC)
    # The new namespace's key table is empty; the segment is destroyed with the
    # namespace when its last process exits.
    return linux.shmget(key, size, linux.IPC_CREAT | 0o600)


def mount_tmpfs_privately(target: str) -> None:
    """Mount a tmpfs named kk-tmpfs on `target`, visible to this process only."""
    linux.unshare(linux.CLONE_NEWNS)
    # Without this, on a host whose / is shared (systemd's default) the tmpfs
    # would propagate back into the host's mount namespace.
    linux.mount("kk-tmpfs", target, "tmpfs", 0, "size=1m")
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
