"""Pod phases and restartPolicy, as the kubelet applies them (reference)."""
from __future__ import annotations


class Pod:
    """The kubelet's view of one pod."""

    def __init__(self, restart_policy: str, containers: int) -> None:
        self.restart_policy = restart_policy
        self.containers = containers
        self.started = False
        self.exit_codes: list[int | None] = [None] * containers  # None: running (or not yet)
        self.restart_counts = [0] * containers

    def start(self) -> None:
        self.started = True

    def container_exited(self, index: int, exit_code: int) -> None:
        restart = (self.restart_policy == "Always"
                   or (self.restart_policy == "OnFailure"))
        if restart:
            self.restart_counts[index] += 1  # the kubelet starts it again (with back-off)
        else:
            self.exit_codes[index] = exit_code  # terminated for good

    def restarts(self, index: int) -> int:
        return self.restart_counts[index]

    def phase(self) -> str:
        if not self.started:
            return "Pending"
        if any(code is None for code in self.exit_codes):
            return "Running"  # at least one container runs (or is being restarted)
        # Every container terminated and none will restart.
        return "Succeeded" if all(code == 0 for code in self.exit_codes) else "Failed"
