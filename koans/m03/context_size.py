"""Build-context bytes: what a .dockerignore keeps out of the context, and of the image.

The client tars the context directory, minus what .dockerignore excludes, and sends
it to the engine; `COPY . /app` can copy only what was sent, and the engine's size of
that layer is the bytes of the regular files it holds. You wrote the matching rules
in M1: reuse them, `is_excluded = exercise("m01/dockerignore").is_excluded`
(from kernel_koans.exercise import exercise). Read os.walk and os.lstat.
"""
from __future__ import annotations


def kept_bytes(root: str, lines: list[str]) -> int:
    """Bytes of the regular files under the context directory `root` that these
    .dockerignore `lines` leave in the context (what `COPY . /app` then stores).
    Directories and symlinks weigh nothing here; sizes are file sizes, not disk blocks."""
    raise NotImplementedError("should add up the bytes of the context files these lines keep")


def saved_bytes(root: str, lines: list[str], removed_later: list[str]) -> int:
    """How many bytes smaller the image gets with these `lines` as its .dockerignore than
    the naive build of the same `root`, which sends everything, does `COPY . /app` and
    then, in a later step, `RUN rm -rf` the directories `removed_later` (paths relative
    to root, e.g. ["cache"])."""
    raise NotImplementedError("should say how many image bytes the .dockerignore saves over the naive build")
