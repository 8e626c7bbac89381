"""overlayfs by hand: lower layers, an upper layer, copy-up, whiteouts, opaque directories.

Reference twin of koans/m03/overlay.py.
"""
from __future__ import annotations

import os
import stat

from kernel_koans import linux


def mount_overlay(lowers: list[str], upper: str, work: str, merged: str) -> None:
    """Mount lowers (bottom layer first) + upper at merged."""
    # lowerdir lists the TOP layer first: the reverse of the order layers are built in.
    options = f"lowerdir={':'.join(lowers)},upperdir={upper},workdir={work}"
    linux.mount("overlay", merged, "overlay", 0, options)


def read_upper(upper: str) -> dict[str, str]:
    """Every path under upper and what it means to the merged view."""
    found: dict[str, str] = {}
    for top, dirs, files in os.walk(upper):
        for name in dirs + files:
            full = os.path.join(top, name)
            rel = os.path.relpath(full, upper)
            st = os.lstat(full)
            if stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(0, 0):
                found[rel] = "deleted"  # a whiteout: a 0/0 character device
            elif stat.S_ISDIR(st.st_mode):
                try:
                    opaque = os.getxattr(full, "trusted.overlay.opaque", follow_symlinks=False) == b"y"
                except OSError:
                    opaque = False
                found[rel] = "opaque" if opaque else "dir"
            elif stat.S_ISLNK(st.st_mode):
                found[rel] = "symlink"
            else:
                found[rel] = "file"
    return found


def whiteout(upper: str, path: str) -> None:
    """Make upper hide the lower layers' `path`."""
    os.mknod(os.path.join(upper, path), stat.S_IFCHR | 0o000, os.makedev(0, 0))


def make_opaque(upper: str, path: str) -> None:
    """Make the directory `path` in upper hide the lower layers' directory of that name."""
    os.makedirs(os.path.join(upper, path), exist_ok=True)
    os.setxattr(os.path.join(upper, path), "trusted.overlay.opaque", b"y")


def root_overlay(pid: int) -> dict[str, list[str] | str]:
    """lowerdir (top first, real paths), upperdir and workdir of the overlay mounted at pid's /."""
    with open(f"/proc/{pid}/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if left.split()[4] != "/":
                continue  # field 5: the mount point, relative to the process's root
            fstype, _source, options = right.split()
            if fstype != "overlay":
                continue
            opts = dict(opt.partition("=")[::2] for opt in options.split(","))
            # docker shortens lowerdir with symlinks (overlay2/l/<short>) to fit one page of options
            return {"lowerdir": [os.path.realpath(p) for p in opts["lowerdir"].split(":")],
                    "upperdir": os.path.realpath(opts["upperdir"]),
                    "workdir": os.path.realpath(opts["workdir"])}
    raise LookupError(f"no overlay mounted at / of {pid}")
