"""AppArmor: a profile per program, in the kernel, saying which files it may touch.

Read apparmor.d(5) (profile syntax: `profile NAME PATH flags=(...) { rules }`, file
rules such as `/path r,`, `include <abstractions/base>`), apparmor_parser(8) and
aa-exec(1). This koan needs a kernel with AppArmor enabled.
"""
from __future__ import annotations


def profile(name: str, program: str, allowed: str, mode: str) -> str:
    """The text of an AppArmor profile called `name` under which the executable `program` may
    run and read the file `allowed` (plus what any program needs to start), and nothing else.
    `mode` is "enforce" (what is not allowed is refused) or "complain" (only logged).
    The koan starts the program under it by name (aa-exec -p NAME): give the profile no
    attachment path, or it would confine every run of `program` on the machine."""
    raise NotImplementedError("should return an AppArmor profile for `program` in the given mode")
