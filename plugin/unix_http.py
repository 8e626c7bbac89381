"""A stand-in HTTP server on a unix socket, for koans that check a hand-written client.

It answers each connection once and closes it (HTTP/1.0 style), writes every answer in
pieces with pauses (a client must read until the server closes), and records each request
line with the pid that connected (SO_PEERCRED, unix(7)): the koan sees who spoke HTTP.
"""
from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

PIECE_PAUSE = 0.05
"""Seconds between the pieces of an answer: one recv() cannot get it all."""


@dataclass(frozen=True)
class Request:
    pid: int    # the process that connected, as the kernel reports it
    line: str   # the request line, e.g. "GET /version HTTP/1.0"


@dataclass
class UnixHTTPServer:
    """`with UnixHTTPServer(path, answers) as server:` serves `answers` ({path: (status,
    headers, body)}; any other path gets 404) on the unix socket `path` until the block ends."""

    path: Path
    answers: dict[str, tuple[int, dict[str, str], bytes]]
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="kk-unix-http", daemon=True)

    def __enter__(self) -> UnixHTTPServer:
        self._listener.bind(str(self.path))
        self._listener.listen()
        self._listener.settimeout(0.1)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._listener.close()
        self.path.unlink(missing_ok=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                try:
                    self._answer(conn)
                except OSError:
                    pass  # the client went away: its problem, recorded as far as it got

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        pid, _, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                        struct.calcsize("3i")))
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            head += chunk
        line = head.split(b"\r\n", 1)[0].decode(errors="replace")
        self.requests.append(Request(pid, line))
        words = line.split()
        target = words[1] if len(words) == 3 else ""
        status, headers, body = self.answers.get(
            target, (404, {}, b'{"message":"page not found"}'))
        reason = {200: "OK", 404: "Not Found"}.get(status, "Error")
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items()),
                 f"Content-Length: {len(body)}", "Connection: close"]
        pieces = ["\r\n".join(lines).encode() + b"\r\n\r\n", body[:len(body) // 2],
                  body[len(body) // 2:]]
        for piece in pieces:
            conn.sendall(piece)
            time.sleep(PIECE_PAUSE)
