"""A local autoscaler scales the M2 worker with the engine, under load the koan generates."""
from __future__ import annotations

import shutil
import time

import pytest

from kernel_koans import exercise, hardening, koan, names, services

autoscaler = exercise("m10/autoscaler")
stack = exercise("projects/three_services/stack")

# Runs in a client container: 4 threads ask the worker for work, for at most 40 s.
LOAD = """
import threading, time, urllib.request
end = time.monotonic() + 40
def hammer():
    while time.monotonic() < end:
        try:
            urllib.request.urlopen("http://worker:8001/work?n=1500000", timeout=5).read()
        except OSError:
            time.sleep(0.05)
threads = [threading.Thread(target=hammer) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
"""
CPUS = 0.25
"""Each replica's CPU limit: the load saturates it, so its utilization is near 1.0."""


def koans_utilization(box, seconds: float) -> float:
    """The koan's own reading: cpuacct/cpu.stat of the replica's cgroup over `seconds`."""
    box.reload()
    pid = int(box.attrs["State"]["Pid"])
    cpu = hardening.cgroup_dir(pid, "cpu")

    def used() -> float:
        if (cpu / "cpu.stat").exists() and (cpu / "cpu.max").exists():
            stat = dict(line.split() for line in (cpu / "cpu.stat").read_text().splitlines())
            return int(stat["usage_usec"]) / 1e6
        return int((hardening.cgroup_dir(pid, "cpuacct") / "cpuacct.usage").read_text()) / 1e9

    first, started = used(), time.monotonic()
    time.sleep(seconds)
    return (used() - first) / ((time.monotonic() - started) * CPUS)


@koan(man="Kubernetes docs: Horizontal Pod Autoscaling; cgroups(7) cpuacct, cpu.stat", hints=[
    "Utilization is a fraction of the limit: a replica allowed a quarter CPU that uses a "
    "quarter CPU is at 1.0. Read the container's own cgroup before and after a window.",
    "v1: cpuacct.usage (ns) and cpu.cfs_quota_us / cpu.cfs_period_us; v2: cpu.stat "
    "usage_usec and cpu.max. Then hpa.desired_replicas(len(replicas), utilization, target, "
    "min, max): start replicas with start_replica(), remove extra ones (remove(force=True))."],
    needs=["root", "docker", "busybox", "cgroup:cpu", "realtime"])
@pytest.mark.timeout(240)
def test_autoscaler_scales_the_worker_up_under_load_and_back_down(docker_client, python_image,
                                                                  docker_cleanup):
    """An autoscaler is a control loop: measure, compare with the target, act through the
    engine. Under load the M2 worker gets replicas; when the load stops, they go away."""
    if shutil.which("go") is None:
        pytest.skip("host lacks a Go toolchain for the worker — sudo apt-get install -y golang-go")
    name = names.unique("hpa")
    images = stack.build_images(docker_client, docker_cleanup, python_image, tag_prefix=name)
    net = services.network(docker_client, docker_cleanup, "hpa")
    mark = {**docker_cleanup, "kk.replica-of": net}

    def start_replica():
        return docker_client.containers.run(
            images["worker"], name=names.unique("wkr"), labels=mark, detach=True, network=net,
            networking_config={net: docker_client.api.create_endpoint_config(aliases=["worker"])},
            environment={"CACHE_URL": "http://127.0.0.1:1"}, nano_cpus=int(CPUS * 1e9))

    def running() -> int:  # stopped ones count too: the engine still holds them
        return len(docker_client.containers.list(all=True, filters={"label": f"kk.replica-of={net}"}))

    first = start_replica()
    load = docker_client.containers.run(python_image, ["python3", "-c", LOAD], labels=docker_cleanup,
                                        network=net, detach=True, name=f"{net}-load")
    time.sleep(1.0)
    seen = koans_utilization(first, 1.5)
    assert seen > 0.7, f"the koan's load kept the worker at only {seen:.2f} of its CPU limit"
    measured, replicas = autoscaler.step([first], start_replica, 0.35, 1, 3, 2.0)
    assert abs(measured - seen) < 0.3, (
        f"you measured a utilization of {measured:.2f}; the worker's cgroup says {seen:.2f} "
        f"of its {CPUS} CPU limit")
    assert len(replicas) == 3 and running() == 3, (
        f"at {seen:.2f} of the limit against a target of 0.35, ceil(1 x {seen:.2f} / 0.35) = 3 "
        f"replicas (max 3); the engine runs {running()}")
    load.kill()
    time.sleep(0.5)
    measured, replicas = autoscaler.step(replicas, start_replica, 0.35, 1, 3, 2.0)
    assert measured < 0.2 and len(replicas) == 1 and running() == 1, (
        f"without load (you measured {measured:.2f}) the formula asks for its minimum, 1 "
        f"replica; the engine runs {running()}")
