"""Milestone 2 helpers: talk from inside network namespaces, and a Python base image.

Koans use these to observe what the learner's wiring made the kernel do: a
TCP round trip or a UDP exchange between addresses inside kk- namespaces.
Servers run in forked children that joined the namespace with setns(2); the
pytest process itself never changes namespace.
"""
from __future__ import annotations

import os
import select
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import linux
from kernel_koans.child import in_child

SERVE_SECONDS = 20.0
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


@dataclass
class NsProbe:
    """Start servers and clients inside namespaces; servers are killed after the koan."""

    pids: list[int]

    def _serve(self, ns: str, kind: int, addr: str, port: int,
               loop: Callable[[socket.socket], None]) -> None:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the server child
            os.close(read_fd)
            code = 0
            try:
                enter_netns(ns)
                sock = socket.socket(socket.AF_INET, kind)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((addr, port))
                if kind == socket.SOCK_STREAM:
                    sock.listen(8)
                os.write(write_fd, b"ready")
                os.close(write_fd)
                loop(sock)
            except BaseException as err:  # noqa: BLE001
                try:
                    os.write(write_fd, f"error: {err}".encode())
                except OSError:
                    pass
                code = 1
            os._exit(code)
        os.close(write_fd)
        self.pids.append(pid)
        try:
            ready, _, _ = select.select([read_fd], [], [], 5)
            said = os.read(read_fd, 200).decode() if ready else "no answer within 5 s"
        finally:
            os.close(read_fd)
        if said != "ready":
            raise RuntimeError(f"the koan's server in {ns} at {addr}:{port} did not start: {said}")

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
        for pid in self.pids:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


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


@pytest.fixture
def nsprobe() -> Iterator[NsProbe]:
    """Servers and clients inside kk- namespaces (servers killed after the koan)."""
    probe = NsProbe([])
    try:
        yield probe
    finally:
        probe.cleanup()


def container_ip(container: Any, network: str) -> str:
    """The address the engine gave `container` on `network` (from its inspect data)."""
    container.reload()
    return str(container.attrs["NetworkSettings"]["Networks"][network]["IPAddress"])


@pytest.fixture
def docker_ip() -> Callable[[Any, str], str]:
    """container_ip(container, network_name) for koans."""
    return container_ip


# --- an offline Python base image, assembled from the interpreter running the koans ---

PYTHON_IMAGE = "kernel-koans/python:latest"
SKIP_STDLIB = {"test", "tests", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3",
               "site-packages", "dist-packages", "__pycache__", "pydoc_data", "venv"}


def _ldd(paths: list[str]) -> set[str]:
    """The shared libraries `paths` load, by ldd(1) (the loader's own answer; no library
    parses this for us, so the 'name => path (addr)' lines are read by hand)."""
    import subprocess

    found: set[str] = set()
    for path in paths:
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if "=>" in parts and len(parts) > parts.index("=>") + 1:
                lib = parts[parts.index("=>") + 1]
            elif parts and parts[0].startswith("/"):
                lib = parts[0]
            else:
                continue
            if lib.startswith("/"):
                found.add(lib)
    return found


def python_rootfs(dest: Path) -> None:
    """Lay out /opt/python (interpreter, stdlib, its libraries) and the ELF loader under dest."""
    import glob
    import shutil
    import sys
    import sysconfig
    from pathlib import Path

    exe = os.path.realpath(sys.executable)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    opt = dest / "opt" / "python"
    (opt / "bin").mkdir(parents=True)
    shutil.copy2(exe, opt / "bin" / "python3")
    shutil.copytree(stdlib, opt / "lib" / version, symlinks=False,
                    ignore=lambda d, names: [n for n in names if n in SKIP_STDLIB or n.startswith("config-")])
    dynload = glob.glob(str(opt / "lib" / version / "lib-dynload" / "*.so"))
    for lib in _ldd([exe, *dynload]):
        if os.path.basename(lib).startswith("ld-linux") or lib.startswith("/lib64/"):
            target = dest / lib.lstrip("/")  # the ELF loader must sit at its absolute path
        else:
            target = opt / "lib" / os.path.basename(lib)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(lib, target)  # follows symlinks: the real file under the soname
    (dest / "usr" / "local" / "bin").mkdir(parents=True)
    (dest / "usr" / "local" / "bin" / "python3").symlink_to("/opt/python/bin/python3")


@pytest.fixture(scope="session")
def python_image(docker_client: Any, busybox_image: str) -> str:
    """`kernel-koans/python:latest`: busybox plus this machine's Python, built once, no registry.

    Kept between runs like the busybox base (it carries the cached label)."""
    import io
    import shutil
    import tempfile
    from pathlib import Path

    from kernel_koans import docker_objects
    from kernel_koans.paths import DOCKER_LABEL

    try:
        docker_client.images.get(PYTHON_IMAGE)
        return PYTHON_IMAGE
    except Exception:  # noqa: BLE001 - docker.errors.ImageNotFound: build it
        pass
    work = Path(tempfile.mkdtemp(prefix="kk-pybase-"))
    try:
        python_rootfs(work / "rootfs")
        dockerfile = (f"FROM {busybox_image}\nCOPY rootfs/ /\n"
                      "ENV PYTHONHOME=/opt/python LD_LIBRARY_PATH=/opt/python/lib "
                      "PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\n"
                      # The cached label's value is the base's own tag: images built FROM it
                      # inherit the label but not the tag, so they are still removed.
                      f'LABEL {DOCKER_LABEL}="1" {docker_objects.CACHED_LABEL}="{PYTHON_IMAGE}"\n'
                      'CMD ["python3"]\n').encode()
        context = docker_objects.tar_directory(work, {"Dockerfile": dockerfile})
        docker_client.images.build(fileobj=io.BytesIO(context), custom_context=True,
                                   tag=PYTHON_IMAGE, rm=True, forcerm=True, pull=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return PYTHON_IMAGE
