"""notes: a small HTTP service that must write somewhere (given; you harden how it runs).

PUT /notes/<id> (body) -> 204, kept as a file under NOTES_DIR; GET /notes/<id> -> 200 | 404;
GET /health -> 200. At start it creates NOTES_DIR and a pid file in it: with a read-only
root and no writable place for NOTES_DIR it cannot start. Standard library only.
"""
from __future__ import annotations

import os
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PORT = 8080
NOTES_DIR = Path(os.environ.get("NOTES_DIR", "/tmp/notes"))
NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Handler(BaseHTTPRequestHandler):
    def _send(self, code: int, body: bytes = b"") -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _note(self) -> Path | None:
        name = self.path[len("/notes/"):] if self.path.startswith("/notes/") else ""
        return NOTES_DIR / name if NAME.match(name) else None

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/health":
            self._send(200, b"ok")
            return
        note = self._note()
        if note is None or not note.is_file():
            self._send(404)
        else:
            self._send(200, note.read_bytes())

    def do_PUT(self) -> None:  # noqa: N802
        note = self._note()
        if note is None:
            self._send(404)
            return
        note.write_bytes(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self._send(204)

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    NOTES_DIR.mkdir(parents=True, exist_ok=True)
    (NOTES_DIR / ".pid").write_text(str(os.getpid()))
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
