"""Bring the 3-service system up with the docker SDK: build, network, containers, health checks.

This is what `docker compose up --build` does for docker-compose.yml, spelled
out: one image per service, one user-defined network, each service reachable
by its service name (a network alias), each with a health check. The koans in
koans/m02/test_three_services.py call the two functions below.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SERVICES = ("cache", "worker", "api")
"""In start order: each one's dependency first."""

SECOND_NS = 1_000_000_000


def build_images(client: Any, labels: dict[str, str], python_base: str,
                 tag_prefix: str = "kk-three") -> dict[str, str]:
    """Build one image per service from its offline Dockerfile; return service -> tag.

    - The Go worker is compiled on this machine first, offline and static:
      `CGO_ENABLED=0 GOPROXY=off go build -o <dir>/worker main.go` (cwd HERE/"worker"),
      into a temporary directory named kk-... that you remove afterwards.
    - A build context is a tar stream (tarfile + io.BytesIO) of the service's
      directory (plus the worker binary for the worker):
      `client.images.build(fileobj=..., custom_context=True, tag=..., labels=labels,
      buildargs={"PYTHON_BASE": python_base}, pull=False, rm=True, forcerm=True)`.
      pull=False: there is no registry here. `labels` on every image: that is how
      the koans find and remove them.
    - Tags: f"{tag_prefix}-{service}:latest".
    """
    raise NotImplementedError("should build one image per service and return service -> tag")


def up(client: Any, name: str, labels: dict[str, str], images: dict[str, str]) -> dict[str, Any]:
    """Create the network `name` and start one container per service on it; service -> container.

    - The network: a user-defined bridge called `name`, its Linux bridge called `name`
      too (option "com.docker.network.bridge.name"), with `labels`.
    - Containers, in SERVICES order, named f"{name}-{service}", detached, with `labels`,
      on the network with the alias `service` (so the others reach "cache", "worker",
      "api" by name): `network=name, networking_config={name:
      client.api.create_endpoint_config(aliases=[service])}`.
    - Environment: the worker gets CACHE_URL=http://cache:6380, the api
      WORKER_URL=http://worker:8001.
    - A healthcheck per service (the SDK dict: test, interval, timeout, retries,
      start_period, durations in nanoseconds) with quick timings: interval 0.5 s,
      retries 2, timeout 4 s, start_period 10 s. The koans wait at most 30 s.
    - When a peer is stopped its name stops resolving, and the engine's DNS forwards
      names it does not know to outside servers. This system needs no outside names:
      dns=["127.0.0.1"] keeps those lookups on this machine, and
      dns_opt=["timeout:1", "attempts:1"] lets them fail in a second instead of ten.
    """
    raise NotImplementedError("should start the network and one container per service on it; return service -> container")
