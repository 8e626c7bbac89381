"""The Horizontal Pod Autoscaler's replica formula, as Kubernetes states it.

Read "Algorithm details" in the Kubernetes HPA documentation: the desired replica
count from the current count and the ratio of the metric to its target, a tolerance
band in which nothing changes, and the min/max bounds.
"""
from __future__ import annotations

TOLERANCE = 0.1
"""Kubernetes' default (--horizontal-pod-autoscaler-tolerance): a 10% band around the target."""


def desired_replicas(current: int, metric: float, target: float, min_replicas: int,
                     max_replicas: int, tolerance: float = TOLERANCE) -> int:
    """How many replicas the autoscaler wants, given `current` replicas whose average
    metric is `metric` against a `target` per replica."""
    raise NotImplementedError("should return the replica count Kubernetes' HPA formula gives")
