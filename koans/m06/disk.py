"""M6 · Disk pressure from containers: log files that rotate, a writable layer that fills."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def log_options(max_bytes: int, max_files: int) -> dict[str, str]:
    """json-file log options: rotate at `max_bytes` bytes, keep `max_files` files."""
    raise NotImplementedError("should return the json-file options that bound the log files")


def log_disk_ceiling(max_bytes: int, max_files: int) -> int:
    """The most bytes those logs can take on disk (give or take one line per file)."""
    raise NotImplementedError("should predict the most disk the logs can take")


def writable_layer(attrs: dict[str, Any]) -> Path:
    """The overlay directory that receives the container's writes (from `docker inspect`)."""
    raise NotImplementedError("should return the directory holding the container's own writes")


def tree_bytes(directory: Path) -> int:
    """Apparent size in bytes of the regular files under `directory` (links not followed)."""
    raise NotImplementedError("should add up the sizes of the files under the directory")
