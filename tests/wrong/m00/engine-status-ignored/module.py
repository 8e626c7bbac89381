"""M0 · The Docker Engine: a daemon that answers HTTP on a unix socket.
Reference solution.

Man pages: dockerd(8), unix(7); the Engine API reference (docs.docker.com/engine/api).
"""
from __future__ import annotations

import json
import socket
from typing import Any


def server_version(client: Any) -> str:
    """The engine's version (not the SDK's, not the CLI's), asked through the docker SDK."""
    return str(client.version()["Version"])


def api_get(socket_path: str, path: str) -> dict[str, Any]:
    """GET `path` from the engine over its unix socket, in plain HTTP/1.0; the JSON body."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(socket_path)
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    _, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return dict(json.loads(body))
