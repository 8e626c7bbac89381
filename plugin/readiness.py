"""When a service in a container is ready: the moment it first answers a real request.

A container is "started" long before its service can answer (a JVM is still loading
classes, an interpreter importing modules); an open port is not an answer either. The
M3 images' services answer GET /hello?name=NAME on :8080 with JSON {"lang", "hello"}:
ready is the first answer that echoes a name drawn just now, in the right language.
Only the container's own address on the engine's bridge is contacted.
"""
from __future__ import annotations

import json
import secrets
import time
import urllib.parse
import urllib.request
from typing import Any

PORT = 8080
POLL_S = 0.005
"""Seconds between tries: small next to any runtime's start, so the timing is the service's."""
STATUS_EVERY_S = 0.25
"""Seconds between looks at the container's state (a service that died never answers)."""
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""Straight to the container, whatever http_proxy the environment names."""


class NotAnswering(Exception):
    """The service did not answer in time, or its container exited; str() says which."""


def address(container: Any) -> str:
    """The container's address on the engine's default bridge (from its inspect data)."""
    container.reload()
    ip = str(container.attrs["NetworkSettings"].get("IPAddress") or "")
    if not ip:
        raise NotAnswering(f"container {container.name} has no address on the default bridge")
    return ip


def hello(ip: str, name: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """One GET /hello?name=NAME: its JSON body, or None when nothing (or no JSON) answered."""
    url = f"http://{ip}:{PORT}/hello?" + urllib.parse.urlencode({"name": name})
    try:
        with _DIRECT.open(url, timeout=timeout) as resp:
            if resp.status != 200:
                return None
            body = json.loads(resp.read())
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def wait_for_hello(container: Any, lang: str, timeout: float = 60.0) -> None:
    """Return as soon as the service in the started `container` answers GET /hello with its
    `lang` and a name drawn now; NotAnswering (with its last output) after `timeout` s or
    once the container has exited."""
    ip = address(container)
    name = f"kk-{secrets.token_hex(4)}"
    deadline = time.monotonic() + timeout
    look = time.monotonic() + STATUS_EVERY_S
    while True:
        body = hello(ip, name)
        if body is not None:
            if body.get("lang") == lang and body.get("hello") == name:
                return
            raise NotAnswering(f"{ip}:{PORT} answered {body}, not {{'lang': {lang!r}, 'hello': {name!r}}}")
        now = time.monotonic()
        if now > deadline or now > look:
            container.reload()
            if container.status == "exited" or now > deadline:
                logs = container.logs(tail=8).decode(errors="replace").strip()
                raise NotAnswering(f"the {lang} service in {container.name} ({container.status}) did not "
                                   f"answer GET /hello within {timeout} s; its last output: {logs or '(none)'}")
            look = now + STATUS_EVERY_S
        time.sleep(POLL_S)
