"""Dockerfile tuning: put what changes rarely first, so a code change rebuilds little.

Reference twin of koans/m06/layer_order.py.
"""
from __future__ import annotations

# Each step's cache key is its parent plus its own text (plus, for COPY, the copied
# files' contents; for RUN, the build arguments in scope). The dependencies go in
# first and are installed before the source arrives; the ARG that changes on every
# build is declared only where it is used, after the install.
DOCKERFILE = """\
FROM kernel-koans/busybox
WORKDIR /app
ARG GIT_SHA
COPY deps.txt install-deps.sh ./
RUN sh install-deps.sh
COPY src/ ./src/
ARG GIT_SHA
RUN echo "$GIT_SHA" > VERSION
CMD ["sh", "/app/src/app.sh"]
"""


def dockerfile() -> str:
    """The Dockerfile text for the app: dependencies first, source after, the ARG last."""
    return DOCKERFILE
