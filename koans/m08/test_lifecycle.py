"""M8 · the runtime spec's lifecycle: create, start, kill, delete.

Your model (m08/lifecycle.py) is checked twice: by a hypothesis state machine that
plays long random sequences of operations against the spec's rules, and step by
step against the host's real runc, on a busybox bundle, with the verdicts runc gives.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from kernel_koans import exercise, koan
from kernel_koans.fixtures.runtime import Runc

lifecycle = exercise("m08/lifecycle")


def verdict(state: str | None, operation: str) -> tuple[bool, str | None]:
    """(accepted, state afterwards) as the learner's model says."""
    try:
        return True, lifecycle.transition(state, operation)
    except lifecycle.LifecycleError:
        return False, state


class SpecMachine(RuleBasedStateMachine):
    """Random operation sequences; each rule states what the runtime must answer."""

    def __init__(self) -> None:
        super().__init__()
        self.state: str | None = None

    def _step(self, operation: str, allowed_from: tuple[str | None, ...], after: str | None) -> None:
        accepted, new = verdict(self.state, operation)
        if self.state in allowed_from:
            assert accepted and new == after, (
                f"{operation} on a {self.state or 'nonexistent'} container must succeed and leave it "
                f"{after or 'gone'}; the model says {'→ ' + str(new) if accepted else 'refused'}")
        else:
            assert not accepted and new == self.state, (
                f"{operation} on a {self.state or 'nonexistent'} container must be refused, state "
                f"unchanged; the model {'accepts it → ' + str(new) if accepted else 'changed the state'}")
        self.state = new

    @rule()
    def create(self) -> None:
        self._step("create", (None,), "created")

    @rule()
    def start(self) -> None:
        self._step("start", ("created",), "running")

    @rule()
    def kill(self) -> None:
        self._step("kill", ("created", "running"), "stopped")

    @rule()
    def delete(self) -> None:
        self._step("delete", ("created", "stopped"), None)

    @invariant()
    def a_spec_state(self) -> None:
        assert self.state in (None, "created", "running", "stopped"), (
            f"the model reached {self.state!r}, not a settled state of the runtime spec")


@koan(man="the OCI runtime spec (runtime.md: Lifecycle, Operations), runc(8)",
      hints=["Draw the four states and the four operations. Which operation is allowed from which "
             "state, and what does each leave behind?",
             "create only when no container has the id; start only from created; kill from created "
             "or running (→ stopped); delete from stopped — and, in runc, from created (it kills "
             "the waiting runc init). Everything else raises LifecycleError."])
@pytest.mark.timeout(60)
def test_the_lifecycle_is_a_state_machine() -> None:
    """A runtime is a state machine over a container id: start twice fails, delete while
    running fails, kill only while something runs. Engines build on exactly these verdicts."""
    run_state_machine_as_test(SpecMachine, settings=settings(
        max_examples=60, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow]))


# Three sequences that, together, try every operation in every state (and hypothesis adds more).
SEQUENCES = [
    ["start", "kill", "delete", "create", "create", "start", "start", "create", "delete",
     "kill", "kill", "start", "create", "delete", "delete"],
    ["create", "kill", "start", "delete"],
    ["create", "delete", "create", "delete"],
]


def runc_step(runc: Runc, bundle: Path, cid: str, operation: str) -> tuple[bool, str | None]:
    """Run one operation on the real runc; (accepted, the state it settled in)."""
    args = {"create": ["create", "--bundle", str(bundle), cid], "start": ["start", cid],
            "kill": ["kill", cid, "KILL"], "delete": ["delete", cid]}[operation]
    accepted = runc(*args).returncode == 0
    if accepted and operation == "kill":
        runc.wait_status(cid, "stopped")
    state = runc.state(cid)
    return accepted, None if state is None else state["status"]


@koan(man="runc(8), runc-create(8), runc-start(8), runc-kill(8), runc-delete(8)",
      hints=["Run the sequences by hand with `runc --root /tmp/r create|start|kill|delete` on a "
             "bundle from `runc spec`, and `runc state` after each.",
             "runc refuses start unless created, kill unless created or running, delete while "
             "running; it deletes a created container (the spec's letter says only stopped)."],
      needs=["root", "busybox", "runc"])
@pytest.mark.timeout(120)
@settings(max_examples=6, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sequence=st.lists(st.sampled_from(["create", "start", "kill", "delete"]), min_size=1, max_size=8))
@example(sequence=SEQUENCES[0])
@example(sequence=SEQUENCES[1])
@example(sequence=SEQUENCES[2])
def test_runc_gives_the_same_verdicts(sequence: list[str], runc: Runc, rootfs: Path) -> None:
    """The model is only right if the real runtime agrees: every step of every sequence
    must get runc's verdict (accepted or refused) and leave runc's state."""
    bundle, _ = runc.bundle(rootfs, edit=lambda c: c["process"].update(args=["sleep", "1000"]))
    cid = runc.new_id()
    model: str | None = None
    done: list[str] = []
    try:
        for operation in sequence:
            real = runc_step(runc, bundle, cid, operation)
            mine = verdict(model, operation)
            done.append(operation)
            assert mine == real, (
                f"after {' → '.join(done)}: runc {'accepted' if real[0] else 'refused'} {operation} "
                f"and the container is {real[1] or 'gone'}; the model "
                f"{'accepts' if mine[0] else 'refuses'} it, leaving {mine[1] or 'no container'}")
            model = real[1]
    finally:
        runc("delete", "--force", cid)
