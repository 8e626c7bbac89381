"""M0 · The Docker Engine: a daemon that answers HTTP on a unix socket.
Reference solution.

Man pages: dockerd(8), unix(7); the Engine API reference (docs.docker.com/engine/api).
"""
from __future__ import annotations

import json
from typing import Any


def server_version(client: Any) -> str:
    """The engine's version (not the SDK's, not the CLI's), asked through the docker SDK."""
    return str(client.version()["Version"])


def api_get(socket_path: str, path: str) -> dict[str, Any]:
    """GET `path` from the engine over its unix socket, in plain HTTP/1.0; the JSON body."""
    import subprocess
    out = subprocess.run(["curl", "-sf", "--unix-socket", socket_path, f"http://docker{path}"],
                         capture_output=True, check=True, timeout=10).stdout
    return dict(json.loads(out))
