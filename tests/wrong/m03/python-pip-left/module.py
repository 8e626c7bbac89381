"""The four languages' images: where each one's build context is. Given: nothing to write here.

The koans (koans/m03/test_language_images.py) build `<lang>/Dockerfile` with `<lang>/`
as the build context, offline, with two build args:

- TOOLCHAIN: the build stage's base, made from this machine's own packages
  (kernel-koans/toolchain-go, -java, -node, -python: compilers, jlink, tsc, pip);
- RUNTIME: a base for the final stage (kernel-koans/python for Python,
  kernel-koans/cc, busybox plus the C/C++ runtime libraries, for Java and Node).
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = ("go", "java", "python", "node")
PORT = 8080
"""Every service listens here and answers GET /hello?name=NAME with JSON {"lang", "hello"}."""


def context(lang: str) -> Path:
    """The build context (and Dockerfile) of one language's image."""
    if lang not in LANGS:
        raise ValueError(f"no image for {lang!r}: the project has {', '.join(LANGS)}")
    return HERE / lang
