"""The build cache: which steps of a rebuild come from cache, and which run again.

A Dockerfile here is a list of instruction lines, the first one `FROM ...`; a build
context is a dict {relative path: file content}. COPY lines look like
`COPY <src>... <dest>` where each src is a file or a directory of the context
("." is all of it). Read "Leverage build cache" in Docker's build docs
(https://docs.docker.com/build/cache/).
"""
from __future__ import annotations

Context = dict[str, bytes]
"""A build context: file path (relative, '/'-separated) -> content."""


def cached_steps(old_lines: list[str], old_context: Context,
                 new_lines: list[str], new_context: Context) -> list[bool]:
    """Predict the rebuild: for each instruction of new_lines after FROM, True if the
    builder reuses the layer it made for old_lines/old_context ("Using cache").

    Which changes make a step miss? The instruction's text; for COPY/ADD, the contents
    of the files it copies. And what happens to every step after a miss?
    """
    raise NotImplementedError("should return, for each step after FROM, whether the builder reuses its cached layer")
