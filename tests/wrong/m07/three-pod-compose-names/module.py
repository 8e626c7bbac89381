"""A pod on a real cluster: its manifest, and the host process of each container (reference)."""
from __future__ import annotations

import os
from typing import Any


def pod_manifest(name: str, image: str) -> dict[str, Any]:
    """A Pod with two containers of `image` that share one process namespace."""
    container = {"image": image, "imagePullPolicy": "Never"}  # the node has it; a pull could not work
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            # One PID namespace for the pod: the sandbox's pause is its PID 1, the containers'
            # processes see each other (and pause reaps their orphans).
            "shareProcessNamespace": True,
            "containers": [{"name": "first", **container}, {"name": "second", **container}],
            "terminationGracePeriodSeconds": 0,
        },
    }


def container_pid(container_id: str) -> int:
    """The host pid of the container's first process: the one in its cgroup whose parent is not."""
    hexid = container_id.split("://", 1)[-1]
    # The runtime puts each container in a cgroup named after its id (cri-containerd-<id>.scope,
    # or .../<id>): /proc/<pid>/cgroup shows it, from any PID namespace.
    members = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cgroup") as f:
                if hexid in f.read():
                    members.add(int(entry))
        except OSError:  # gone meanwhile
            continue
    for pid in sorted(members):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if ppid not in members:
            return pid
    raise LookupError(f"no process of this host is in the cgroup of container {hexid}")


PORTS = {"api": 8000, "worker": 8001, "cache": 6380}
PROBES = {"api": ["python3", "/srv/app.py", "--probe"], "worker": ["/worker", "-probe"],
          "cache": ["python3", "/srv/cache.py", "--probe"]}


def three_services_pod(name: str, images: dict[str, str]) -> dict[str, Any]:
    """The three services as one pod: one network namespace, so the next hop is localhost."""
    # The images default to compose's service names (http://worker:8001): no DNS answers those
    # here. In a pod the peers share the sandbox's loopback: the address is 127.0.0.1.
    env: dict[str, dict[str, str]] = {}
    containers = [{
        "name": service,
        "image": images[service],
        "imagePullPolicy": "Never",  # loaded onto the node; there is no registry to pull from
        "ports": [{"containerPort": PORTS[service]}],
        "env": [{"name": k, "value": v} for k, v in env.get(service, {}).items()],
        # The Dockerfiles' HEALTHCHECK, as the kubelet runs it (exec in the container).
        "readinessProbe": {"exec": {"command": PROBES[service]}, "periodSeconds": 1,
                           "timeoutSeconds": 4, "failureThreshold": 2},
    } for service in ("cache", "worker", "api")]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "three-services"}},
        "spec": {"containers": containers, "terminationGracePeriodSeconds": 1},
    }
