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


HELD_ENV = "KERNEL_KOANS_LOCK_HELD"
"""Set while a run holds the lock: its subprocesses (a `koans` call inside a test,
pytest started by a test) are part of that run and must not wait for it."""


def acquire(path: Path = LOCK_PATH) -> None:
    global _held, _depth
    _depth += 1
    if _held is not None or os.geteuid() != 0 or os.environ.get(HELD_ENV):
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
    os.environ[HELD_ENV] = str(os.getpid())


def release() -> None:
    global _held, _depth
    _depth = max(0, _depth - 1)
    if _depth or _held is None:
        return
    os.environ.pop(HELD_ENV, None)
    fcntl.flock(_held, fcntl.LOCK_UN)
    _held.close()
    _held = None
