"""M7 · pod phases and restartPolicy: a hypothesis state machine plays the kubelet's rules.

Your model (m07/pod_lifecycle.py) is driven through random sequences of container exits,
with random exit codes, under each restartPolicy; after every step its phase and restart
counts must be what the Pod Lifecycle rules say.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from kernel_koans import exercise, koan

pod_lifecycle = exercise("m07/pod_lifecycle")


class PodRules(RuleBasedStateMachine):
    """The rules, stated once per step: who restarts, and what phase the pod is in."""

    @initialize(policy=st.sampled_from(["Always", "OnFailure", "Never"]), count=st.integers(1, 3))
    def make(self, policy: str, count: int) -> None:
        self.policy = policy
        self.pod = pod_lifecycle.Pod(policy, count)
        self.started = False
        self.running = [True] * count
        self.codes: list[int] = [0] * count
        self.restarts = [0] * count

    @rule()
    @precondition(lambda self: not self.started)
    def start(self) -> None:
        self.pod.start()
        self.started = True

    @rule(data=st.data(), code=st.sampled_from([0, 0, 1, 2, 137, 143]))
    @precondition(lambda self: self.started and any(self.running))
    def exits(self, data: st.DataObject, code: int) -> None:
        index = data.draw(st.sampled_from([i for i, up in enumerate(self.running) if up]))
        self.pod.container_exited(index, code)
        if self.policy == "Always" or (self.policy == "OnFailure" and code != 0):
            self.restarts[index] += 1
        else:
            self.running[index] = False
            self.codes[index] = code

    @rule()
    def sync(self) -> None:
        """The kubelet looks again (also once every container has ended for good)."""

    @invariant()
    def phase_and_restarts(self) -> None:
        if not hasattr(self, "pod"):
            return
        if not self.started:
            want = "Pending"
        elif any(self.running):
            want = "Running"
        else:
            want = "Succeeded" if not any(self.codes) else "Failed"
        assert self.pod.phase() == want, (
            f"restartPolicy {self.policy}, containers running {self.running}, final exit codes "
            f"{self.codes}: the phase is {want}, the model says {self.pod.phase()}")
        got = [self.pod.restarts(i) for i in range(len(self.running))]
        assert got == self.restarts, (
            f"restartPolicy {self.policy}: restart counts should be {self.restarts}, the model says {got}")


def _one_container_exits_once(policy: str, code: int) -> None:
    pod = pod_lifecycle.Pod(policy, 1)
    pod.start()
    pod.container_exited(0, code)
    restarted = policy == "Always" or (policy == "OnFailure" and code != 0)
    phase = "Running" if restarted else ("Succeeded" if code == 0 else "Failed")
    assert (pod.restarts(0), pod.phase()) == (int(restarted), phase), (
        f"restartPolicy {policy}, the only container exits with {code}: it is "
        f"{'restarted' if restarted else 'not restarted'} and the pod is {phase}; the model says "
        f"{pod.restarts(0)} restart(s), {pod.phase()}")


@koan(man="Kubernetes docs: Pod Lifecycle (Pod phase, Container restart policy)",
      hints=["Which exits does each policy restart? When is a pod still Running, and what "
             "decides between Succeeded and Failed?",
             "Always restarts every exit; OnFailure only non-zero; Never none. Running while any "
             "container runs or will be restarted; once all terminated for good: Succeeded if "
             "every exit code was 0, else Failed. Pending until started."])
@pytest.mark.timeout(60)
def test_restart_policy_decides_the_pod_phase() -> None:
    """A pod's phase is a summary of its containers under its restartPolicy: a Job's pod
    (Never/OnFailure) can finish Succeeded or Failed; a Deployment's (Always) never finishes."""
    for policy in ("Always", "OnFailure", "Never"):  # every policy's first exit, both ways,
        for code in (0, 1):                            # whatever examples hypothesis draws
            _one_container_exits_once(policy, code)
    PodRules.TestCase.settings = settings(max_examples=80, stateful_step_count=15, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
    PodRules.TestCase().runTest()
