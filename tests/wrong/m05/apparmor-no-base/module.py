"""AppArmor profiles (reference)."""
from __future__ import annotations


def profile(name: str, program: str, allowed: str, mode: str) -> str:
    """A profile `name` for `program` that may read `allowed` and nothing else of its own
    choosing; `mode` is "enforce" or "complain"."""
    # complain: every access the profile does not allow is logged and then permitted;
    # enforce (no flag) refuses it with EACCES.
    flags = " flags=(complain)" if mode == "complain" else ""
    return (f"abi <abi/3.0>,\ninclude <tunables/global>\n\n"
            # no attachment path after the name: only processes started under it (aa-exec) are
            # confined, not every run of the program on the machine
            f"profile {name}{flags} {{\n"
            ""
            f"  {program} rix,\n"
            f"  {allowed} r,\n"
            "}\n")
