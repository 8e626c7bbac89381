"""M1 · `docker history`: layers, the instructions that made them, and why deleting later saves nothing."""
from __future__ import annotations

import io

import pytest

from kernel_koans import exercise, koan, saved_image

history = exercise("m01/history")

MIB = 1024 * 1024
SLACK = 64 * 1024


def _build_dockerfile(client, dockerfile: str, labels: dict[str, str]):  # type: ignore[no-untyped-def]
    image, _ = client.images.build(fileobj=io.BytesIO(dockerfile.encode()), labels=labels,
                                   pull=False, rm=True, forcerm=True)
    return image


def _own_layers(client, image, base: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """History entries (newest first) above the base image's."""
    return image.history()[:len(image.history()) - len(client.images.get(base).history())]


def _blob_visible(client, image, labels: dict[str, str]) -> bool:
    container = client.containers.run(image.id, ["test", "-e", "/blob"], detach=True, labels=labels)
    return container.wait(timeout=20)["StatusCode"] == 0


@pytest.mark.timeout(60)
@koan(man="https://docs.docker.com/reference/cli/docker/image/history/",
      hints=["`docker history` lists one line per instruction with the bytes its layer added.",
             "Each RUN makes a layer holding the diff it caused; `rm` in a later layer only adds a "
             "whiteout entry, the 1 MiB stays in the earlier layer."],
      needs=["docker"])
def test_deleting_in_a_later_layer_does_not_shrink_the_image(docker_client, busybox_image, docker_cleanup):
    """Layers only stack: a file deleted by a later instruction is hidden, not gone, and every
    pull still downloads it."""
    image = _build_dockerfile(docker_client, history.wasteful_dockerfile(), docker_cleanup)
    layers = _own_layers(docker_client, image, busybox_image)
    shown = [(e["CreatedBy"][-60:], e["Size"]) for e in layers]
    big = [e for e in layers if e["Size"] >= MIB]
    assert len(layers) >= 2 and big, (
        f"docker history of your image shows {shown}: one RUN layer should add >= 1 MiB (/blob)")
    assert big[0] is not layers[0], "the layer that adds /blob is not the last: a later one deletes it"
    assert not _blob_visible(docker_client, image, docker_cleanup), "/blob must be deleted in the final image"
    extra = image.attrs["Size"] - docker_client.images.get(busybox_image).attrs["Size"]
    assert extra >= MIB, f"the engine says the image is {extra} bytes above its base: the deleted blob still counts"
    stored = [{path: len(data) for path, data in layer.items()} for layer in saved_image.of_image(image)]
    holding = [i for i, files in enumerate(stored) if files.get("blob", 0) >= MIB]
    hiding = [i for i, files in enumerate(stored) if ".wh.blob" in files]
    assert holding and hiding and hiding[-1] > holding[0], (
        f"docker save: layers {holding} hold a 1 MiB /blob and layers {hiding} carry its whiteout "
        "(.wh.blob): one layer must add /blob and a later one delete it")


@pytest.mark.timeout(60)
@koan(man="https://docs.docker.com/build/building/best-practices/#minimize-the-number-of-layers",
      hints=["A layer records the filesystem diff of its step: what if the file is gone before the step ends?",
             "`RUN dd ... of=/blob && rm /blob` in one instruction: the layer's diff has no /blob."],
      needs=["docker"])
def test_create_and_delete_in_one_step_leaves_no_bytes(docker_client, busybox_image, docker_cleanup,
                                                      scratch):
    """Temporary files (downloads, build caches, apt lists) must die in the RUN that made them,
    or the image carries them forever."""
    dockerfile = history.lean_dockerfile()
    image = _build_dockerfile(docker_client, dockerfile, docker_cleanup)
    layers = _own_layers(docker_client, image, busybox_image)
    shown = [(e["CreatedBy"][-60:], e["Size"]) for e in layers]
    blob_steps = [e for e in layers if "/blob" in e["CreatedBy"]]
    assert len(blob_steps) == 1 and "rm" in blob_steps[0]["CreatedBy"], (
        f"docker history shows {shown}: one RUN should both create and remove /blob")
    assert all(e["Size"] < SLACK for e in layers), (
        f"docker history shows {shown}: no layer of yours should hold the 1 MiB")
    assert not _blob_visible(docker_client, image, docker_cleanup), "/blob must be deleted in the final image"
    # The step's command again, with a file of the koan's bind-mounted on /blob: what it
    # writes there lands in that file, and its rm cannot unlink a mount point (EBUSY).
    created_by = blob_steps[0]["CreatedBy"]
    script = created_by[len("/bin/sh -c "):] if created_by.startswith("/bin/sh -c ") else created_by
    caught = scratch / "blob"
    caught.touch()
    probe = docker_client.containers.run(busybox_image, ["/bin/sh", "-c", script], detach=True,
                                         labels=docker_cleanup,
                                         volumes={str(caught): {"bind": "/blob", "mode": "rw"}})
    probe.wait(timeout=20)
    written = caught.stat().st_size
    assert written >= MIB, (
        f"run again with /blob caught, the step `{script[-80:]}` wrote {written} bytes to /blob: "
        "it must create the 1 MiB /blob itself before it removes it")
