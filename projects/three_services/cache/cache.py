"""cache: a tiny in-memory key-value store over HTTP (the "DB/cache" of the stack).

Write it with the standard library only (http.server), so it runs on any Python
3.10+ base, offline or python:3.12-slim:
  GET /kv/<key>  -> 200 and the stored bytes, or 404
  PUT /kv/<key>  -> store the request body, 204
  GET /health    -> 200
  `python3 cache.py --probe` -> exit 0 when GET http://127.0.0.1:6380/health answers 200,
                                else 1 (the HEALTHCHECK command)
Listen on 0.0.0.0:6380 (a ThreadingHTTPServer). Guard the dict with a lock.
"""
from __future__ import annotations

import sys

PORT = 6380


def probe() -> int:
    """The HEALTHCHECK command: 0 when this container's server answers /health, else 1."""
    raise NotImplementedError("should return 0 when this cache's /health answers, else 1")


def main() -> None:
    """Serve GET/PUT /kv/<key> and GET /health on 0.0.0.0:6380 forever."""
    raise NotImplementedError("should serve GET/PUT /kv/<key> and GET /health on port 6380")


if __name__ == "__main__":
    if "--probe" in sys.argv:
        sys.exit(probe())
    main()
