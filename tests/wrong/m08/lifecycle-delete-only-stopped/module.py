"""The OCI container lifecycle (reference)."""
from __future__ import annotations

OPERATIONS = ("create", "start", "kill", "delete")


class LifecycleError(Exception):
    """The runtime refuses the operation in this state (and the state does not change)."""


def transition(state: str | None, operation: str) -> str | None:
    """The container's state after `operation` on a container in `state`, or LifecycleError."""
    if operation == "create":
        if state is not None:
            raise LifecycleError("a container with that id already exists")
        return "created"  # "creating" lasts only while create runs
    if state is None:
        raise LifecycleError("container does not exist")
    if operation == "start":
        if state != "created":
            raise LifecycleError(f"cannot start a container that is {state}")
        return "running"
    if operation == "kill":
        if state not in ("created", "running"):
            raise LifecycleError("container not running")
        return "stopped"  # SIGKILL: the init process (runc init or the command) dies
    if operation == "delete":
        # The spec says only a stopped container may be deleted; runc also deletes a
        # created one, killing the runc init that waits for `start`.
        if state != "stopped":
            raise LifecycleError("cannot delete a running container")
        return None
    raise ValueError(f"unknown operation {operation!r}")
