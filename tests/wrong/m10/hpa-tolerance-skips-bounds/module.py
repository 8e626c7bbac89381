"""The Horizontal Pod Autoscaler's replica formula, as Kubernetes states it.

desiredReplicas = ceil(currentReplicas * currentMetricValue / desiredMetricValue),
unless the ratio is within the tolerance of 1.0 (then nothing changes), and always
clamped to [minReplicas, maxReplicas].
"""
from __future__ import annotations

import math

TOLERANCE = 0.1
"""Kubernetes' default (--horizontal-pod-autoscaler-tolerance): a 10% band around the target."""


def desired_replicas(current: int, metric: float, target: float, min_replicas: int,
                     max_replicas: int, tolerance: float = TOLERANCE) -> int:
    """How many replicas the autoscaler wants, given `current` replicas whose average
    metric is `metric` against a `target` per replica."""
    ratio = metric / target
    if abs(1.0 - ratio) <= tolerance:
        return current
    return max(min_replicas, min(max_replicas, math.ceil(ratio * current)))
