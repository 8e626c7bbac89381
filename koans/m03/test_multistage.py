"""M3 · Multi-stage builds: the compiler, the sources and the caches stay in a stage that is never shipped.

The koan builds your Dockerfile twice — up to the `build` stage, and whole — and
opens every layer `docker save` gives for each: what the build made, and what the
final image carries.
"""
from __future__ import annotations

import hashlib
import io
import secrets
from typing import Any

import pytest

from kernel_koans import exercise, koan, saved_image

multistage = exercise("m03/multistage")


def own_layer_files(client: Any, image: Any, base: str) -> list[dict[str, bytes]]:
    """{path: contents} of the regular files (and whiteouts) in each layer above the base's."""
    skip = len(client.images.get(base).attrs["RootFS"]["Layers"])
    return saved_image.of_image(image)[skip:]


def build_stage(client: Any, dockerfile: str, token: str, labels: dict[str, str], target: str | None = None) -> Any:
    image, _ = client.images.build(fileobj=io.BytesIO(dockerfile.encode()), buildargs={"TOKEN": token},
                                   labels=labels, pull=False, rm=True, forcerm=True,
                                   **({"target": target} if target else {}))
    return image


@pytest.mark.timeout(120)
@koan(man="https://docs.docker.com/build/building/multi-stage/, Dockerfile reference (FROM … AS, COPY --from, ARG)",
      hints=["Two FROM lines: the first stage (AS build) runs the build, the second starts clean. "
             "How does a file get from one to the other?",
             "`COPY --from=build /out/app /usr/local/bin/app` in the last stage; declare `ARG TOKEN` "
             "inside the build stage (an ARG before FROM is not in scope for RUN)."],
      needs=["docker"])
def test_the_final_image_holds_only_the_program(docker_client, busybox_image, docker_cleanup) -> None:
    """Shipping the build tools and intermediate files costs size and attack surface; a later
    `rm` cannot help (the layer below keeps them). Only a stage that never ships can. The
    source, the object and the program differ byte for byte, so the digest says which shipped."""
    token = secrets.token_hex(8)
    dockerfile = multistage.dockerfile()
    stage = build_stage(docker_client, dockerfile, token, docker_cleanup, target="build")
    built = {path: data for layer in own_layer_files(docker_client, stage, busybox_image)
             for path, data in layer.items()}
    assert {"src/app.sh", "obj/app.o", "obj/cache", "out/app"} <= set(built), (
        f"the `build` stage's layers hold {sorted(built)}: it should run BUILD (sources, objects, /out/app)")
    image = build_stage(docker_client, dockerfile, token, docker_cleanup)
    out = docker_client.containers.run(image.id, remove=True, labels=docker_cleanup).decode().strip()
    assert out == token, f"the final image printed {out!r} when run, not the build's TOKEN {token}"
    program = hashlib.sha256(built["out/app"]).hexdigest()
    shipped = [(path, hashlib.sha256(data).hexdigest()) for layer in own_layer_files(docker_client, image, busybox_image)
               for path, data in layer.items()]
    extra = [path for path, digest in shipped if digest != program]
    assert not extra, f"the final image's layers hold {extra} besides the program: the build stage's files shipped"
    assert len(shipped) == 1, f"the final image's layers hold {[p for p, _ in shipped]}: the program once, nothing else"
