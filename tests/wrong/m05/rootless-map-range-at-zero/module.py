"""Rootless: subordinate id ranges and the setuid helpers that map them (reference)."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from kernel_koans import linux


def subid_map(uid: int, start: int, count: int) -> str:
    """uid_map text as newuidmap writes it for a user with `uid` and the range start:count."""
    # inside 0 is the user itself; inside 1..count is the subordinate range, all of it
    return f"0 {uid} 1\n1 {start + 1} {count}\n"


def host_uid(inside: int, uid_map: str) -> int | None:
    """The host uid that uid `inside` of the namespace is, or None when unmapped."""
    for line in uid_map.splitlines():
        if not line.strip():
            continue
        first, outside, count = (int(x) for x in line.split())
        if first <= inside < first + count:  # count ids: first .. first+count-1
            return outside + (inside - first)
    return None


def subordinate(path: str, user: str) -> tuple[int, int]:
    """The first range of `user` in /etc/subuid or /etc/subgid (lines name:start:count)."""
    for line in Path(path).read_text().splitlines():
        fields = line.strip().split(":")
        if len(fields) == 3 and fields[0] == user:  # a whole field: kk-a is not kk-ab
            return int(fields[1]), int(fields[2])
    raise LookupError(f"{user} has no range in {path}")


def run_rootless(user: str, work: Callable[[], None]) -> int:
    """As the ordinary user `user`: fork; the child unshares a user namespace, waits until
    newuidmap/newgidmap have mapped it, then runs work(). Return the child's wait status."""
    uid, gid = os.getuid(), os.getgid()
    sub_u = subordinate("/etc/subuid", user)
    sub_g = subordinate("/etc/subgid", user)
    unshared_r, unshared_w = os.pipe()
    mapped_r, mapped_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(unshared_r)
            os.close(mapped_w)
            linux.unshare(linux.CLONE_NEWUSER)
            os.write(unshared_w, b"u")
            if os.read(mapped_r, 1) != b"m":  # the parent could not map us
                os._exit(3)
            work()
        except BaseException:
            code = 1
        os._exit(code)
    os.close(unshared_w)
    os.close(mapped_r)
    os.read(unshared_r, 1)
    try:
        # the setuid helpers check /etc/subuid and /etc/subgid, then write the maps we may not
        subprocess.run(["newuidmap", str(pid), "0", str(uid), "1", "1", str(sub_u[0]), str(sub_u[1])],
                       check=True)
        subprocess.run(["newgidmap", str(pid), "0", str(gid), "1", "1", str(sub_g[0]), str(sub_g[1])],
                       check=True)
        os.write(mapped_w, b"m")
    finally:
        os.close(mapped_w)
    return os.waitpid(pid, 0)[1]
