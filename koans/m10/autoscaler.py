"""A local horizontal autoscaler: measure the replicas' CPU, apply the HPA formula, scale.

The metric is what Kubernetes' resource metric is: CPU used over a window as a fraction
of what each replica may use (its CPU limit), averaged over the replicas, read from each
container's own cgroup (kernel_koans.hardening.cgroup_dir(pid, controller) finds it).
Use your formula: hpa = exercise("m10/hpa") (from kernel_koans.exercise import exercise).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def cpu_utilization(replicas: list[Any], window_s: float) -> float:
    """Average over `replicas` (docker SDK containers) of the CPU each used during
    `window_s` seconds, as a fraction of its CPU limit (1.0 = using all it may)."""
    raise NotImplementedError("should measure the replicas' CPU use as a fraction of their limit")


def step(replicas: list[Any], start_replica: Callable[[], Any], target: float, min_replicas: int,
         max_replicas: int, window_s: float) -> tuple[float, list[Any]]:
    """One reconcile: measure the utilization over window_s, compute the desired count with
    the HPA formula, start (start_replica()) or remove replicas to match.
    Returns (the utilization measured, the replicas now running)."""
    raise NotImplementedError("should measure, decide with the HPA formula and scale the replicas")
