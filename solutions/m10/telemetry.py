"""An observable service: JSON logs on stdout, Prometheus metrics on /metrics.

Runs inside a container (`python3 telemetry.py`), on port 8080:
  GET /work, GET /hello -> 200 JSON; GET /health -> 200; GET /metrics -> Prometheus text.
Every request to /work or /hello is counted in kk_requests_total{route, status} and
logged as ONE JSON line on stdout: ts, level, service (SERVICE_NAME), route, status,
request_id (the X-Request-Id header), plus every field of LOG_FIELDS (a JSON object).
"""
from __future__ import annotations

import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest

PORT = 8080
ROUTES = ("/work", "/hello")
REQUESTS = Counter("kk_requests", "Requests served, by route and status", ["route", "status"])


def log(**fields: object) -> None:
    """One JSON object per line on stdout: the engine keeps stdout as the container's log."""
    record = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z", "level": "info",
              "service": os.environ.get("SERVICE_NAME", "telemetry"),
              **json.loads(os.environ.get("LOG_FIELDS", "{}")), **fields}
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


class Handler(BaseHTTPRequestHandler):
    def _send(self, code: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        route = urlsplit(self.path).path
        if route == "/metrics":
            self._send(200, generate_latest(), CONTENT_TYPE_LATEST)
        elif route == "/health":
            self._send(200, b"{}")
        elif route in ROUTES:
            self._send(200, json.dumps({"route": route}).encode())
            REQUESTS.labels(route=route, status="200").inc()
            log(route=route, status=200, request_id=self.headers.get("X-Request-Id", ""))
        else:
            self._send(404, b"{}")

    def log_message(self, *args: object) -> None:  # http.server's own lines are not JSON
        pass


def main() -> None:
    log(event="start", port=PORT)
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()


if __name__ == "__main__":
    main()
