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
            "hostNetwork": True,
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
