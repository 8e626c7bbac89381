"""inotify(7) for koans: what the kernel saw happen to the names in one directory.

A race a koan cannot reliably win (a name missing for a few microseconds between an
unlink and a symlink) still leaves an event in the directory's inotify queue: the
kernel reports every step, however short the window it opened.
"""
from __future__ import annotations

import ctypes
import os
import struct
from dataclasses import dataclass

IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_Q_OVERFLOW = 0x00004000
IN_ISDIR = 0x40000000
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC

NAMES_CHANGES = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE
"""What happens to the names (and regular files) of a directory, not reads of it."""

_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (struct inotify_event)
_libc = ctypes.CDLL(None, use_errno=True)  # Python's own libc (see linux._libc)

KINDS = {IN_CREATE: "create", IN_DELETE: "delete", IN_MOVED_FROM: "moved_from",
         IN_MOVED_TO: "moved_to", IN_MODIFY: "modify", IN_CLOSE_WRITE: "close_write",
         IN_ATTRIB: "attrib", IN_Q_OVERFLOW: "overflow"}


@dataclass(frozen=True)
class Event:
    """One inotify event: the name in the watched directory and what happened to it."""

    name: str
    mask: int

    @property
    def kinds(self) -> list[str]:
        return [kind for bit, kind in KINDS.items() if self.mask & bit]

    def __str__(self) -> str:
        return f"{'|'.join(self.kinds) or hex(self.mask)} {self.name}"


class DirectoryWatch:
    """An inotify instance watching one directory; `events()` drains what it queued so far."""

    def __init__(self, path: str, mask: int = NAMES_CHANGES) -> None:
        self.fd = _libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"inotify_init1: {os.strerror(err)}")
        if _libc.inotify_add_watch(self.fd, os.fsencode(path), ctypes.c_uint32(mask)) < 0:
            err = ctypes.get_errno()
            os.close(self.fd)
            raise OSError(err, f"inotify_add_watch {path}: {os.strerror(err)}")

    def events(self) -> list[Event]:
        out: list[Event] = []
        while True:
            try:
                buf = os.read(self.fd, 65536)
            except BlockingIOError:
                return out
            offset = 0
            while offset < len(buf):
                _wd, mask, _cookie, size = _EVENT.unpack_from(buf, offset)
                offset += _EVENT.size
                name = buf[offset:offset + size].split(b"\0", 1)[0].decode(errors="replace")
                offset += size
                out.append(Event(name, mask))

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> DirectoryWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
