"""A multi-stage build: compile in one stage, ship only the result from another.

A Dockerfile may have several FROM lines; each starts a *stage*, and
`COPY --from=<stage>` takes files out of an earlier one. Only the last stage
becomes the image. Read https://docs.docker.com/build/building/multi-stage/ and
the ARG section of the Dockerfile reference (where an ARG is in scope).
"""
from __future__ import annotations

BASE = "kernel-koans/busybox"
BUILD = ("mkdir -p /src /obj /out && printf '#!/bin/sh\\necho %s\\n' \"$TOKEN\" > /src/app.sh "
         "&& { cat /src/app.sh; echo '# compiled'; } > /obj/app.o "
         "&& dd if=/dev/urandom of=/obj/cache bs=1024 count=256 "
         "&& { cat /obj/app.o; echo '# linked'; } > /out/app && chmod 755 /out/app")
"""The build, a shell command: it writes sources to /src, intermediate files to /obj and
the program to /out/app, a script that prints the build argument TOKEN."""


def dockerfile() -> str:
    """A whole Dockerfile (a str): a stage named `build`, FROM BASE, runs BUILD with the build
    argument TOKEN; the final image, FROM BASE too, runs the program by default (CMD) and
    holds none of the build's other files in any of its layers."""
    raise NotImplementedError("should return a Dockerfile that builds in one stage and ships only the program")
