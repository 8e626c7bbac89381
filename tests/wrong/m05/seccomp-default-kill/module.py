"""Seccomp filters (reference)."""
from __future__ import annotations

import errno
import json
from typing import Any

import pyseccomp as seccomp


def refuse(syscall: str) -> None:
    """Make `syscall` fail with EPERM in this process (and all it starts); allow the rest."""
    # Default ALLOW, one ERRNO rule: a denylist. KILL as the default would kill the
    # process at its next syscall of any other kind.
    flt = seccomp.SyscallFilter(defaction=seccomp.KILL)
    flt.add_rule(seccomp.ERRNO(errno.EPERM), syscall)
    # libseccomp sets no_new_privs before loading (its CTL_NNP attribute, on by
    # default): without it, or CAP_SYS_ADMIN, seccomp(2) refuses the filter (EACCES).
    flt.set_attr(seccomp.Attr.CTL_NNP, 1)
    flt.load()


def seccomp_options(profile: dict[str, Any] | None) -> list[str]:
    """The `security_opt` list for a container: `profile` as its seccomp profile, or None
    for no seccomp filter at all."""
    if profile is None:
        return ["seccomp=unconfined"]  # leaving it out means: the engine's default profile
    return [f"seccomp={json.dumps(profile)}"]  # the API takes the JSON itself, not a path


def profile_refusing_mkdir() -> dict[str, Any]:
    """A docker seccomp profile: creating a directory fails with EPERM; everything else works."""
    return {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{
            # mkdir(2) and mkdirat(2): libc and programs use either one
            "names": ["mkdir", "mkdirat"],
            "action": "SCMP_ACT_ERRNO",
            "errnoRet": errno.EPERM,
        }],
    }
