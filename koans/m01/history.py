"""`docker history`: every layer, the instruction that made it, and what it weighs.

Each function returns a whole Dockerfile (a str), FROM kernel-koans/busybox. Its
busybox has `dd`, `head`, `rm` and /dev/urandom. Read
https://docs.docker.com/reference/cli/docker/image/history/ and
https://docs.docker.com/build/building/best-practices/#minimize-the-number-of-layers
"""
from __future__ import annotations

BASE = "kernel-koans/busybox"


def wasteful_dockerfile() -> str:
    """A Dockerfile that creates /blob (1 MiB, 1048576 random bytes) in one RUN
    instruction and deletes it in a second RUN instruction."""
    raise NotImplementedError("should return a Dockerfile that creates /blob in one step and deletes it in the next")


def lean_dockerfile() -> str:
    """A Dockerfile that creates /blob (1 MiB of random bytes) and deletes it again,
    with no layer of the image holding its bytes."""
    raise NotImplementedError("should return a Dockerfile that creates and deletes /blob with no layer keeping its bytes")
