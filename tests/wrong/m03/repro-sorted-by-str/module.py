"""A reproducible tar: the same tree gives the same bytes, whoever made it, whenever, however.

Reference twin of koans/m03/repro_tar.py.
"""
from __future__ import annotations

import os
import stat
import tarfile


def write_tar(root: str, out: str, mtime: int) -> None:
    """Write every entry under root into the tar file out, reproducibly."""
    paths = []
    for top, dirs, files in os.walk(root):
        paths += [os.path.relpath(os.path.join(top, name), root) for name in dirs + files]
    # The bytes of the name decide, not the str: os.walk gives undecodable bytes as lone
    # surrogates, which sort apart from where their bytes would (and the locale is no help).
    paths.sort()
    with tarfile.open(out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for rel in paths:
            full = os.path.join(root, rel)
            info = tar.gettarinfo(full, arcname=rel)  # lstat: a symlink stays a symlink
            info.uid = info.gid = 0
            info.uname = info.gname = ""  # gettarinfo looked the owner's names up in /etc/passwd
            info.mtime = mtime  # an int: a float would need a pax record
            if info.issym():
                info.mode = 0o777
            elif info.isdir() or info.mode & stat.S_IXUSR:
                info.mode = 0o755
            else:
                info.mode = 0o644
            if info.isreg():
                with open(full, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
