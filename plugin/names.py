"""Unique kk- names that fit the kernel's limits (IFNAMSIZ is 16 bytes with the NUL)."""
from __future__ import annotations

import itertools
import os

from kernel_koans.paths import PREFIX

_counter = itertools.count(1)


def unique(hint: str = "", limit: int = 15) -> str:
    """`kk-<hint><pid><n>` cut to `limit` characters, unique within this run."""
    tag = f"{os.getpid() % 10000:x}{next(_counter):x}"
    room = limit - len(PREFIX) - len(tag)
    return f"{PREFIX}{hint[:max(room, 0)]}{tag}"
