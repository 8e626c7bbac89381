"""The containers the engine made while a block ran, read back from the engine itself.

Code under test creates, starts and removes its containers before a koan can look at
them. The engine's event stream says each one happened; a thread inspects every
container as soon as its `create` event arrives (before it can even start), so the
limits the engine recorded for it are known after it is gone. After the block, the
event history (since/until) counts every create and start, whatever the thread saw, and
times them on the engine's own clock.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from kernel_koans import docker_objects, waiting

CATCH_UP_S = 5.0
"""Seconds the watcher may take, after the block, to inspect the last containers."""


@dataclass(frozen=True)
class Created:
    """One container as the engine recorded it at creation (None: gone before it was read)."""

    id: str
    image: str
    memory: int | None = None  # HostConfig.Memory, bytes (0: no limit)
    nano_cpus: int | None = None  # HostConfig.NanoCpus (0: no limit)
    created_ns: int = 0  # the engine's clock when it had created the container
    started_ns: int | None = None  # ... and when it had started it (its first start), if it did

    @property
    def start_s(self) -> float | None:
        """Seconds the engine took from having created the container to having started it:
        the start request's own time, and the client's gap before it (a few ms)."""
        return None if self.started_ns is None else (self.started_ns - self.created_ns) / 1e9


@dataclass
class Watch:
    """What the engine did with the containers carrying one label, in order."""

    label: str  # "key=value"
    inspected: dict[str, Created] = field(default_factory=dict)
    created: list[Created] = field(default_factory=list)
    starts: dict[str, int] = field(default_factory=dict)  # image -> start events

    def start_s(self, image: str) -> list[float]:
        """The engine's create-to-started seconds of each container of `image` that started."""
        return [s for c in self.created if c.image == image and (s := c.start_s) is not None]

    def filters(self) -> dict[str, Any]:
        return {"type": "container", "label": self.label}


def _image(event: dict[str, Any]) -> str:
    return str(event.get("Actor", {}).get("Attributes", {}).get("image", ""))


def _follow(client: Any, watch: Watch, stream: Any) -> None:
    """Inspect each container as its create event arrives, until the stream is closed."""
    try:
        for event in stream:
            if event.get("Action") != "create":
                continue
            cid = str(event["id"])
            try:
                host = client.api.inspect_container(cid)["HostConfig"]
                seen = Created(cid, _image(event), int(host.get("Memory") or 0), int(host.get("NanoCpus") or 0))
            except Exception:  # noqa: BLE001 - docker.errors.NotFound: removed before we looked
                seen = Created(cid, _image(event))
            watch.inspected[cid] = seen
    except Exception:  # noqa: BLE001 - the stream closed under us: the block is over
        return


@contextmanager
def containers(label: str) -> Iterator[Watch]:
    """Watch the containers labelled `label` ("key=value") that are created inside the block.
    After it: `created` (each with its limits as the engine recorded them) and `starts`."""
    client = docker_objects.client()
    watch = Watch(label)
    since = f"{time.time():.9f}"
    # `since` for the live stream too: the engine may answer before it subscribes; it replays
    # what it logged since then, so not even the first create slips between the two.
    stream = client.events(since=since, filters=watch.filters(), decode=True)
    thread = threading.Thread(target=_follow, args=(client, watch, stream), daemon=True)
    thread.start()
    try:
        yield watch
        history = list(client.events(since=since, until=f"{time.time():.9f}", filters=watch.filters(),
                                     decode=True))
        made = [str(e["id"]) for e in history if e.get("Action") == "create"]
        waiting.until(lambda: all(cid in watch.inspected for cid in made), CATCH_UP_S)
        started: dict[str, int] = {}
        for event in history:
            if event.get("Action") == "start":
                started.setdefault(str(event["id"]), int(event["timeNano"]))
                watch.starts[_image(event)] = watch.starts.get(_image(event), 0) + 1
        for event in history:
            if event.get("Action") == "create":
                cid = str(event["id"])
                seen = watch.inspected.get(cid, Created(cid, _image(event)))
                watch.created.append(replace(seen, created_ns=int(event["timeNano"]), started_ns=started.get(cid)))
    finally:
        stream.close()
        thread.join(timeout=CATCH_UP_S)
        client.close()
