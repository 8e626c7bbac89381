"""Seccomp: a filter of system calls that the kernel applies to every call a process makes.

Read seccomp(2) and the docs of libseccomp's Python binding (`pyseccomp`, the
same API as libseccomp's own `seccomp` module): a `SyscallFilter` has a default
action, rules for single system calls, and `load()`. Docker's profiles are the
same idea written as JSON: https://docs.docker.com/engine/security/seccomp/
"""
from __future__ import annotations

from typing import Any

import pyseccomp as seccomp  # noqa: F401 - SyscallFilter, ALLOW, ERRNO, ...


def refuse(syscall: str) -> None:
    """Make `syscall` (a name such as "getppid") fail with EPERM in this process and
    everything it starts, while every other system call keeps working.

    The koan calls this in a process that runs as an ordinary, unprivileged user.
    """
    raise NotImplementedError("should make `syscall` fail with EPERM while other system calls still work")


def seccomp_options(profile: dict[str, Any] | None) -> list[str]:
    """The `security_opt` list to pass to the docker SDK's `containers.run`: `profile`
    (a docker seccomp profile, as a dict) as the container's seccomp profile, or, for
    None, no seccomp filter at all."""
    raise NotImplementedError("should return the security_opt that gives a container `profile`, or no filter for None")


def profile_refusing_mkdir() -> dict[str, Any]:
    """A docker seccomp profile (JSON as a dict) under which creating a directory fails
    with EPERM, while everything else a program does still works."""
    raise NotImplementedError("should return a seccomp profile that refuses creating directories with EPERM")
