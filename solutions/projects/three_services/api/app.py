"""api: the front door. GET /primes?n=N asks the worker and returns its answer as JSON.

GET /health -> 200 while the worker is alive (its /live answers, whatever its cache
does), 503 when it is not: the API cannot serve without it. Configured by WORKER_URL.
Standard library only, so it runs on any Python 3.10+ base.
"""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = 8000
WORKER_URL = os.environ.get("WORKER_URL", "http://worker:8001")
TIMEOUT = 3.0


def ask_worker(path: str, timeout: float = TIMEOUT) -> tuple[int, dict]:
    """(HTTP status, JSON body) from the worker; an OSError when it cannot be reached."""
    try:
        with urllib.request.urlopen(WORKER_URL + path, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:  # the worker answered, with an error status
        return err.code, json.loads(err.read() or b"{}")


class Handler(BaseHTTPRequestHandler):
    def _json(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/health":
            try:
                ask_worker("/live", timeout=1.5)  # liveness only: a cache outage is the worker's
                self._json(200, {"status": "ok", "worker": "up"})
            except OSError:
                self._json(503, {"status": "unavailable", "worker": "down"})
        elif url.path == "/primes":
            n = urllib.parse.parse_qs(url.query).get("n", ["0"])[0]
            try:
                code, body = ask_worker(f"/work?n={urllib.parse.quote(n)}")
                self._json(code, {**body, "worker": "up"})
            except OSError:
                self._json(503, {"error": "worker unavailable", "worker": "down"})
        else:
            self._json(404, {"error": "not found"})

    def log_message(self, *args: object) -> None:
        pass


def probe() -> int:
    """The HEALTHCHECK command: exit 0 when this API says it can serve."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=TIMEOUT) as resp:
            return 0 if resp.status == 200 else 1
    except OSError:  # HTTPError (503) included
        return 1


if __name__ == "__main__":
    if "--probe" in sys.argv:
        sys.exit(probe())
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
