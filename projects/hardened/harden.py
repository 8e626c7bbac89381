"""Harden how containers run: one service (notes), then the 3-service system of M2.

Each choice closes one door an attacker inside the container would use:
- a non-root user: no root files, no root-only syscalls;
- cap_drop ALL (+ only what a service needs): even a setuid binary gains nothing;
- no-new-privileges: execve can never raise privileges again;
- a seccomp profile: syscalls the services never make (ptrace, mount, unshare...) fail;
- a read-only root, with a tmpfs only where the service must write.
The rootless variant maps the container's root to an unprivileged host uid (runc config).
The koans are in koans/m05/test_hardened.py; notes/ is given.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def seccomp_profile() -> dict[str, Any]:
    """A seccomp profile (Docker's JSON format: defaultAction, architectures, syscalls)
    under which every service still works and the syscalls none of them makes
    (ptrace, mount, unshare, ...) fail with EPERM."""
    raise NotImplementedError("should return a seccomp profile that refuses the syscalls the services never make")


def run_options(service: str) -> dict[str, Any]:
    """The keyword arguments of client.containers.run that harden `service`
    ("notes", "cache", "worker" or "api"): who it runs as, which capabilities it keeps,
    no new privileges, the seccomp profile, a read-only root and a writable place only
    where the service must write (notes writes under /tmp)."""
    raise NotImplementedError("should return the containers.run options that harden the service")


def build_notes(client: Any, labels: dict[str, str], python_base: str,
                tag: str = "kk-hardened-notes:latest") -> str:
    """Build the notes image (given: the service and its Dockerfile are not the lesson)."""
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted((HERE / "notes").iterdir()):
            tar.add(path, arcname=path.name)
    client.images.build(fileobj=io.BytesIO(buf.getvalue()), custom_context=True, tag=tag,
                        labels=labels, buildargs={"PYTHON_BASE": python_base}, pull=False,
                        rm=True, forcerm=True)
    return tag


def up(client: Any, name: str, labels: dict[str, str], images: dict[str, str],
       extra: dict[str, Any]) -> dict[str, Any]:
    """The 3-service system as M2's stack.up starts it (network `name`, containers
    <name>-<service> with the alias <service>, CACHE_URL/WORKER_URL, dns 127.0.0.1), every
    container hardened with run_options(service); pass `extra` (the koan's own options)
    to every containers.run too. Returns service -> container."""
    raise NotImplementedError("should start the M2 system with every container hardened")


def rootless(config: dict[str, Any], host_id: int, count: int) -> None:
    """Edit a runc config.json (in place) so that the container runs in a user namespace
    whose uids and gids 0..count-1 are host_id..host_id+count-1 on the host, its process
    as root (0:0) inside."""
    raise NotImplementedError("should put the container in a user namespace mapping its root to host_id")
