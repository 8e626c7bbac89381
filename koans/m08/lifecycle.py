"""The OCI runtime spec's container lifecycle, as a state machine.

A container is in one of the spec's states: "creating" (while `create` runs),
"created", "running", "stopped"; None means the runtime knows no such
container. Read the runtime spec's "Lifecycle" and "Operations" sections, then
runc(8)'s create, start, kill and delete — and where runc answers differently
from the spec's letter, answer like runc: the koans ask the real one.
"""
from __future__ import annotations

OPERATIONS = ("create", "start", "kill", "delete")


class LifecycleError(Exception):
    """The runtime refuses the operation in this state (and the state does not change)."""


def transition(state: str | None, operation: str) -> str | None:
    """The container's state after `operation` ("create", "start", "kill" with SIGKILL,
    "delete") on a container in `state` (None: no such container), once it settled.

    Raise LifecycleError when the runtime refuses the operation.
    """
    raise NotImplementedError("should give the state after an operation, or refuse the ones "
                              "the runtime refuses in that state")
