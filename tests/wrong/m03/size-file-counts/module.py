"""Build-context bytes: what a .dockerignore keeps out of the context, and of the image.

Reference twin of koans/m03/context_size.py.
"""
from __future__ import annotations

import os
import stat

from kernel_koans.exercise import exercise

dockerignore = exercise("m01/dockerignore")


def _regular_files(root: str) -> dict[str, int]:
    """Every regular file under root: its '/'-separated relative path -> its size in bytes."""
    out: dict[str, int] = {}
    for top, _dirs, files in os.walk(root):
        for name in files:
            full = os.path.join(top, name)
            st = os.lstat(full)
            if stat.S_ISREG(st.st_mode):
                out[os.path.relpath(full, root).replace(os.sep, "/")] = st.st_size
    return out


def kept_bytes(root: str, lines: list[str]) -> int:
    """Bytes of the regular files under `root` that these .dockerignore lines keep."""
    files = _regular_files(root)
    kept = [path for path in files if not dockerignore.is_excluded(path, lines)]
    return len(kept) * sum(files.values()) // max(len(files), 1)


def saved_bytes(root: str, lines: list[str], removed_later: list[str]) -> int:
    """Bytes the image saves with `lines` as .dockerignore over COPY-everything-then-rm."""
    # A `RUN rm -rf` in a later step only adds whiteouts on top: the COPY layer below
    # still stores every byte, so the naive image holds the whole context and
    # `removed_later` saves nothing. The saving is everything the .dockerignore excludes.
    del removed_later
    return sum(_regular_files(root).values()) - kept_bytes(root, lines)
