"""The cache's tests, black-box over HTTP: the M10 CI pipeline runs them in a container of
the built image (its /srv/cache.py), offline; `python3 -m unittest` here runs them too."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

SERVICE = "/srv/cache.py" if Path("/srv/cache.py").exists() else str(Path(__file__).with_name("cache.py"))
BASE = "http://127.0.0.1:6380"


def request(method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(BASE + path, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=3) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


class CacheTest(unittest.TestCase):
    server: subprocess.Popen[bytes]

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = subprocess.Popen([sys.executable, SERVICE])
        deadline = time.monotonic() + 10
        while True:
            try:
                request("GET", "/health")
                return
            except OSError:
                if time.monotonic() > deadline or cls.server.poll() is not None:
                    cls.server.kill()
                    raise
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.kill()
        cls.server.wait()

    def test_health_answers(self) -> None:
        self.assertEqual(request("GET", "/health")[0], 200)

    def test_a_value_put_is_got_back(self) -> None:
        key, value = f"k{os.getpid()}", os.urandom(8).hex().encode()
        self.assertEqual(request("PUT", f"/kv/{key}", value)[0], 204)
        self.assertEqual(request("GET", f"/kv/{key}"), (200, value))

    def test_an_unknown_key_is_404(self) -> None:
        self.assertEqual(request("GET", "/kv/never-put")[0], 404)

    def test_probe_exits_0_while_serving(self) -> None:
        self.assertEqual(subprocess.run([sys.executable, SERVICE, "--probe"]).returncode, 0)


if __name__ == "__main__":
    unittest.main()
