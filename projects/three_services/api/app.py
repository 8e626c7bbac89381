"""api: the front door of the stack. Standard library only (http.server, urllib).

  GET /primes?n=N -> asks the worker GET {WORKER_URL}/work?n=N and answers its JSON
                     (status and body) with "worker": "up" added; when the worker
                     cannot be reached: 503 {"error": "...", "worker": "down"} (fast).
  GET /health     -> 200 {"status": "ok"} while the worker is ALIVE (its /live
                     answers within ~1.5 s), else 503. Do not check the worker's
                     /health: a cache outage must not take the api down with it.
  `python3 app.py --probe` -> exit 0 when http://127.0.0.1:8000/health answers 200, else 1.
Listen on 0.0.0.0:8000; WORKER_URL comes from the environment (default http://worker:8001).
"""
from __future__ import annotations

import os
import sys

PORT = 8000
WORKER_URL = os.environ.get("WORKER_URL", "http://worker:8001")


def probe() -> int:
    """The HEALTHCHECK command: 0 when this api's /health answers 200, else 1."""
    raise NotImplementedError("should return 0 when this api's /health answers 200, else 1")


def main() -> None:
    """Serve /primes and /health on 0.0.0.0:8000 forever."""
    raise NotImplementedError("should serve /primes and /health on port 8000")


if __name__ == "__main__":
    if "--probe" in sys.argv:
        sys.exit(probe())
    main()
