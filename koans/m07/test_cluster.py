"""M7 · the same pod on a real cluster: what the kubelet did, seen in /proc of the node.

Runs only where a cluster answers whose nodes share this kernel (kind: nodes are containers
on this host); everywhere else it skips, naming the fix. Your code (m07/kube_pod.py) writes
the manifest and finds each container's host process; the koan compares namespaces.
The three-service koan deploys the M2 project as one pod (images put onto the node by
kernel_koans.infra.kube_images) and asks its api through the API server's pod proxy.
"""
from __future__ import annotations

import json
import os
import random
import shutil

import pytest

from kernel_koans import DEFAULT_TIMEOUT, exercise, koan, linux, procfs, waiting
from kernel_koans.fixtures.kube import KubeCluster
from kernel_koans.host import skip_lacking
from kernel_koans.oracles import count_primes

kube_pod = exercise("m07/kube_pod")
stack = exercise("projects/three_services/stack")
SERVICES = ("api", "worker", "cache")


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


def pause_holding(net_inode: int) -> list[int]:
    """Host pids of sandbox (pause) processes whose network namespace is `net_inode`."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if open(f"/proc/{entry}/comm").read().strip() == "pause" \
                    and linux.ns_inode(int(entry), "net") == net_inode:
                found.append(int(entry))
        except OSError:
            continue
    return found


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
    inner = {n: procfs.nspid(pid)[-1:] for n, pid in pids.items()}
    assert all(ids_ and ids_[0] != 1 for ids_ in inner.values()), (
        f"inside the pod's PID namespace the containers are pids {inner}: the sandbox's pause is 1")


def ask_primes(cluster: KubeCluster, pod: str, n: int, seconds: float) -> tuple[int, dict]:
    """GET /primes?n= on the pod's api (port 8000) through the API server, retried while the
    pod is still coming up; (status, JSON body or {"raw": text})."""
    def ask() -> tuple[int, dict]:
        status, text = cluster.pod_get(pod, 8000, "primes", {"n": str(n)})
        try:
            return status, json.loads(text)
        except ValueError:
            return status, {"raw": text[:300]}

    return waiting.settle(ask, lambda got: got[0] == 200 and got[1].get("cache") == "up", seconds, 1)


@koan(man="the Kubernetes API (Pod v1: containers, env, imagePullPolicy, readinessProbe; the pod "
          "proxy), namespaces(7), projects/three_services/README.md",
      hints=["One pod, three containers from `images`. How did the services find each other on "
             "the compose network (look at the images' ENV), and what is the address of a peer "
             "that shares your network namespace?",
             "containers: [{name: api|worker|cache, image: images[name], imagePullPolicy: Never, "
             "env: [{name: WORKER_URL, value: http://127.0.0.1:8001}] (api), CACHE_URL "
             "http://127.0.0.1:6380 (worker)}]. A plus: readinessProbe exec of each image's "
             "--probe (-probe for the worker), periodSeconds 1."],
      needs=["root", "kubernetes", "docker"])
@pytest.mark.timeout(300)
def test_three_services_run_as_one_pod_on_a_real_cluster(kube_cluster: KubeCluster, kube_images_loaded,
                                                        docker_client, docker_cleanup, python_image) -> None:
    """The M2 project as one pod: the kubelet gives its three containers the sandbox's network
    namespace (so each next hop is on localhost), and each a root filesystem of its own."""
    if shutil.which("go") is None:
        pytest.skip("host lacks a Go toolchain for the worker — sudo apt-get install -y golang-go")
    name = f"kk-three-{random.randrange(16**6):06x}"
    tags = {service: f"{name}-{service}:latest" for service in SERVICES}
    manifest = kube_pod.three_services_pod(name, dict(tags))  # before the builds: a stub fails fast
    built = stack.build_images(docker_client, docker_cleanup, python_image, tag_prefix=name)
    assert dict(built) == tags, f"projects/three_services/stack.build_images tagged {built}, not {tags}"
    kube_images_loaded(list(tags.values()))
    kube_cluster.create_pod(manifest)
    pod = kube_cluster.wait_running(name, 12 * DEFAULT_TIMEOUT)
    statuses = {s["name"]: s for s in pod.get("status", {}).get("containerStatuses") or []}
    assert sorted(statuses) == sorted(SERVICES) and all(
        "running" in (s.get("state") or {}) for s in statuses.values()), (
        f"the pod's containers are {({n: s.get('state') for n, s in statuses.items()})}: want "
        f"{sorted(SERVICES)}, running")
    # The whole chain, api -> worker -> cache, with a number drawn now.
    n = random.randrange(1000, 50000)
    want = count_primes(n)
    status, first = ask_primes(kube_cluster, name, n, 30)
    assert status == 200 and first.get("primes") == want and first.get("cache") == "up", (
        f"GET /primes?n={n} on the pod's api answered {status} {first}: want 200 with "
        f"primes={want}, computed by the worker with its cache up")
    status, second = ask_primes(kube_cluster, name, n, 0)
    assert second.get("cached") is True and second.get("primes") == want, (
        f"the same request again must come from the cache (cached true): {status} {second}")
    ids = {n: s["containerID"] for n, s in statuses.items()}
    pids = {n: in_cgroup_of(cid) for n, cid in ids.items()}
    if not any(pids.values()):
        skip_lacking("kubernetes")  # a VM-based cluster (minikube's default): its nodes are not this kernel
    assert all(pids.values()), f"no host process in the cgroup of some container: {pids}"
    net = {n: linux.ns_inode(p[0], "net") for n, p in pids.items()}
    mnt = {n: linux.ns_inode(p[0], "mnt") for n, p in pids.items()}
    assert len(set(net.values())) == 1, f"net namespace inodes of the containers: {net}: a pod has one"
    shared = net["api"]
    assert shared != linux.ns_inode(os.getpid(), "net"), (
        "the pod's containers are in the host's network namespace (hostNetwork): a pod gets its own")
    assert pause_holding(shared), (
        f"no sandbox (pause) process holds net namespace {shared}: the containers' network is not "
        "the pod sandbox's")
    assert len(set(mnt.values())) == 3, f"mnt namespace inodes {mnt}: each container has its own"
