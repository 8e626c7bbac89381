"""Talk from inside network namespaces: a probe a koan serves and calls in kk- netns.

Koans use it to observe what the learner's wiring made the kernel do: a TCP round
trip or a UDP exchange between addresses inside kk- namespaces. Servers run in
forked children that joined the namespace with setns(2) (kernel_koans.child.serve);
the pytest process itself never changes namespace. The `nsprobe` fixture
(kernel_koans.fixtures.network) hands one to a koan and stops its servers after it.
"""
from __future__ import annotations

import os
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from kernel_koans import child, linux
from kernel_koans.child import in_child

SERVE_SECONDS = 2 * child.DEFAULT_TIMEOUT
"""A server child gives up after this long, even if no client came."""


def enter_netns(name: str) -> None:
    """Join the named network namespace (setns(2) on /run/netns/<name>)."""
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        linux.setns(fd, linux.CLONE_NEWNET)
    finally:
        os.close(fd)


def _tcp_echo(sock: socket.socket) -> None:
    """Answer every connection with b"echo:" + what it sent, until the deadline."""
    deadline = time.monotonic() + SERVE_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], 0.5)
        if not ready:
            continue
        conn, _ = sock.accept()
        with conn:
            conn.settimeout(2)
            try:
                conn.sendall(b"echo:" + conn.recv(1024))
            except OSError:
                pass


def _udp_serve(sock: socket.socket, answer: Callable[[bytes], bytes]) -> None:
    """Reply to each datagram with answer(datagram), until the deadline."""
    deadline = time.monotonic() + SERVE_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], 0.5)
        if not ready:
            continue
        data, peer = sock.recvfrom(4096)
        try:
            sock.sendto(answer(data), peer)
        except Exception:  # noqa: BLE001 - a broken answer is the client's to notice (no reply)
            pass


def _bound(ns: str, kind: int, addr: str, port: int) -> socket.socket:
    """In the server child: join ns, bind addr:port (and listen, for TCP)."""
    enter_netns(ns)
    sock = socket.socket(socket.AF_INET, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        sock.listen(8)
    return sock


@dataclass
class NsProbe:
    """Start servers and clients inside namespaces; servers are killed after the koan."""

    servers: list[child.Child]

    def _serve(self, ns: str, kind: int, addr: str, port: int,
               loop: Callable[[socket.socket], None]) -> None:
        try:
            self.servers.append(child.serve(_bound, loop, ns, kind, addr, port))
        except Exception as err:  # noqa: BLE001 - the koan's own setup failed: say where
            raise RuntimeError(f"the koan's server in {ns} at {addr}:{port} did not start: {err}") from err

    def tcp_echo_server(self, ns: str, addr: str, port: int) -> None:
        """A TCP echo server listening on addr:port inside namespace ns."""
        self._serve(ns, socket.SOCK_STREAM, addr, port, _tcp_echo)

    def udp_server(self, ns: str, addr: str, port: int, answer: Callable[[bytes], bytes]) -> None:
        """A UDP server inside ns that replies answer(datagram) to each datagram."""
        self._serve(ns, socket.SOCK_DGRAM, addr, port, lambda s: _udp_serve(s, answer))

    def tcp_roundtrip(self, ns: str, addr: str, port: int, payload: bytes,
                      timeout: float = 3.0) -> bytes | str:
        """What a client inside ns got back from addr:port, or the error it met (as text)."""
        return in_child(_tcp_client, ns, addr, port, payload, timeout, timeout=timeout + 5)

    def udp_exchange(self, ns: str, addr: str, port: int, payload: bytes,
                     timeout: float = 3.0) -> tuple[bytes, str] | str:
        """(reply, the reply's source address) seen by a client inside ns, or the error."""
        return in_child(_udp_client, ns, addr, port, payload, timeout, timeout=timeout + 5)

    def cleanup(self) -> None:
        for server in self.servers:
            server.close()


def _tcp_client(ns: str, addr: str, port: int, payload: bytes, timeout: float) -> bytes | str:
    enter_netns(ns)
    try:
        with socket.create_connection((addr, port), timeout=timeout) as conn:
            conn.sendall(payload)
            return conn.recv(1024)
    except OSError as err:
        return f"{type(err).__name__}: {err}"


def _udp_client(ns: str, addr: str, port: int, payload: bytes,
                timeout: float) -> tuple[bytes, str] | str:
    enter_netns(ns)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            sock.sendto(payload, (addr, port))
            data, peer = sock.recvfrom(4096)
            return data, peer[0]
    except OSError as err:
        return f"{type(err).__name__}: {err}"
