"""Publishing a port: the engine forwards a host address:port to the container's port.

Reference twin of koans/m01/ports.py.
"""
from __future__ import annotations

from typing import Any

CONTAINER_PORT = 8080


def serve_on_loopback(client: Any, image: str, labels: dict[str, str], body: str) -> tuple[Any, int]:
    """Run busybox httpd serving `body` at "/", published on 127.0.0.1 only."""
    script = (
        "mkdir -p /www && printf '%s' \"$0\" > /www/index.html && "
        # -f: stay in the foreground (it is the container's main process); it listens on
        # all the container's addresses, so the engine's forwarder can reach it.
        f"exec httpd -f -p {CONTAINER_PORT} -h /www"
    )
    container = client.containers.run(
        image, ["sh", "-c", script, body], detach=True, labels=labels, stop_signal="SIGKILL",
        # Host side: the loopback address only, and a free port the kernel picks (None).
        ports={f"{CONTAINER_PORT}/tcp": ("127.0.0.1", None)},
    )
    container.reload()  # the chosen host port appears in the inspect data after start
    binding = container.attrs["NetworkSettings"]["Ports"][f"{CONTAINER_PORT}/tcp"][0]
    return container, int(binding["HostPort"])
