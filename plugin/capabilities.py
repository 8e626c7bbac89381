"""Capabilities through capget(2)/capset(2): the stdlib has neither.

The kernel keeps five sets per thread (capabilities(7)): effective, permitted,
inheritable (read and written here), bounding (PR_CAPBSET_*, kernel_koans.linux)
and ambient (prctl PR_CAP_AMBIENT). Capability numbers and names follow
linux/capability.h.
"""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from pathlib import Path

NAMES = (
    "cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid",
    "cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable",
    "cap_net_bind_service", "cap_net_broadcast", "cap_net_admin", "cap_net_raw",
    "cap_ipc_lock", "cap_ipc_owner", "cap_sys_module", "cap_sys_rawio", "cap_sys_chroot",
    "cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice",
    "cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease",
    "cap_audit_write", "cap_audit_control", "cap_setfcap", "cap_mac_override",
    "cap_mac_admin", "cap_syslog", "cap_wake_alarm", "cap_block_suspend", "cap_audit_read",
    "cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
)
"""Capability names by number (capability.h order; capsh --decode prints these)."""

PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
_VERSION_3 = 0x20080522


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class CapSets:
    """A thread's effective, permitted and inheritable sets as 64-bit masks."""

    effective: int
    permitted: int
    inheritable: int


def last_cap() -> int:
    """The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap)."""
    return int(Path("/proc/sys/kernel/cap_last_cap").read_text())


def capget(pid: int = 0) -> CapSets:
    header = _Header(_VERSION_3, pid)
    data = (_Data * 2)()
    if _libc.capget(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capget: {os.strerror(err)}")
    join = lambda field: getattr(data[0], field) | getattr(data[1], field) << 32  # noqa: E731
    return CapSets(join("effective"), join("permitted"), join("inheritable"))


def capset(sets: CapSets) -> None:
    """Set this thread's effective, permitted and inheritable sets (EPERM when that would raise one)."""
    header = _Header(_VERSION_3, 0)
    data = (_Data * 2)()
    for i in range(2):
        data[i].effective = sets.effective >> 32 * i & 0xFFFFFFFF
        data[i].permitted = sets.permitted >> 32 * i & 0xFFFFFFFF
        data[i].inheritable = sets.inheritable >> 32 * i & 0xFFFFFFFF
    if _libc.capset(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")


def status_masks(pid: int | str) -> dict[str, int]:
    """CapInh, CapPrm, CapEff, CapBnd, CapAmb of /proc/<pid>/status, as integers."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Cap"):
            key, value = line.split(":", 1)
            out[key] = int(value.strip(), 16)
    return out
