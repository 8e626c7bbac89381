"""A reproducible tar: the same tree gives the same bytes, whoever made it, whenever, however.

A layer's digest is the sha256 of its tar. Two builds of the same files give the
same digest only if nothing else reaches the archive: not the order the
filesystem lists a directory in, not file times, owners, their names, the umask
— what https://reproducible-builds.org/docs/archives/ lists. Read tarfile's docs
(TarInfo, gettarinfo, addfile, formats) and tar(5).
"""
from __future__ import annotations

import os  # noqa: F401 - walking the tree
import tarfile  # noqa: F401 - the archive


def write_tar(root: str, out: str, mtime: int) -> None:
    """Write every file, directory and symlink under `root` (names relative to it, no "./")
    into a new tar file `out`, so that the same tree always gives the same bytes:

    - members in the order of their names' bytes (as `LC_ALL=C sort` orders paths);
    - every member owned by uid 0 and gid 0 with no user or group name, modified at `mtime`;
    - modes normalised: 0o755 for directories and files their owner may execute, 0o644 for
      other files; symlinks stay symlinks;
    - no record of times other than that one mtime.
    """
    raise NotImplementedError("should write a tar of the tree that is the same bytes for the same tree")
