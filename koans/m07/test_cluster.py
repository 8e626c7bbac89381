"""M7 · the same pod on a real cluster: what the kubelet did, seen in /proc of the node.

Runs only where a cluster answers whose nodes share this kernel (kind: nodes are containers
on this host); everywhere else it skips, naming the fix. Your code (m07/kube_pod.py) writes
the manifest and finds each container's host process; the koan compares namespaces.
"""
from __future__ import annotations

import os
import random

import pytest

from kernel_koans import DEFAULT_TIMEOUT, exercise, koan, linux
from kernel_koans.fixtures.kube import KubeCluster
from kernel_koans.host import skip_lacking

kube_pod = exercise("m07/kube_pod")


def in_cgroup_of(container_id: str) -> list[int]:
    """Host pids whose /proc/<pid>/cgroup names the container's id (none: the node is not this kernel's)."""
    hexid = container_id.split("://", 1)[-1]
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if hexid in open(f"/proc/{entry}/cgroup").read():
                found.append(int(entry))
        except OSError:
            continue
    return found


def nspid(pid: int) -> list[int]:
    for line in open(f"/proc/{pid}/status").read().splitlines():
        if line.startswith("NSpid:"):
            return [int(x) for x in line.split()[1:]]
    return []


@koan(man="the Kubernetes API (Pod v1: shareProcessNamespace, containerStatuses), namespaces(7), "
          "cgroups(7)",
      hints=["The API takes the same JSON `kubectl apply` does. Where does a container's runtime id "
             "appear in the pod's status, and what on this host is named after it?",
             "spec: {shareProcessNamespace: true, containers: [{name, image, imagePullPolicy: Never}, "
             "…]}. container_pid: the id after '://' appears in /proc/<pid>/cgroup of the container's "
             "processes; the first is the one whose parent is not among them."],
      needs=["root", "kubernetes"])
@pytest.mark.timeout(240)
def test_real_pod_containers_share_the_sandbox_namespaces(kube_cluster: KubeCluster) -> None:
    """A kubelet does what your pause and join_pod did: the containers of a pod share the
    sandbox's net, ipc and uts (and pid, when asked) namespaces, each with mounts of its own."""
    image = kube_cluster.node_image("/pause:")
    if image is None:  # kind and minikube nodes hold the sandbox image; this cluster's do not
        skip_lacking("kubernetes")
    name = f"kk-pod-{random.randrange(16**6):06x}"
    kube_cluster.create_pod(kube_pod.pod_manifest(name, image))
    pod = kube_cluster.wait_running(name, 12 * DEFAULT_TIMEOUT)
    statuses = {s["name"]: s for s in pod.get("status", {}).get("containerStatuses") or []}
    assert sorted(statuses) == ["first", "second"] and all(
        "running" in (s.get("state") or {}) for s in statuses.values()), (
        f"the pod's containers are {({n: s.get('state') for n, s in statuses.items()})}: want "
        "'first' and 'second', running")
    ids = {n: s["containerID"] for n, s in statuses.items()}
    if not any(in_cgroup_of(cid) for cid in ids.values()):
        skip_lacking("kubernetes")  # a VM-based cluster (minikube's default): its nodes are not this kernel
    pids = {n: kube_pod.container_pid(cid) for n, cid in ids.items()}
    for n, pid in pids.items():
        assert pid in in_cgroup_of(ids[n]), (
            f"pid {pid} is not in the cgroup of container {n} ({ids[n]}): /proc/{pid}/cgroup says otherwise")
    ns = {kind: [linux.ns_inode(pid, kind) for pid in pids.values()] for kind in ("net", "ipc", "uts", "pid", "mnt")}
    for kind in ("net", "ipc", "uts", "pid"):
        assert len(set(ns[kind])) == 1, (
            f"{kind} namespace inodes of the two containers' processes: {ns[kind]}: the pod shares one"
            + (" (shareProcessNamespace)" if kind == "pid" else ""))
    assert len(set(ns["mnt"])) == 2, f"mnt namespace inodes {ns['mnt']}: each container has its own"
    assert ns["net"][0] != linux.ns_inode(os.getpid(), "net"), "the pod is in the host's network namespace"
    inner = {n: nspid(pid)[-1:] for n, pid in pids.items()}
    assert all(ids_ and ids_[0] != 1 for ids_ in inner.values()), (
        f"inside the pod's PID namespace the containers are pids {inner}: the sandbox's pause is 1")
