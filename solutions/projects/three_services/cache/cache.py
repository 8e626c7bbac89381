"""cache: a tiny in-memory key-value store over HTTP (the "DB/cache" of the stack).

GET /kv/<key> -> 200 value | 404;  PUT /kv/<key> (body = value) -> 204;
GET /health -> 200. Standard library only, so it runs on any Python 3.10+ base.
"""
from __future__ import annotations

import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = 6380
STORE: dict[str, bytes] = {}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def _send(self, code: int, body: bytes = b"") -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/health":
            self._send(200, b"ok")
        elif self.path.startswith("/kv/"):
            with LOCK:
                value = STORE.get(self.path[4:])
            self._send(404) if value is None else self._send(200, value)
        else:
            self._send(404)

    def do_PUT(self) -> None:  # noqa: N802
        if not self.path.startswith("/kv/"):
            self._send(404)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with LOCK:
            STORE[self.path[4:]] = body
        self._send(204)

    def log_message(self, *args: object) -> None:  # quiet: one line per request is noise here
        pass


def probe() -> int:
    """The HEALTHCHECK command: exit 0 when this container's server answers /health."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=2) as resp:
            return 0 if resp.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    if "--probe" in sys.argv:
        sys.exit(probe())
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
