"""overlayfs by hand: lower layers, an upper layer, copy-up, whiteouts, opaque directories.

An image's layers are overlayfs *lower* directories (read-only); a container
adds an *upper* directory where every change lands, and a *work* directory the
kernel needs on the same filesystem as upper. Read the kernel's
Documentation/filesystems/overlayfs.rst ("Upper and Lower", "whiteouts and
opaque directories", "Non-directories") and mount(2), proc(5) (mountinfo).
`kernel_koans.linux.mount(source, target, fstype, flags, data)` is mount(2).
"""
from __future__ import annotations

import os  # noqa: F401 - os.mknod, os.makedev, os.setxattr, os.lstat
import stat  # noqa: F401 - file types

from kernel_koans import linux  # noqa: F401 - mount(2)


def mount_overlay(lowers: list[str], upper: str, work: str, merged: str) -> None:
    """Mount an overlay at `merged`: the directories `lowers` (the bottom layer FIRST, as an
    image lists them) under the writable `upper`, with `work` as its work directory.
    (It runs in a child with a mount namespace of its own.)"""
    raise NotImplementedError("should mount the layers and the upper directory as one overlay at `merged`")


def read_upper(upper: str) -> dict[str, str]:
    """What a container changed, read from its upper directory: {relative path: kind} for
    every entry under `upper`, kind one of "file" (a new or changed file), "symlink",
    "dir" (a directory), "opaque" (a directory that hides the lower layers' one) and
    "deleted" (a path deleted from the lower layers)."""
    raise NotImplementedError("should say for each entry in the upper directory what change it records")


def whiteout(upper: str, path: str) -> None:
    """In `upper` (not mounted yet), record that `path` (relative) of the lower layers is deleted."""
    raise NotImplementedError("should record in the upper directory that a lower path is deleted")


def make_opaque(upper: str, path: str) -> None:
    """In `upper` (not mounted yet), make the directory `path` (relative; create it if needed)
    replace the lower layers' directory of that name, hiding everything they have in it."""
    raise NotImplementedError("should make the upper directory `path` hide the lower one")


def root_overlay(pid: int) -> dict[str, list[str] | str]:
    """The overlay mounted at the root of process `pid`, from its mountinfo:
    {"lowerdir": [real paths, top layer first], "upperdir": real path, "workdir": real path}."""
    raise NotImplementedError("should return the lower, upper and work directories of the overlay at pid's /")
