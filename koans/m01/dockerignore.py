""".dockerignore: which files of the build context are never sent to the engine.

Read https://docs.docker.com/build/concepts/context/#dockerignore-files. Write the
matching yourself (the `re` module helps): it is Go's filepath.Match syntax plus `**`.
"""
from __future__ import annotations


def is_excluded(path: str, lines: list[str]) -> bool:
    """Is the context file `path` (relative, '/'-separated, e.g. "src/app.py") left out
    by these .dockerignore lines?

    - blank lines and lines starting with `#` are ignored; patterns are trimmed and
      cleaned like a path (a leading "/" or "./" means the context root);
    - `*` matches any run of characters except '/', `?` one character except '/',
      `[a-z]` a class; `**` matches any number of directories (zero too);
    - a pattern that matches a directory excludes everything below it;
    - a line starting with `!` is an exception: it puts matching files back;
    - when several lines match, the last one decides.
    """
    raise NotImplementedError("should say whether these .dockerignore lines leave `path` out of the context")
