"""An event-driven pipeline: queue -> workers -> store, at-least-once made effectively-once.

One file, three roles, each in its own container (`python3 pipeline.py ROLE`, port 8080):
  queue:  POST /jobs {"id", "payload"} -> 201; POST /lease -> 200 {"id", "payload"} or 204;
          POST /ack/<id> -> 204. A leased job not acked within VISIBILITY_S seconds is
          handed out again (its worker may have died).
  store:  PUT /results/<id> {"result"} -> 204; GET /results -> {"results": [{"id", "result"}]}.
  worker: lease a job from QUEUE_URL, do it (sleep payload["ms"], result =
          sha256(payload["data"]) in hex), store it at STORE_URL, then ack it.
On the host, run_options(role) hardens and limits each container.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
import urllib.request
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PORT = 8080
DENIED = ["ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root",
          "chroot", "unshare", "setns", "keyctl", "add_key", "request_key", "bpf",
          "perf_event_open", "userfaultfd", "init_module", "finit_module", "delete_module",
          "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff"]
LIMITS = {"mem_limit": 64 * 1024 * 1024, "nano_cpus": 250_000_000}
"""64 MiB and a quarter of a CPU per container: ample for each role, and a runaway stays small."""


def run_options(role: str) -> dict[str, Any]:
    """containers.run options for `role`: the M5 hardening plus memory and CPU limits."""
    profile = {"defaultAction": "SCMP_ACT_ALLOW",
               "syscalls": [{"names": DENIED, "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
    return {"user": "65534:65534", "cap_drop": ["NET_RAW", "SYS_ADMIN"], "read_only": True,
            "security_opt": ["no-new-privileges:true", "seccomp=" + json.dumps(profile)],
            **LIMITS}


class Queue:
    """Jobs in order; a lease hides a job until it is acked or its visibility runs out."""

    def __init__(self, visibility: float) -> None:
        self.visibility = visibility
        self.lock = threading.Lock()
        self.payloads: dict[str, Any] = {}
        self.pending: deque[str] = deque()
        self.leased: dict[str, float] = {}
        self.done: set[str] = set()

    def put(self, job_id: str, payload: Any) -> None:
        with self.lock:
            if job_id not in self.payloads:
                self.payloads[job_id] = payload
                self.pending.append(job_id)

    def lease(self) -> tuple[str, Any] | None:
        with self.lock:
            now = time.monotonic()
            for job_id, deadline in list(self.leased.items()):
                if deadline < now:  # its worker is gone or too slow: hand it out again
                    del self.leased[job_id]
                    self.pending.append(job_id)
            while self.pending:
                job_id = self.pending.popleft()
                if job_id not in self.done:
                    self.leased[job_id] = now + self.visibility
                    return job_id, self.payloads[job_id]
            return None

    def ack(self, job_id: str) -> None:
        with self.lock:
            self.done.add(job_id)
            self.leased.pop(job_id, None)


def serve(handle: Any) -> None:
    """An HTTP server whose every request goes to handle(method, path, body) -> (code, obj)."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)) or 0)
            code, obj = handle(self.command, self.path, json.loads(body) if body else None)
            data = b"" if obj is None else json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _any  # noqa: N815 - http.server's naming

        def log_message(self, *args: object) -> None:
            pass

    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()


def queue_role() -> None:
    queue = Queue(float(os.environ.get("VISIBILITY_S", "1.0")))

    def handle(method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET" and path == "/health":
            return 200, {}
        if method == "POST" and path == "/jobs":
            queue.put(body["id"], body["payload"])
            return 201, None
        if method == "POST" and path == "/lease":
            job = queue.lease()
            return (204, None) if job is None else (200, {"id": job[0], "payload": job[1]})
        if method == "POST" and path.startswith("/ack/"):
            queue.ack(path[len("/ack/"):])
            return 204, None
        return 404, None

    serve(handle)


def store_role() -> None:
    results: dict[str, str] = {}  # keyed by job id: a job done twice is stored once
    lock = threading.Lock()

    def handle(method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET" and path == "/health":
            return 200, {}
        if method == "PUT" and path.startswith("/results/"):
            with lock:
                results[path[len("/results/"):]] = body["result"]
            return 204, None
        if method == "GET" and path == "/results":
            with lock:
                return 200, {"results": [{"id": k, "result": v} for k, v in results.items()]}
        return 404, None

    serve(handle)


def call(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as resp:
        raw = resp.read()
        return resp.status, json.loads(raw) if raw else None


def worker_role() -> None:
    queue, store = os.environ["QUEUE_URL"], os.environ["STORE_URL"]
    while True:
        try:
            code, job = call("POST", f"{queue}/lease")
        except OSError:
            time.sleep(0.2)
            continue
        if code != 200:
            time.sleep(0.05)
            continue
        payload = job["payload"]
        time.sleep(payload["ms"] / 1000)
        result = hashlib.sha256(payload["data"].encode()).hexdigest()
        call("PUT", f"{store}/results/{job['id']}", {"result": result})  # store first ...
        call("POST", f"{queue}/ack/{job['id']}")  # ... then ack: a crash between redoes it


if __name__ == "__main__":
    {"queue": queue_role, "store": store_role, "worker": worker_role}[sys.argv[1]]()
