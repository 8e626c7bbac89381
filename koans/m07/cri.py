"""The kubelet → runtime calls of the CRI, played on the Docker engine.

The kubelet never runs a container directly: it asks the runtime (containerd's CRI plugin)
over gRPC: RunPodSandbox, CreateContainer, StartContainer, StopContainer, RemoveContainer,
StopPodSandbox, RemovePodSandbox. Here the "runtime" is the engine through the docker SDK:
the sandbox is a pause-like container, and app containers share its network and IPC
namespaces. Read the CRI API (kubernetes/cri-api: api.proto) and docker run's
--network container:<id> and --ipc. Every container carries `labels`.
"""
from __future__ import annotations

from typing import Any


def run_pod_sandbox(client: Any, name: str, image: str, labels: dict[str, str]) -> str:
    """Start the pod's sandbox container (it only holds the namespaces); its id."""
    raise NotImplementedError("should start a sandbox container whose namespaces the pod's containers can share")


def create_container(client: Any, sandbox_id: str, name: str, image: str, command: list[str],
                     labels: dict[str, str]) -> str:
    """Create (do not start) an app container in the sandbox's network and IPC namespaces; its id."""
    raise NotImplementedError("should create, not start, a container that shares the sandbox's network and IPC")


def start_container(client: Any, container_id: str) -> None:
    """Start a created container."""
    raise NotImplementedError("should start the created container")


def stop_container(client: Any, container_id: str, timeout: int) -> None:
    """Stop a running container: SIGTERM, then SIGKILL after `timeout` seconds."""
    raise NotImplementedError("should stop the container")


def remove_container(client: Any, container_id: str) -> None:
    """Remove a stopped container."""
    raise NotImplementedError("should remove the stopped container")


def stop_pod_sandbox(client: Any, sandbox_id: str) -> None:
    """Stop the sandbox (its containers are stopped already)."""
    raise NotImplementedError("should stop the sandbox container")


def remove_pod_sandbox(client: Any, sandbox_id: str) -> None:
    """Remove the stopped sandbox."""
    raise NotImplementedError("should remove the sandbox container")
