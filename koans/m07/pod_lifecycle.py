"""Pod phases and restartPolicy, as the kubelet applies them.

Read "Pod Lifecycle" in the Kubernetes documentation (Pod phase; Container restart
policy). A pod has several containers and one restartPolicy: Always, OnFailure or Never.
"""
from __future__ import annotations


class Pod:
    """The kubelet's view of one pod."""

    def __init__(self, restart_policy: str, containers: int) -> None:
        self.restart_policy = restart_policy
        self.containers = containers

    def start(self) -> None:
        """The kubelet started every container of the pod."""
        raise NotImplementedError("should record that the pod's containers were started")

    def container_exited(self, index: int, exit_code: int) -> None:
        """Container `index` ended with `exit_code`: restart it, or not, as the policy says."""
        raise NotImplementedError("should apply the restart policy to a container that ended")

    def restarts(self, index: int) -> int:
        """How many times container `index` was restarted (its restartCount)."""
        raise NotImplementedError("should count the container's restarts")

    def phase(self) -> str:
        """The pod's phase: Pending, Running, Succeeded or Failed."""
        raise NotImplementedError("should give the pod's phase")
