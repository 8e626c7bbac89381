"""The build cache: which steps of a rebuild come from cache, and which run again.

Reference twin of koans/m01/build_cache.py.
"""
from __future__ import annotations

Context = dict[str, bytes]
"""A build context: file path (relative, '/'-separated) -> content."""


def copied_files(line: str, context: Context) -> dict[str, bytes]:
    """The files of `context` a COPY/ADD line reads (sources are files or directories)."""
    sources = line.split()[1:-1]  # COPY <src>... <dest>
    picked: dict[str, bytes] = {}
    for src in sources:
        src = src.strip("/") if src not in (".", "./") else ""
        for path, data in context.items():
            if not src or path == src or path.startswith(src + "/"):
                picked[path] = data
    return picked


def cached_steps(old_lines: list[str], old_context: Context,
                 new_lines: list[str], new_context: Context) -> list[bool]:
    """For each instruction of new_lines after FROM: is it reused from the old build's cache?"""
    result: list[bool] = []
    hit = old_lines[:1] == new_lines[:1]  # a different base image shares nothing
    for i, line in enumerate(new_lines[1:], start=1):
        old = old_lines[i] if i < len(old_lines) else None
        # The cache key of a step is (parent layer, instruction text) - plus, for COPY/ADD,
        # a checksum of the copied files' contents (not their mtimes). A miss changes the
        # parent of every later step, so one miss invalidates everything after it.
        hit = hit and old == line
        if hit and line.split()[0].upper() in ("COPY", "ADD"):
            hit = copied_files(line, old_context) == copied_files(line, new_context)
        result.append(hit)
    return result
