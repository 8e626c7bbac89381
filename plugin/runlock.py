"""One kernel-koans run at a time per host.

Kernel objects are host-wide: two runs at once would each see the other's kk-
objects appear and count them as leaks. A root run takes an exclusive flock;
a second run waits for it and says so. Re-entrant within one process, so a
pytester run inside a run (the framework's own tests) does not deadlock.
"""
from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path
from typing import IO

LOCK_PATH = Path("/run/lock/kernel-koans.lock")

_held: IO[str] | None = None
_depth = 0


def acquire(path: Path = LOCK_PATH) -> None:
    global _held, _depth
    _depth += 1
    if _held is not None or os.geteuid() != 0:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        other = handle.read().strip() or "?"
        print(f"kernel-koans: another run (pid {other}) is using the host's kernel objects; "
              "waiting for it to finish…", file=sys.stderr, flush=True)
        fcntl.flock(handle, fcntl.LOCK_EX)
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    _held = handle


def release() -> None:
    global _held, _depth
    _depth = max(0, _depth - 1)
    if _depth or _held is None:
        return
    fcntl.flock(_held, fcntl.LOCK_UN)
    _held.close()
    _held = None
