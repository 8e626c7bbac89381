"""A Docker engine inside `koans vm --engine`, started from the host's own docker.io binaries.

Inside the VM root holds every capability, so runc can start the --privileged containers
an engine on a confined or nested host cannot, and the kernel is cgroup v2, as on most
learners' machines. The guest's root filesystem is the host's, read-only but for overlays
whose lower layer is the host's live directories: /var/lib/docker would show the host
engine's own data, changing underneath. So the engine gets a fresh tmpfs there (its
default data root, whose mounts the leak audit knows as the engine's), its socket and pid
file in the guest's own /run, and no iptables rules (the VM has no firewall to join).
The koans build their images from the host's files, so an empty engine is all they need.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from kernel_koans import host, linux

DATA_ROOT = Path("/var/lib/docker")
CONTAINERD_STATE = Path("/run/docker/containerd")
CONTAINERD_SOCKET = CONTAINERD_STATE / "containerd.sock"
CONTAINERD_CONFIG = f"""version = 2
root = "{DATA_ROOT}/containerd/daemon"
state = "{CONTAINERD_STATE}/daemon"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
                    "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
                    "io.containerd.snapshotter.v1.aufs"]

[grpc]
  address = "{CONTAINERD_SOCKET}"
"""
"""The layout dockerd gives the containerd it starts itself, without the plugins the engine
does not use here (Kubernetes' CRI, snapshotters for other filesystems). Started apart
because dockerd waits for its own containerd a fixed time, too short under emulation."""
LOGS = Path("/var/log")
"""In the guest /var/log is a tmpfs of its own: the logs die with the VM; a log's tail is
shown when its daemon does not come up."""
ANSWER_TIMEOUT = 60.0
"""Seconds (times the VM's slowness) for containerd, then dockerd, to answer."""
STOP_TIMEOUT = 30.0
"""Seconds (times the slowness) for dockerd to stop its containers, and for containerd."""
ARGV = ("--iptables=false", "--ip6tables=false", f"--data-root={DATA_ROOT}",
        f"--containerd={CONTAINERD_SOCKET}")


def argv(dockerd: str) -> list[str]:
    """dockerd's command line in the VM (its socket and pid file at their defaults, in /run)."""
    return [dockerd, *ARGV]


def _containerd_answers() -> str | None:
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(CONTAINERD_SOCKET))
        return "listening"
    except OSError:
        return None


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"koans vm --engine: no {name} on this machine (sudo apt-get install -y docker.io)")
    return found


@contextmanager
def _daemon(argv: list[str], answers: Callable[[], str | None], slowness: float) -> Iterator[str]:
    """Run a daemon until the block ends; yields what `answers` says once it answers
    (bounded), else RuntimeError with the end of its log."""
    name = Path(argv[0]).name
    log_path = LOGS / f"kernel-koans-{name}.log"
    LOGS.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        bound = ANSWER_TIMEOUT * slowness
        deadline = time.monotonic() + bound
        answer = None
        while answer is None and proc.poll() is None and time.monotonic() < deadline:
            answer = answers()
            if answer is None:
                time.sleep(0.5)
        if answer is None:
            why = f"exited {proc.returncode}" if proc.poll() is not None else f"did not answer within {bound:.0f} s"
            raise RuntimeError(f"koans vm --engine: {name} {why}; the end of its log:\n{_tail(log_path)}")
        yield answer
    finally:
        _stop(proc, slowness)


def _stop(proc: subprocess.Popen[bytes], slowness: float) -> None:
    """SIGTERM (dockerd stops its containers first), SIGKILL to its group past the bound."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(STOP_TIMEOUT * slowness)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextmanager
def _tmpfs(point: Path) -> Iterator[None]:
    point.mkdir(parents=True, exist_ok=True)
    linux.mount("tmpfs", str(point), "tmpfs", 0, "mode=0711")
    try:
        yield
    finally:
        try:
            linux.umount2(str(point), linux.MNT_DETACH)
        except OSError:
            pass


@contextmanager
def running(slowness: float = 1.0) -> Iterator[str]:
    """containerd, then dockerd, on a fresh tmpfs data root for the duration of the block;
    yields the engine's version. Stopped in reverse order."""
    dockerd, containerd = _binary("dockerd"), _binary("containerd")
    with ExitStack() as stack:
        stack.enter_context(_tmpfs(DATA_ROOT))
        CONTAINERD_STATE.mkdir(parents=True, exist_ok=True)
        config = CONTAINERD_STATE / "containerd.toml"
        config.write_text(CONTAINERD_CONFIG)
        stack.enter_context(_daemon([containerd, "--config", str(config)], _containerd_answers, slowness))
        yield stack.enter_context(_daemon(argv(dockerd), host.docker_version, slowness))
