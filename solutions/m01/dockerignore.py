""".dockerignore: which files of the build context are never sent to the engine.

Reference twin of koans/m01/dockerignore.py. The matching is hand-written on purpose
(it is the exercise): Go's filepath.Match syntax plus `**`, as Docker documents it.
"""
from __future__ import annotations

import posixpath
import re


def _regex(pattern: str) -> re.Pattern[str]:
    """Translate one cleaned pattern to a regular expression over '/'-separated paths."""
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*" and pattern[i + 1:i + 2] == "*":
            i += 2
            if pattern[i:i + 1] == "/":
                out += "(.*/)?"  # `**/` : zero or more whole directories
                i += 1
            else:
                out += ".*"      # `**` : anything, '/' included
            continue
        if c == "*":
            out += "[^/]*"       # `*` never crosses a '/'
        elif c == "?":
            out += "[^/]"
        elif c == "[" and "]" in pattern[i + 2:]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1:end]
            if body.startswith(("!", "^")):
                body = "^" + body[1:]
            out += "[" + body.replace("\\", "\\\\") + "]"
            i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + r"\Z")


def _matches(pattern: str, path: str) -> bool:
    """True if the pattern matches the path or one of its parent directories."""
    rx = _regex(pattern)
    parts = path.split("/")
    # Excluding a directory excludes everything under it.
    return any(rx.match("/".join(parts[:k])) for k in range(1, len(parts) + 1))


def is_excluded(path: str, lines: list[str]) -> bool:
    """Is the context file `path` (relative, '/'-separated) left out by these .dockerignore lines?"""
    excluded = False
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        if exception:
            line = line[1:].strip()
        # Patterns are cleaned like Go's filepath.Clean; the context root is "/".
        pattern = posixpath.normpath(line).lstrip("/")
        if pattern in ("", "."):
            continue
        if _matches(pattern, path):
            excluded = not exception  # the last matching line wins
    return excluded
