"""M3 · Image size: bytes a layer stores that the final image no longer shows.

The koan builds an image whose steps overwrite a file, delete a directory, replace a
directory, delete a file from an earlier step and make-and-delete a temporary file in
one step — random names, random sizes — and compares your count with two readings
of its own: the layers' bytes minus the final filesystem's (`docker export`), and the
sizes the engine reports.
"""
from __future__ import annotations

import io
import random
import secrets
import tarfile
from typing import Any

import pytest

from kernel_koans import exercise, koan, saved_image

waste = exercise("m03/waste")

KIB = 1024
SLACK = 64 * KIB


def regular_bytes(tar_bytes: bytes, top: str) -> int:
    """Bytes of the regular files under top/ in a tar (the engine's own /etc/hosts & co. aside)."""
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        return sum(m.size for m in tar.getmembers() if m.isfile() and m.name.removeprefix("./").startswith(top + "/"))


def stored_bytes(layers: list[saved_image.Layer], top: str) -> int:
    """Bytes of the regular files under top/ that the layers store, hidden or not."""
    return sum(len(data) for layer in layers for path, data in layer.items() if path.startswith(top + "/"))


@pytest.mark.timeout(120)
@koan(man="the OCI image spec (layer.md: Changesets, Whiteouts), https://github.com/wagoodman/dive",
      hints=["Walk the layers bottom up keeping which regular file each path shows now. What hides "
             "it: a newer file at the same path, `.wh.<name>`, `.wh..wh..opq` in a directory above?",
             "A `.wh.<name>` hides <name> AND everything under it; `.wh..wh..opq` hides what lower "
             "layers had in its directory (not this layer's own files). Apply a layer's whiteouts "
             "before its files; a file deleted in the step that made it is in no layer at all."],
      needs=["docker"])
def test_wasted_bytes_are_the_layers_minus_the_final_tree(docker_client, busybox_image, docker_cleanup,
                                                           scratch) -> None:
    """`RUN rm` never shrinks an image: the bytes stay in the layer below. Knowing which paths
    waste how much is how you decide which steps to merge or reorder."""
    top = "kk-" + secrets.token_hex(4)
    size = {key: random.randrange(100, 400) * KIB + random.randrange(KIB) for key in
            ("a1", "a2", "x", "y", "old", "new", "gone", "tmp")}

    def make(path: str, key: str) -> str:
        return f"head -c {size[key]} /dev/urandom > /{top}/{path}"

    dockerfile = (f"FROM {busybox_image}\n"
                  f"RUN mkdir -p /{top}/d /{top}/keep && {make('a', 'a1')} && {make('d/x', 'x')} && "
                  f"{make('d/y', 'y')} && {make('keep/old', 'old')} && {make('gone', 'gone')}\n"
                  f"RUN {make('a', 'a2')}\n"
                  f"RUN rm -rf /{top}/d\n"
                  f"RUN rm -rf /{top}/keep && mkdir /{top}/keep && {make('keep/new', 'new')}\n"
                  f"RUN rm /{top}/gone && {make('tmp', 'tmp')} && rm /{top}/tmp\n")
    image, _ = docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), labels=docker_cleanup,
                                          pull=False, rm=True, forcerm=True)
    saved = scratch / "image.tar"
    saved.write_bytes(b"".join(image.save()))
    got = waste.wasted_bytes(str(saved))
    expected = {f"{top}/a": size["a1"], f"{top}/d/x": size["x"], f"{top}/d/y": size["y"],
                f"{top}/keep/old": size["old"], f"{top}/gone": size["gone"]}
    # Reading 2: every regular file the layers store under top/ is in the final tree or wasted.
    stored = stored_bytes(saved_image.layers(saved.read_bytes()), top)
    container: Any = docker_client.containers.create(image.id, labels=docker_cleanup)
    final = regular_bytes(b"".join(container.export()), top)
    assert stored - final == sum(expected.values()), (
        f"setup: the layers store {stored} bytes, the final tree {final}: {stored - final} wasted, "
        f"the koan expected {sum(expected.values())}")
    assert {p: n for p, n in dict(got).items() if n} == expected, (
        f"the layers hide {expected} (total {sum(expected.values())} = layers {stored} − final tree {final}); "
        f"wasted_bytes() said {got}")
    # Reading 3: the engine's own sizes count the hidden bytes too.
    base = docker_client.images.get(busybox_image).attrs["Size"]
    grown = image.attrs["Size"] - base
    ours = sum(size[k] for k in ("a1", "a2", "x", "y", "old", "new", "gone"))
    assert abs(grown - ours) < SLACK, (
        f"the engine says the image grew by {grown} bytes over its base: every stored version ({ours}) counts")
