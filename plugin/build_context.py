"""A build context as the engine's API takes it: a tar of the files, made in memory.

Koans that build images from a few generated files (a Dockerfile, a script, random
data) send them this way rather than writing a folder: the context is exactly the files
given, with the modes and times chosen, nothing a .dockerignore or the disk adds.
"""
from __future__ import annotations

import io
import tarfile
from collections.abc import Mapping


def tar(files: Mapping[str, bytes | tuple[bytes, int]], mode: int = 0o644, mtime: int = 0) -> io.BytesIO:
    """{name: data} or {name: (data, mode)} as a tar, rewound; `mode` for files given bare."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as archive:
        for name, given in files.items():
            data, file_mode = given if isinstance(given, tuple) else (given, mode)
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), file_mode, mtime
            archive.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf
