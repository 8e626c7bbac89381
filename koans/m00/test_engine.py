"""M0 koans · the Docker Engine: an HTTP server on a unix socket, on your kernel."""
from __future__ import annotations

import json
import os
import socket
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import exercise, koan
from kernel_koans.unix_http import UnixHTTPServer

engine = exercise("m00/engine")

DEFAULT_SOCKET = "/var/run/docker.sock"


def engine_socket() -> str:
    """The unix socket the docker SDK talks to (DOCKER_HOST, else the default)."""
    host = os.environ.get("DOCKER_HOST", f"unix://{DEFAULT_SOCKET}")
    if not host.startswith("unix://"):
        pytest.skip(f"DOCKER_HOST is {host}: these koans talk to a local engine on a unix socket")
    return host[len("unix://"):]


def _raises(fn: Any, *args: Any) -> bool:
    try:
        fn(*args)
    except NotImplementedError:
        raise
    except Exception:  # noqa: BLE001 - any error will do: the point is not to return
        return True
    return False


def raw_version(path: str) -> dict[str, Any]:
    """GET /version over the unix socket, by hand: the engine's own words.

    Hand-written on purpose: the koan must not ask through the SDK it checks."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(path)
        s.sendall(b"GET /version HTTP/1.0\r\nHost: docker\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return dict(json.loads(data.partition(b"\r\n\r\n")[2]))


@koan(man="dockerd(8)",
      hints=["A nudge: `docker version` prints two blocks, Client and Server. Which one is the "
             "engine? The SDK's client has a method of the same name.",
             "The mechanism: client.version() returns the engine's /version answer as a dict; "
             "its 'Version' key is the engine's version."],
      needs=["docker"])
def test_the_engine_has_its_own_version(docker_client: Any) -> None:
    """`docker` is only a client; the engine (dockerd) is a separate program with its own
    version and API version. Features and bugs belong to the engine, not the CLI."""
    expected = raw_version(engine_socket())["Version"]
    got = engine.server_version(docker_client)
    assert got == expected, (f"the engine answers GET /version on its socket with Version "
                             f"{expected!r}; server_version() said {got!r}")


@koan(man="unix(7)",
      hints=["A nudge: `curl --unix-socket /var/run/docker.sock http://docker/version` does "
             "this. Do it with the socket module.",
             "The mechanism: socket.socket(AF_UNIX, SOCK_STREAM), connect(path), send "
             "b'GET /version HTTP/1.0\\r\\nHost: docker\\r\\n\\r\\n', recv until b'', split "
             "the reply at the first blank line (\\r\\n\\r\\n): status line and headers "
             "above, JSON below."],
      needs=["docker"])
def test_the_engine_speaks_http_on_a_unix_socket(docker_client: Any, scratch: Path) -> None:
    """Every docker command is an HTTP request to dockerd's unix socket — which is why access
    to that socket is root on the host. And the engine runs containers on *this* kernel.

    Not told apart here: an HTTP library (http.client over an AF_UNIX socket) doing the
    talking, in this process: it speaks the same bytes."""
    # First a stand-in engine on a kk- socket, whose answer is drawn now and sent in pieces,
    # and which records who connected (SO_PEERCRED) and what was asked.
    answer = {"Version": f"kk-{uuid.uuid4().hex[:8]}", "ApiVersion": "1.41",
              "KernelVersion": os.uname().release, "KkPadding": os.urandom(150_000).hex()}
    answers = {"/version": (200, {"Content-Type": "application/json", "Api-Version": "1.41"},
                            json.dumps(answer, indent="\r\n").encode()),
               # An error whose headers hold "200" (the status is the status line's word).
               "/kk-nothing-here": (404, {"Content-Type": "application/json", "X-Kk-Served": "200"},
                                    b'{"message": "page not found"}')}
    stand_in = scratch / "kk-engine.sock"
    with UnixHTTPServer(stand_in, answers) as server:
        got = engine.api_get(str(stand_in), "/version")
        asked = list(server.requests)
        refused = _raises(engine.api_get, str(stand_in), "/kk-nothing-here")
    assert asked and all(r.pid == os.getpid() for r in asked), (
        f"the stand-in engine at {stand_in} was asked by pids {[r.pid for r in asked]}, not by "
        f"this process ({os.getpid()}): speak HTTP on the socket yourself")
    assert [r.line.rsplit(" ", 1)[0] for r in asked] == ["GET /version"], (
        f"api_get(socket, '/version') sent {[r.line for r in asked]} to the stand-in engine; "
        "one request, `GET /version HTTP/1.0`, was expected")
    assert got == answer, (f"the stand-in engine at {stand_in} answered /version with a "
                           f"{len(json.dumps(answer))}-byte JSON object, in pieces, then "
                           f"closed; api_get() returned {str(got)[:120]!r}...")
    assert refused, ("the stand-in engine answered `HTTP/1.1 404 Not Found` for "
                     "/kk-nothing-here; api_get() returned instead of raising")
    path = engine_socket()
    got = engine.api_get(path, "/version")
    assert isinstance(got, dict), f"api_get() returned {type(got).__name__}, not the JSON object"
    sdk = docker_client.version()
    for key in ("Version", "ApiVersion", "KernelVersion"):
        assert got.get(key) == sdk.get(key), (
            f"the docker SDK reads {key}={sdk.get(key)!r} from the engine; api_get() gave "
            f"{got.get(key)!r}")
    assert got.get("KernelVersion") == os.uname().release, (
        f"uname(2) says this kernel is {os.uname().release}; the engine reports "
        f"{got.get('KernelVersion')!r}: it is not running on this machine's kernel")
    # A question whose answer nobody can type in beforehand: the engine's clock, right now.
    info = engine.api_get(path, "/info")
    assert isinstance(info, dict) and info.get("ID") == docker_client.info().get("ID"), (
        f"GET /info: the engine's ID is {docker_client.info().get('ID')!r}; api_get() gave "
        f"{info.get('ID') if isinstance(info, dict) else info!r}")
    stamp = str(info.get("SystemTime", ""))
    day, _, rest = stamp.partition("T")
    clock, _, frac = rest.rstrip("Z").partition(".")
    try:
        then = datetime.fromisoformat(f"{day}T{clock}.{frac[:6].ljust(6, '0')}+00:00")
    except ValueError:
        raise AssertionError(f"GET /info: SystemTime {stamp!r} is not the engine's clock") from None
    drift = abs((datetime.now(timezone.utc) - then).total_seconds())
    assert drift < 120, (f"GET /info: the engine's SystemTime {stamp} is {drift:.0f} s away from "
                         "now: api_get() did not ask the engine")
