"""The api's tests, black-box over HTTP against a fake worker: the M10 CI pipeline runs them
in a container of the built image (its /srv/app.py), offline; `python3 -m unittest` here too."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SERVICE = "/srv/app.py" if Path("/srv/app.py").exists() else str(Path(__file__).with_name("app.py"))
BASE = "http://127.0.0.1:8000"


class FakeWorker(BaseHTTPRequestHandler):
    """Answers /live and /work?n=N with a made-up count, so the api's forwarding shows."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = json.dumps({"n": 7, "primes": 4242, "cached": False, "cache": "up"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def get(path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(BASE + path, timeout=8) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


class ApiTest(unittest.TestCase):
    def start(self, worker_url: str) -> None:
        env = {**os.environ, "WORKER_URL": worker_url}
        self.server = subprocess.Popen([sys.executable, SERVICE], env=env)
        self.addCleanup(self.server.wait)
        self.addCleanup(self.server.kill)
        deadline = time.monotonic() + 10
        while True:
            try:
                get("/health")
                return
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    raise
                time.sleep(0.1)

    def test_primes_are_the_workers_answer(self) -> None:
        worker = ThreadingHTTPServer(("127.0.0.1", 0), FakeWorker)
        threading.Thread(target=worker.serve_forever, daemon=True).start()
        self.addCleanup(worker.server_close)
        self.addCleanup(worker.shutdown)
        self.start(f"http://127.0.0.1:{worker.server_address[1]}")
        status, body = get("/primes?n=7")
        self.assertEqual((status, body.get("primes"), body.get("worker")), (200, 4242, "up"))
        self.assertEqual(get("/health")[0], 200)

    def test_without_a_worker_it_answers_503_fast(self) -> None:
        self.start("http://127.0.0.1:9")  # nothing listens there
        started = time.monotonic()
        status, body = get("/primes?n=7")
        self.assertEqual(status, 503)
        self.assertIn("error", body)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(get("/health")[0], 503)
        self.assertEqual(subprocess.run([sys.executable, SERVICE, "--probe"]).returncode, 1)


if __name__ == "__main__":
    unittest.main()
