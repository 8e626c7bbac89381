"""A multi-stage build: compile in one stage, ship only the result from another.

Reference twin of koans/m03/multistage.py.
"""
from __future__ import annotations

BASE = "kernel-koans/busybox"
BUILD = ("mkdir -p /src /obj /out && printf '#!/bin/sh\\necho %s\\n' \"$TOKEN\" > /src/app.sh "
         "&& { cat /src/app.sh; echo '# compiled'; } > /obj/app.o "
         "&& dd if=/dev/urandom of=/obj/cache bs=1024 count=256 "
         "&& { cat /obj/app.o; echo '# linked'; } > /out/app && chmod 755 /out/app")
"""The build: sources in /src, intermediate files in /obj, the program at /out/app."""


def dockerfile() -> str:
    """Build in a `build` stage, copy only /out/app into a fresh stage."""
    # An ARG is scoped to the stage that declares it: the build stage needs its own.
    return (f"FROM {BASE} AS build\n"
            "ARG TOKEN\n"
            f"RUN {BUILD}\n"
            f"FROM {BASE}\n"
            "COPY --from=build /out/app /usr/local/bin/app\n"
            'CMD ["app"]\n')
