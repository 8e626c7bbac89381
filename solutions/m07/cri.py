"""The kubelet → runtime calls of the CRI, played on the Docker engine (reference)."""
from __future__ import annotations

from typing import Any

PAUSE = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
"""The sandbox's program: do nothing, end on SIGTERM (busybox has no `pause`)."""


def run_pod_sandbox(client: Any, name: str, image: str, labels: dict[str, str]) -> str:
    """Start the pod's sandbox container; its id."""
    # ipc_mode="shareable": other containers may join its IPC namespace (docker's default,
    # "private", refuses that). The network namespace is joinable as it is.
    sandbox = client.containers.run(image, PAUSE, name=name, hostname=name, detach=True,
                                    ipc_mode="shareable", labels=labels)
    return str(sandbox.id)


def create_container(client: Any, sandbox_id: str, name: str, image: str, command: list[str],
                     labels: dict[str, str]) -> str:
    """Create (do not start) an app container in the sandbox's network and IPC namespaces."""
    created = client.containers.create(image, command, name=name, labels=labels,
                                       network_mode=f"container:{sandbox_id}",
                                       ipc_mode=f"container:{sandbox_id}")
    return str(created.id)


def start_container(client: Any, container_id: str) -> None:
    client.containers.get(container_id).start()


def stop_container(client: Any, container_id: str, timeout: int) -> None:
    client.containers.get(container_id).stop(timeout=timeout)


def remove_container(client: Any, container_id: str) -> None:
    client.containers.get(container_id).remove()


def stop_pod_sandbox(client: Any, sandbox_id: str) -> None:
    client.containers.get(sandbox_id).stop(timeout=5)


def remove_pod_sandbox(client: Any, sandbox_id: str) -> None:
    client.containers.get(sandbox_id).remove()
