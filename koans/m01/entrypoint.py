"""ENTRYPOINT, CMD and `docker run` arguments: how the engine builds the final argv.

Read "Understand how CMD and ENTRYPOINT interact" in the Dockerfile reference
(https://docs.docker.com/reference/dockerfile/#understand-how-cmd-and-entrypoint-interact),
then find the single rule behind its table.
"""
from __future__ import annotations

Instruction = str | list[str] | None
"""A str is the shell form (`CMD echo hi`), a list the exec form (`CMD ["echo", "hi"]`), None: unset."""


def final_argv(entrypoint: Instruction, cmd: Instruction, run_args: list[str]) -> list[str]:
    """The argv of the container's first process (what execve(2) receives).

    - the shell form `X` is stored as ["/bin/sh", "-c", X]; the exec form as written;
    - `docker run IMAGE a b` passes run_args ["a", "b"] (empty: none given);
    - with nothing to run at all, raise ValueError (the engine refuses: "no command specified").
    """
    raise NotImplementedError("should return the argv of the container's first process")
