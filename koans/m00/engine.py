"""M0 · The Docker Engine: a daemon that answers HTTP on a unix socket.

Your exercise: talk to the engine twice, once through the docker SDK and once
by hand. test_engine.py checks each answer against the other path.
Man pages: dockerd(8), unix(7); the Engine API reference (docs.docker.com/engine/api).
"""
from __future__ import annotations

from typing import Any


def server_version(client: Any) -> str:
    """The engine's version (not the SDK's, not the CLI's), e.g. "24.0.7", asked
    through `client`, a docker.DockerClient."""
    raise NotImplementedError("should return the engine's own version, e.g. '24.0.7'")


def api_get(socket_path: str, path: str) -> dict[str, Any]:
    """GET `path` (e.g. "/version") from the engine over its unix socket
    (`socket_path`, e.g. /var/run/docker.sock) in plain HTTP/1.0, and return the
    JSON body as a dict. Raise when the status is not 200.

    No SDK, no requests: socket.AF_UNIX, one request, read until the engine closes.
    """
    raise NotImplementedError("should return the engine's JSON answer to a GET of `path` over its unix socket, as a dict")
