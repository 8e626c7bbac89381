"""The Linux syscalls containers are made of, for Python 3.10+.

The stdlib lacks most of them (os.unshare/os.setns arrive only in 3.12;
mount, umount2, pivot_root and prctl never), so this module wraps libc with
ctypes. Every call raises OSError with the kernel's errno on failure, exactly
like the os module does. Read the man page named in each docstring.
"""
from __future__ import annotations

import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)
"""The C library Python itself runs on: dlopen(NULL) finds its symbols. (ctypes.util's
find_library would run `ldconfig -p` in a subprocess on every import: tens of ms for
each program that imports this module, mini-run among them.)"""

# clone(2) / unshare(2) / setns(2) flags
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWTIME = 0x00000080

NAMESPACE_FLAGS: dict[str, int] = {
    "mnt": CLONE_NEWNS,
    "cgroup": CLONE_NEWCGROUP,
    "uts": CLONE_NEWUTS,
    "ipc": CLONE_NEWIPC,
    "user": CLONE_NEWUSER,
    "pid": CLONE_NEWPID,
    "net": CLONE_NEWNET,
    "time": CLONE_NEWTIME,
}
"""The names used in /proc/<pid>/ns/ mapped to their CLONE_NEW* flag."""

# mount(2) flags
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_MOVE = 8192
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_SLAVE = 1 << 19
MS_SHARED = 1 << 20

# umount2(2) flags
MNT_FORCE = 1
MNT_DETACH = 2

# prctl(2) options
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NAME = 15
PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24
PR_CAPBSET_READ = 23

_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}


def _check(result: int, what: str) -> int:
    if result == -1:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def unshare(flags: int) -> None:
    """Move the caller into new namespaces (unshare(2)). CLONE_NEWPID affects children only."""
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def setns(fd: int, nstype: int = 0) -> None:
    """Join the namespace an open /proc/<pid>/ns/<kind> file refers to (setns(2))."""
    _check(_libc.setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns")


def enter(path: str, nstype: int = 0) -> None:
    """Join the namespace a file names (/proc/<pid>/ns/<kind>, a /run/netns bind mount):
    open, setns(2), close. Moves the caller: call it in a child."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        setns(fd, nstype)
    finally:
        os.close(fd)


def mount(source: str | None, target: str, fstype: str | None = None,
          flags: int = 0, data: str | None = None) -> None:
    """Attach a filesystem, or change a mount's propagation (mount(2))."""
    _check(_libc.mount(_b(source), _b(target), _b(fstype), ctypes.c_ulong(flags), _b(data)),
           f"mount {target}")


def umount2(target: str, flags: int = 0) -> None:
    """Detach a mount (umount(2)); MNT_DETACH makes it lazy."""
    _check(_libc.umount2(_b(target), ctypes.c_int(flags)), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    """Make new_root the root mount of the caller's mount namespace (pivot_root(2)).

    glibc has no wrapper, so this goes through syscall(2).
    """
    number = _SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise OSError(38, f"pivot_root: unknown syscall number on {os.uname().machine}")
    _check(_libc.syscall(ctypes.c_long(number), _b(new_root), _b(put_old)), "pivot_root")


def sethostname(name: str) -> None:
    """Set the hostname of the caller's UTS namespace (sethostname(2))."""
    raw = name.encode()
    _check(_libc.sethostname(raw, ctypes.c_size_t(len(raw))), "sethostname")


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    """Process controls: subreaper, parent-death signal, no_new_privs (prctl(2))."""
    return _check(_libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(arg3),
                              ctypes.c_ulong(arg4), ctypes.c_ulong(arg5)), "prctl")


def set_child_subreaper(on: bool = True) -> None:
    """Orphaned descendants get reparented to the caller instead of init (PR_SET_CHILD_SUBREAPER)."""
    prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0)


def set_parent_death_signal(signum: int) -> None:
    """Ask the kernel to send `signum` when the parent dies (PR_SET_PDEATHSIG)."""
    prctl(PR_SET_PDEATHSIG, signum)


def statfs_magic(path: str) -> int:
    """The f_type of the filesystem that holds `path` (statfs(2)).

    Every filesystem type has its own magic number (PROC_SUPER_MAGIC, TMPFS_MAGIC, ...,
    listed in statfs(2) and linux/magic.h). os.statvfs() drops this field, so this
    calls libc's statfs directly.
    """
    buf = ctypes.create_string_buffer(256)  # larger than struct statfs on every Linux ABI
    _check(_libc.statfs(_b(path), buf), f"statfs {path}")
    # f_type comes first: a long everywhere except s390x, where it is an unsigned int.
    field = ctypes.c_uint32 if os.uname().machine == "s390x" else ctypes.c_long
    return field.from_buffer(buf).value & 0xFFFFFFFF


def ns_inode(pid: int | str, kind: str) -> int:
    """The inode of /proc/<pid>/ns/<kind>: equal inodes mean the same namespace."""
    return os.stat(f"/proc/{pid}/ns/{kind}").st_ino


def _b(value: str | None) -> bytes | None:
    return None if value is None else value.encode()


# System V IPC (shmget(2)): the objects an IPC namespace isolates
IPC_CREAT = 0o1000
IPC_EXCL = 0o2000


def shmget(key: int, size: int, flags: int = IPC_CREAT | 0o600) -> int:
    """Get (or with IPC_CREAT create) the SysV shared memory segment `key` of the
    caller's IPC namespace; returns its id (shmget(2))."""
    return _check(_libc.shmget(ctypes.c_int(key), ctypes.c_size_t(size), ctypes.c_int(flags)),
                  "shmget")


def shm_remove(key: int) -> bool:
    """Remove the caller's IPC namespace's segment `key` (shmctl(2) IPC_RMID); False if absent."""
    shmid = _libc.shmget(ctypes.c_int(key), ctypes.c_size_t(0), ctypes.c_int(0))
    if shmid == -1:
        return False
    _check(_libc.shmctl(ctypes.c_int(shmid), ctypes.c_int(0), None), "shmctl")  # 0 = IPC_RMID
    return True
