"""An observable service: JSON logs on stdout, Prometheus metrics on /metrics.

Runs inside a container (`python3 telemetry.py`), on port 8080, standard library plus
prometheus_client (the koans copy it into the image):
  GET /work, GET /hello -> 200 JSON; GET /health -> 200; GET /metrics -> Prometheus text.
Every request to /work or /hello is counted in kk_requests_total{route, status} and
logged as ONE JSON line on stdout: ts, level, service (SERVICE_NAME), route, status,
request_id (the X-Request-Id header), plus every field of LOG_FIELDS (a JSON object).
Nothing else may reach stdout.
"""
from __future__ import annotations

PORT = 8080


def main() -> None:
    """Serve the routes above on 0.0.0.0:8080 forever."""
    raise NotImplementedError("should serve /work, /hello, /health and /metrics, logging JSON lines")


if __name__ == "__main__":
    main()
