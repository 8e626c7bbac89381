"""`docker history`: every layer, the instruction that made it, and what it weighs.

Reference twin of koans/m01/history.py.
"""
from __future__ import annotations

BASE = "kernel-koans/busybox"


def wasteful_dockerfile() -> str:
    """Create /blob (1 MiB of random bytes) in one RUN and delete it in the next."""
    # The second RUN's layer only records a whiteout for /blob: the first layer,
    # with its 1 MiB, stays in the image forever.
    return (f"FROM {BASE}\n"
            "RUN dd if=/dev/urandom of=/blob bs=1024 count=1024\n"
            "RUN rm /blob\n")


def lean_dockerfile() -> str:
    """Create /blob and delete it in the same RUN: the layer never holds it."""
    # A layer is the diff of the filesystem before and after its step: a file born and
    # gone within one step is not in the diff.
    return (f"FROM {BASE}\n"
            "RUN dd if=/dev/urandom of=/blob bs=1024 count=1024 && sha256sum /blob && rm /blob\n")
