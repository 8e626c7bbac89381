"""Reference twin: where a container's disk use goes — its log files and its writable layer."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def log_options(max_bytes: int, max_files: int) -> dict[str, str]:
    """json-file log options: rotate at `max_bytes` bytes, keep `max_files` files."""
    return {"max-size": str(max_bytes), "max-file": str(max_files)}


def log_disk_ceiling(max_bytes: int, max_files: int) -> int:
    """The most bytes those logs can take on disk (give or take one line per file)."""
    return max_bytes


def writable_layer(attrs: dict[str, Any]) -> Path:
    """The overlay directory that receives the container's writes (from `docker inspect`)."""
    return Path(attrs["GraphDriver"]["Data"]["UpperDir"])


def tree_bytes(directory: Path) -> int:
    """Apparent size in bytes of the regular files under `directory` (links not followed)."""
    total = 0
    for root, _dirs, files in os.walk(directory):
        for name in files:
            st = os.lstat(os.path.join(root, name))
            if not os.path.islink(os.path.join(root, name)):
                total += st.st_size
    return total
