"""A pod on a real cluster (kind, minikube): the manifest you hand the API server, and the
host process the kubelet's runtime made of each container.

Read the Kubernetes API reference (Pod v1: spec.containers, spec.shareProcessNamespace,
status.containerStatuses) and cgroups(7) (/proc/<pid>/cgroup).
"""
from __future__ import annotations

import os  # noqa: F401 - listdir
from typing import Any


def pod_manifest(name: str, image: str) -> dict[str, Any]:
    """A Pod named `name` (as a dict, the JSON the API takes) with two containers, "first"
    and "second", both running `image` (already on the node: never pulled), whose processes
    see each other."""
    raise NotImplementedError("should return a Pod with two containers that share one process "
                              "namespace")


def container_pid(container_id: str) -> int:
    """The host pid of the first process of the container whose id the pod's status gives
    (`containerd://<hex>` or another runtime's `<runtime>://<hex>`)."""
    raise NotImplementedError("should find the host process of the container with this id")


def three_services_pod(name: str, images: dict[str, str]) -> dict[str, Any]:
    """A Pod named `name` running the M2 three-service project (projects/three_services):
    containers "api", "worker" and "cache" from `images` (service -> image name, already on
    the node: never pulled), each service finding the next one (api -> worker -> cache)."""
    raise NotImplementedError("should return one Pod with the api, worker and cache containers "
                              "wired to each other")
