"""M1 · Ports: a container's server, published on the host's loopback only."""
from __future__ import annotations

import urllib.request
import uuid

import psutil

from kernel_koans import exercise, koan, waiting

ports = exercise("m01/ports")


def _get(port: int, timeout: float = 10.0) -> bytes:
    def fetch() -> bytes | OSError:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                return bytes(resp.read())
        except OSError as err:
            return err

    got = waiting.settle(fetch, lambda answer: isinstance(answer, bytes), timeout, 0.1)
    if isinstance(got, OSError):
        raise AssertionError(f"nothing answered HTTP on 127.0.0.1:{port} within {timeout:g} s: {got}")
    return got


def _listeners(port: int) -> set[str]:
    return {c.laddr.ip for c in psutil.net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr.port == port}


@koan(man="https://docs.docker.com/engine/network/#published-ports",
      hints=["`-p 127.0.0.1::8080` in SDK terms: ports={'8080/tcp': ('127.0.0.1', None)}. And the "
             "server inside must listen on the container's own interface, not only its loopback.",
             "The engine makes a host socket on 127.0.0.1:<port> and forwards each connection to "
             "the container's address on its network; read the chosen port back after reload()."],
      needs=["root", "docker"])
def test_a_published_port_answers_on_loopback_only(docker_client, busybox_image, docker_cleanup):
    """A container has its own network stack: its server is reachable from the host only
    through a published port, and publishing on 127.0.0.1 keeps it off every other network."""
    body = f"kk-{uuid.uuid4().hex}"
    container, port = ports.serve_on_loopback(docker_client, busybox_image, docker_cleanup, body)
    try:
        container.reload()
        bindings = container.attrs["NetworkSettings"]["Ports"] or {}
        every = [b for spec in bindings.values() for b in (spec or [])]
        published = [b for b in every if b.get("HostPort") == str(port)]
        assert published and all(b["HostIp"] == "127.0.0.1" for b in every), (
            f"the engine's port bindings are {bindings}: host port {port} must be bound on 127.0.0.1 only")
        got = _get(port)
        assert got.strip() == body.encode(), f"GET http://127.0.0.1:{port}/ returned {got[:80]!r}, not {body!r}"
        # The engine's userland proxy listens there (with `userland-proxy: false` only NAT rules do).
        listening = _listeners(port)
        assert listening <= {"127.0.0.1"}, (
            f"the kernel's listening TCP sockets on port {port} are bound to {listening}; "
            "publishing on loopback means 127.0.0.1 only")
    finally:
        container.remove(force=True)  # labelled or not, it goes
