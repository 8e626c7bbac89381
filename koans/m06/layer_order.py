"""Dockerfile tuning: put what changes rarely first, so a code change rebuilds little.

The koan's app, in the build context it writes:

    deps.txt          the dependencies, one a line (they change rarely)
    install-deps.sh   installs what deps.txt lists into /opt/deps; run it from the
                      directory that holds deps.txt. Slow, like any real install
    src/              the program (it changes on every commit); src/app.sh starts it
    README.md, tests/ not needed at run time

The image: based on kernel-koans/busybox; /app holds deps.txt, install-deps.sh and
src/; `sh install-deps.sh` ran there; /app/VERSION holds the build argument GIT_SHA
(CI passes a new one on every build); the default command is `sh /app/src/app.sh`.

Read https://docs.docker.com/build/cache/ and the Dockerfile reference for COPY,
RUN, ARG and CMD.
"""
from __future__ import annotations


def dockerfile() -> str:
    """The Dockerfile text for the app above (the koan writes it next to the context)."""
    raise NotImplementedError("should return a Dockerfile that builds the app so a source change rebuilds little")
