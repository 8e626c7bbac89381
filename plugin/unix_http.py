"""A stand-in HTTP server on a unix socket, for koans that check a hand-written client.

The stdlib's http.server does the HTTP; this adds what a koan needs to see: each
request line with the pid that connected (SO_PEERCRED, unix(7)), so the koan knows
who spoke HTTP, and answers written in pieces with pauses (HTTP/1.0 style, one
answer per connection), so a client must read until the server closes.
"""
from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Any

PIECE_PAUSE = 0.05
"""Seconds between the pieces of an answer: one recv() cannot get it all."""

NOT_FOUND: tuple[int, dict[str, str], bytes] = (404, {}, b'{"message":"page not found"}')


@dataclass(frozen=True)
class Request:
    pid: int    # the process that connected, as the kernel reports it
    line: str   # the request line, e.g. "GET /version HTTP/1.0"


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    owner: UnixHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _answer(self) -> None:
        owner = self.server.owner
        creds = self.request.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        owner.requests.append(Request(struct.unpack("3i", creds)[0], self.requestline))
        status, headers, body = owner.answers.get(self.path, NOT_FOUND)
        self.send_response_only(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for piece in (body[:len(body) // 2], body[len(body) // 2:]):
            time.sleep(PIECE_PAUSE)
            self.wfile.write(piece)

    do_GET = do_HEAD = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        """Quiet: the koan reads `requests`, not a log on stderr."""


@dataclass
class UnixHTTPServer:
    """`with UnixHTTPServer(path, answers) as server:` serves `answers` ({path: (status,
    headers, body)}; any other path gets 404) on the unix socket `path` until the block ends."""

    path: Path
    answers: dict[str, tuple[int, dict[str, str], bytes]]
    requests: list[Request] = field(default_factory=list)

    def __enter__(self) -> UnixHTTPServer:
        self._server = _Server(str(self.path), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,),
                                        name="kk-unix-http", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
        self.path.unlink(missing_ok=True)
