"""An event-driven pipeline: queue -> workers -> store, at-least-once made effectively-once.

One file, three roles, each in its own container (`python3 pipeline.py ROLE`, port 8080,
standard library only; JSON bodies):
  queue:  GET /health -> 200; POST /jobs {"id", "payload"} -> 201;
          POST /lease -> 200 {"id", "payload"} or 204 when nothing is waiting;
          POST /ack/<id> -> 204. A leased job not acked within VISIBILITY_S seconds
          (environment) is handed out again: its worker may have died.
  store:  GET /health -> 200; PUT /results/<id> {"result"} -> 204;
          GET /results -> {"results": [{"id", "result"}, ...]}.
  worker: forever: lease a job from QUEUE_URL, do it (sleep payload["ms"] milliseconds;
          result = sha256 of payload["data"] as hex), put the result at STORE_URL, ack it.
On the host, run_options(role) says how each container runs.
"""
from __future__ import annotations

import sys
from typing import Any

PORT = 8080


def run_options(role: str) -> dict[str, Any]:
    """containers.run options for `role` ("queue", "store", "worker"): hardened as in M5
    (user, capabilities, no-new-privileges, seccomp, read-only root) and limited in
    memory and CPU."""
    raise NotImplementedError("should return the hardening and resource limits of the role's container")


def queue_role() -> None:
    """Serve the queue on 0.0.0.0:8080 forever."""
    raise NotImplementedError("should serve the job queue with leases and acks")


def store_role() -> None:
    """Serve the store on 0.0.0.0:8080 forever."""
    raise NotImplementedError("should serve the result store")


def worker_role() -> None:
    """Take jobs from the queue and put their results in the store, forever."""
    raise NotImplementedError("should take jobs, do them and store their results")


if __name__ == "__main__":
    {"queue": queue_role, "store": store_role, "worker": worker_role}[sys.argv[1]]()
