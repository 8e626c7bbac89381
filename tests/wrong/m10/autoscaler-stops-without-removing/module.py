"""A local horizontal autoscaler: measure the replicas' CPU, apply the HPA formula, scale.

The metric is what Kubernetes' resource metric is: CPU used over a window as a fraction
of what each replica may use (its CPU limit), averaged over the replicas, read from each
container's own cgroup.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kernel_koans.exercise import exercise
from kernel_koans.hardening import cgroup_dir

hpa = exercise("m10/hpa")


def _usage_and_limit(container: Any) -> tuple[float, float]:
    """(CPU seconds used so far, CPUs allowed) from the container's cgroup, v1 or v2."""
    container.reload()
    pid = int(container.attrs["State"]["Pid"])
    cpu = cgroup_dir(pid, "cpu")
    if (cpu / "cpu.max").exists():  # cgroup v2: one directory for both
        usage = next(int(line.split()[1]) for line in (cpu / "cpu.stat").read_text().splitlines()
                     if line.startswith("usage_usec")) / 1e6
        quota, period = (cpu / "cpu.max").read_text().split()
        return usage, (float("inf") if quota == "max" else int(quota) / int(period))
    usage = int(Path(cgroup_dir(pid, "cpuacct"), "cpuacct.usage").read_text()) / 1e9
    quota = int((cpu / "cpu.cfs_quota_us").read_text())
    period = int((cpu / "cpu.cfs_period_us").read_text())
    return usage, (float("inf") if quota < 0 else quota / period)


def cpu_utilization(replicas: list[Any], window_s: float) -> float:
    """Average over `replicas` of CPU used during `window_s` / (window_s x its CPU limit)."""
    before = [_usage_and_limit(c) for c in replicas]
    started = time.monotonic()
    time.sleep(window_s)
    after = [_usage_and_limit(c) for c in replicas]
    elapsed = time.monotonic() - started
    shares = [(a[0] - b[0]) / (elapsed * a[1]) for b, a in zip(before, after, strict=True)]
    return sum(shares) / len(shares)


def step(replicas: list[Any], start_replica: Callable[[], Any], target: float, min_replicas: int,
         max_replicas: int, window_s: float) -> tuple[float, list[Any]]:
    """One reconcile: measure, compute the desired count, start or remove replicas to match.
    Returns (the utilization measured, the replicas now running)."""
    utilization = cpu_utilization(replicas, window_s)
    want = hpa.desired_replicas(len(replicas), utilization, target, min_replicas, max_replicas)
    replicas = list(replicas)
    while len(replicas) < want:
        replicas.append(start_replica())
    while len(replicas) > want:
        gone = replicas.pop()  # the newest first
        gone.stop(timeout=0)
    return utilization, replicas
