"""ENTRYPOINT, CMD and `docker run` arguments: how the engine builds the final argv.

Reference twin of koans/m01/entrypoint.py.
"""
from __future__ import annotations

Instruction = str | list[str] | None
"""A str is the shell form (`CMD echo hi`), a list the exec form (`CMD ["echo", "hi"]`), None: unset."""

SHELL = ["/bin/sh", "-c"]
"""What the builder wraps a shell-form instruction in (the Dockerfile's SHELL, by default)."""


def as_argv(instruction: Instruction) -> list[str]:
    """An instruction as the argv list the image config stores."""
    if instruction is None:
        return []
    if isinstance(instruction, str):
        # Shell form: the builder stores ["/bin/sh", "-c", "<the whole line>"].
        return [*SHELL, instruction]
    return list(instruction)


def final_argv(entrypoint: Instruction, cmd: Instruction, run_args: list[str]) -> list[str]:
    """The argv of the container's first process."""
    # One rule covers the whole table in the Docker docs: arguments given to `docker run`
    # replace CMD, and the result is appended to ENTRYPOINT. A shell-form ENTRYPOINT
    # "ignores" CMD only because `sh -c SCRIPT a b` hands a, b to the script as $0, $1.
    argv = as_argv(entrypoint) + (list(run_args) if run_args else as_argv(cmd))
    if not argv:
        raise ValueError("no command specified: the image has no ENTRYPOINT or CMD, and run gave none")
    return argv
