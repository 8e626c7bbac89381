"""User namespaces (reference)."""
from __future__ import annotations

import os
from pathlib import Path

from kernel_koans import linux


def become_root_in_new_user_namespace() -> None:
    """Unshare a user namespace and map uid 0 and gid 0 inside to your own ids outside."""
    # Read them first: after unshare, getuid() is translated through the new,
    # still empty map and answers the overflow uid 65534.
    uid, gid = os.getuid(), os.getgid()
    linux.unshare(linux.CLONE_NEWUSER)
    proc = Path("/proc/self")
    # An unprivileged writer may map exactly one id: its own. Each file accepts
    # one write in the namespace's life; write_text closes, so errors surface.
    (proc / "uid_map").write_text(f"0 {uid} 1\n")
    # Without CAP_SETGID in the parent namespace, gid_map may only be written
    # after setgroups(2) is disabled for good (else one could drop a group
    # that denies access to a file: CVE-2014-8989).
    (proc / "setgroups").write_text("deny")
    (proc / "gid_map").write_text(f"0 {gid} 1\n")


def overflow_uid() -> int:
    """The uid shown for ids with no mapping (normally 65534)."""
    try:
        return int(Path("/proc/sys/kernel/overflowuid").read_text())
    except (OSError, ValueError):
        return 65534


def uid_inside(host_uid: int, uid_map: str) -> int:
    """The uid a process in the user namespace sees for `host_uid`."""
    for line in uid_map.splitlines():
        if not line.strip():
            continue
        inside, outside, count = (int(x) for x in line.split())
        if outside <= host_uid < outside + count:
            return inside + (host_uid - outside)
    return overflow_uid()
