"""Minimal images: an image needs exactly the files its program opens, and nothing else.

`FROM scratch` is the empty image. See https://docs.docker.com/build/building/base-images/
and ld.so(8), ldd(1).
"""
from __future__ import annotations


def scratch_dockerfile() -> str:
    """A Dockerfile (the whole text) for an image made FROM scratch that holds only the
    static binary `busybox` (it is in the build context, at its root) and runs it as the
    ENTRYPOINT, so `docker run IMAGE echo hi` prints hi (busybox runs the applet named by
    its first argument)."""
    raise NotImplementedError("should return a Dockerfile for an image holding only busybox, run as its entrypoint")


def runtime_files(binary: str) -> list[str]:
    """Absolute paths of the files a dynamically linked `binary` needs to start: the
    binary itself, its program interpreter (the dynamic loader) and every shared library
    it loads. The koan copies each to the same path in a FROM scratch image and runs it."""
    raise NotImplementedError("should return every file the dynamic binary needs to start")
