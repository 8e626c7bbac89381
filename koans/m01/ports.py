"""Publishing a port: the engine forwards a host address:port to the container's port.

Read https://docs.docker.com/engine/network/#published-ports and the docker SDK's
`containers.run(..., ports=...)` (https://docker-py.readthedocs.io/en/stable/containers.html).
"""
from __future__ import annotations

from typing import Any


def serve_on_loopback(client: Any, image: str, labels: dict[str, str], body: str) -> tuple[Any, int]:
    """Start a detached container from `image` (busybox) that serves `body` over HTTP at
    "/" and publish its port on the host's loopback address only (127.0.0.1), on a host
    port the system picks. Give the container `labels`. Return (container, host port).

    busybox has `httpd` (`httpd -f -p PORT -h DIR` serves DIR/index.html, in the foreground).
    """
    raise NotImplementedError("should return (container, host port): `body` served on the host's loopback only")
