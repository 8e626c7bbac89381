"""Bring the 3-service system up with the docker SDK: build, network, containers, health checks.

This is what `docker compose up --build` does for docker-compose.yml, spelled
out: one image per service, one user-defined network, each service reachable
by its service name (a network alias), each with a health check.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SERVICES = ("cache", "worker", "api")
"""In start order: each one's dependency first."""

SECOND_NS = 1_000_000_000
PROBES = {
    "cache": ["CMD", "python3", "/srv/cache.py", "--probe"],
    "worker": ["CMD", "/worker", "-probe"],
    "api": ["CMD", "python3", "/srv/app.py", "--probe"],
}
ENVIRONMENT = {
    "worker": {"CACHE_URL": "http://cache:6380"},
    "api": {"WORKER_URL": "http://worker:8001"},
}


def _context(directory: Path, extra: dict[str, Path]) -> bytes:
    """A build context: the service's files plus `extra` (name -> file), as a tar stream."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted(directory.iterdir()):
            if path.is_file() and path.name != "Dockerfile.upstream":
                tar.add(path, arcname=path.name)
        for name, path in extra.items():
            tar.add(path, arcname=name)
    return buf.getvalue()


def compile_worker(out_dir: Path) -> Path:
    """Compile the Go worker into one static binary, offline (stdlib only, no module download)."""
    out = out_dir / "worker"
    env = {**os.environ, "CGO_ENABLED": "0", "GOPROXY": "off", "GOFLAGS": "",
           "GO111MODULE": "on"}
    subprocess.run(["go", "build", "-trimpath", "-ldflags=-s -w", "-o", str(out), "main.go"],
                   cwd=HERE / "worker", env=env, check=True, capture_output=True, timeout=180)
    return out


def build_images(client: Any, labels: dict[str, str], python_base: str,
                 tag_prefix: str = "kk-three") -> dict[str, str]:
    """Build one labelled image per service from its offline Dockerfile; service -> tag."""
    tags: dict[str, str] = {}
    work = Path(tempfile.mkdtemp(prefix="kk-three-"))
    try:
        worker_binary = compile_worker(work)
        for service in SERVICES:
            extra = {"worker": worker_binary} if service == "worker" else {}
            tag = f"{tag_prefix}-{service}:latest"
            client.images.build(fileobj=io.BytesIO(_context(HERE / service, extra)),
                                custom_context=True, tag=tag, labels=labels,
                                buildargs={"PYTHON_BASE": python_base},
                                pull=False, rm=True, forcerm=True)
            tags[service] = tag
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tags


def healthcheck(service: str, interval_s: float = 0.5, retries: int = 2,
                start_period_s: float = 10.0) -> dict[str, object]:
    """The service's probe with quick timings (the Dockerfiles carry production ones)."""
    return {"test": PROBES[service], "interval": int(interval_s * SECOND_NS),
            "timeout": 4 * SECOND_NS, "retries": retries,
            "start_period": int(start_period_s * SECOND_NS)}


def up(client: Any, name: str, labels: dict[str, str], images: dict[str, str]) -> dict[str, Any]:
    """The network `name` (its bridge named `name` too) and one container per service on it.

    Containers are called <name>-<service>; other services find them by the alias
    <service>. Returns service -> container.
    """
    client.networks.create(name, driver="bridge", labels=labels,
                           options={"com.docker.network.bridge.name": name})
    containers: dict[str, Any] = {}
    for service in SERVICES:
        containers[service] = client.containers.run(
            images[service], name=f"{name}-{service}", labels=labels, detach=True,
            network=name,
            networking_config={name: client.api.create_endpoint_config(aliases=[service])},
            environment=ENVIRONMENT.get(service, {}),
            healthcheck=healthcheck(service),
            # The engine's DNS forwards names it does not know (a stopped peer's, say) to
            # these servers: this system needs no outside names, so keep such lookups on
            # this machine, and let them fail in a second instead of ten.
            dns=["127.0.0.1"],
            dns_opt=["timeout:1", "attempts:1"],
        )
    return containers
