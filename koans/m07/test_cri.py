"""M7 · CRI: the kubelet's calls to the runtime, played on the engine and checked in the kernel.

Your code (m07/cri.py) makes a pod out of engine containers, call by call; the koan asks
the engine for each container's state and /proc for its namespaces.
"""
from __future__ import annotations

import random
from typing import Any

import pytest

from kernel_koans import exercise, koan, linux

cri = exercise("m07/cri")


def state(client: Any, cid: str) -> str:
    """The engine's status of a container ('created', 'running', 'exited'), or 'gone'."""
    import docker

    try:
        return str(client.containers.get(cid).status)
    except docker.errors.NotFound:
        return "gone"


def pid_of(client: Any, cid: str) -> int:
    return int(client.containers.get(cid).attrs["State"]["Pid"])


@koan(man="the CRI API (kubernetes/cri-api api.proto), docker-run(1) (--network container:, --ipc)",
      hints=["The sandbox exists so the other containers have namespaces to join. Which docker "
             "run options make a container join another's network and IPC namespaces, and what "
             "must the sandbox allow for IPC?",
             "Sandbox: containers.run(image, a do-nothing command that ends on SIGTERM, "
             "ipc_mode='shareable', detach=True, labels=…). App: containers.create(…, "
             "network_mode=f'container:{sandbox}', ipc_mode=f'container:{sandbox}', labels=…)."],
      needs=["root", "docker", "busybox"])
@pytest.mark.timeout(90)
def test_cri_calls_build_and_tear_down_a_pod(docker_client: Any, busybox_image: str,
                                             docker_cleanup: dict[str, str]) -> None:
    """RunPodSandbox first, then Create/Start for each container, Stop/Remove in reverse:
    the pod's network lives in the sandbox, so containers can restart without losing the IP."""
    tag = f"{random.randrange(16**6):06x}"
    sandbox = cri.run_pod_sandbox(docker_client, f"kk-pod-{tag}", busybox_image, docker_cleanup)
    app = cri.create_container(docker_client, sandbox, f"kk-app-{tag}", busybox_image,
                               ["sleep", "120"], docker_cleanup)
    created = state(docker_client, app)
    cri.start_container(docker_client, app)
    started = state(docker_client, app)
    pods, apps = pid_of(docker_client, sandbox), pid_of(docker_client, app)
    ns = {kind: (linux.ns_inode(pods, kind), linux.ns_inode(apps, kind))
          for kind in ("net", "ipc", "mnt", "pid")}
    cri.stop_container(docker_client, app, 1)
    stopped, sandbox_then = state(docker_client, app), state(docker_client, sandbox)
    cri.remove_container(docker_client, app)
    removed = state(docker_client, app)
    cri.stop_pod_sandbox(docker_client, sandbox)
    sandbox_stopped = state(docker_client, sandbox)
    cri.remove_pod_sandbox(docker_client, sandbox)
    assert (created, started) == ("created", "running"), (
        f"CreateContainer left it {created!r} (want 'created'), StartContainer {started!r} (want 'running')")
    for kind in ("net", "ipc"):
        assert ns[kind][0] == ns[kind][1], (
            f"/proc/<pid>/ns/{kind}: sandbox {ns[kind][0]}, app {ns[kind][1]}: the app must share "
            f"the sandbox's {kind} namespace")
    for kind in ("mnt", "pid"):
        assert ns[kind][0] != ns[kind][1], (
            f"/proc/<pid>/ns/{kind}: sandbox and app share {ns[kind][0]}: each keeps its own {kind}")
    assert (stopped, removed, sandbox_then) == ("exited", "gone", "running"), (
        f"after StopContainer the app is {stopped!r}, after RemoveContainer {removed!r}, and the "
        f"sandbox meanwhile {sandbox_then!r}: want exited, gone, running")
    assert (sandbox_stopped, state(docker_client, sandbox)) == ("exited", "gone"), (
        f"StopPodSandbox left it {sandbox_stopped!r}, RemovePodSandbox "
        f"{state(docker_client, sandbox)!r}: want exited, gone")
