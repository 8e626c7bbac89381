"""M3 · The OCI image spec: an image is a few JSON documents and tars, named by their sha256.

You write an image layout by hand; real tools are the judges: skopeo copies it into
the engine (which checks every digest and diff_id on the way), the engine runs it,
umoci unpacks it into a runtime bundle.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import secrets
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import exercise, koan

oci_layout = exercise("m03/oci_layout")

TOOL_TIMEOUT = 60


def layer_tar(busybox: str, token: str) -> bytes:
    """A layer: a static busybox at /bin/busybox and /kk/token holding `token`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in ("bin", "kk"):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        data = Path(busybox).read_bytes()
        info = tarfile.TarInfo("bin/busybox")
        info.size, info.mode = len(data), 0o755
        tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("kk/token")
        info.size, info.mode = len(token) + 1, 0o644
        tar.addfile(info, io.BytesIO(token.encode() + b"\n"))
    return buffer.getvalue()


def make_layout(scratch: Path, busybox: str, compress: bool, labels: dict[str, str]) -> tuple[Path, str, str]:
    """The learner's layout of a fresh random image: (directory, tag, token)."""
    token, tag = secrets.token_hex(12), "kk-" + secrets.token_hex(4)
    dest = scratch / "layout"
    dest.mkdir()
    oci_layout.write_layout(str(dest), layer_tar(busybox, token), ["/bin/busybox", "cat", "/kk/token"],
                            tag, compress, dict(labels))
    return dest, tag, token


def blob(layout: Path, digest: str) -> bytes:
    return (layout / "blobs" / "sha256" / digest.removeprefix("sha256:")).read_bytes()


def skopeo_into_engine(layout: Path, tag: str) -> str:
    """skopeo copy oci:LAYOUT:TAG docker-daemon:NAME — the engine loads what skopeo hands it."""
    name = f"kk-oci-{secrets.token_hex(4)}:latest"
    run = subprocess.run(["skopeo", "copy", "--quiet", f"oci:{layout}:{tag}", f"docker-daemon:{name}"],
                         capture_output=True, text=True, timeout=TOOL_TIMEOUT)
    assert run.returncode == 0, f"skopeo copy oci:…:{tag} docker-daemon:… refused your layout: {run.stderr.strip()[-600:]}"
    return name


def drop(client: Any, name: str) -> None:
    try:
        client.images.remove(name, force=True)
    except Exception:  # noqa: BLE001 - docker.errors.ImageNotFound: never loaded
        pass


@pytest.mark.timeout(90)
@koan(man="the OCI image spec: image-layout.md, manifest.md, config.md; skopeo-copy(1)",
      hints=["Start from index.json and follow the descriptors: index → manifest → config and layer. "
             "Every blob's file name is the sha256 of its own bytes.",
             "Write each blob first (its digest and size make its descriptor), config.rootfs.diff_ids = "
             "[sha256 of the layer tar], config.config.Cmd and .Labels; manifest {schemaVersion 2, "
             "mediaType, config, layers}; index.json lists the manifest's descriptor with the "
             "annotation org.opencontainers.image.ref.name = tag; oci-layout says version 1.0.0."],
      needs=["docker", "busybox", "skopeo"])
def test_a_hand_written_layout_runs_in_the_engine(docker_client, docker_cleanup, kk_host, scratch) -> None:
    """An image is content-addressed JSON and tars, nothing more: written by hand, the engine
    loads and runs it like any image it pulled."""
    layout, tag, token = make_layout(scratch, kk_host.busybox, False, docker_cleanup)
    assert json.loads((layout / "oci-layout").read_text()).get("imageLayoutVersion") == "1.0.0", (
        "oci-layout must say imageLayoutVersion 1.0.0")
    for path in (layout / "blobs" / "sha256").iterdir():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, (
            f"blobs/sha256/{path.name} does not hash to its name: a blob is named by its own bytes")
    name = skopeo_into_engine(layout, tag)
    try:
        out = docker_client.containers.run(name, remove=True, labels=docker_cleanup).decode().strip()
    finally:
        drop(docker_client, name)
    assert out == token, f"the engine ran your image and it printed {out!r}, not the token in its layer"


@pytest.mark.timeout(90)
@koan(man="the OCI image spec: config.md (Layer DiffID), descriptor.md (Digests), layer.md (media types)",
      hints=["Two hashes of one layer: which one names the blob on disk and in the manifest, and "
             "which one does the config's rootfs.diff_ids want?",
             "digest = sha256 of the bytes stored (the gzip), mediaType …tar+gzip; diff_id = sha256 "
             "of the uncompressed tar. The engine recomputes the diff_id after decompressing."],
      needs=["docker", "busybox", "skopeo"])
def test_a_compressed_layer_has_a_digest_and_a_diff_id(docker_client, docker_cleanup, kk_host, scratch) -> None:
    """A registry serves compressed blobs (named by digest); the engine stacks uncompressed tars
    (named by diff_id). `docker inspect`'s RootFS.Layers are diff_ids, never digests."""
    layout, tag, token = make_layout(scratch, kk_host.busybox, True, docker_cleanup)
    index = json.loads((layout / "index.json").read_text())
    manifest = json.loads(blob(layout, index["manifests"][0]["digest"]))
    config = json.loads(blob(layout, manifest["config"]["digest"]))
    layer = manifest["layers"][0]
    stored = blob(layout, layer["digest"])
    assert stored[:2] == b"\x1f\x8b" and layer["mediaType"].endswith("+gzip"), (
        f"the layer blob should be gzip and say so in its mediaType ({layer['mediaType']})")
    diff_id = "sha256:" + hashlib.sha256(gzip.decompress(stored)).hexdigest()
    assert config["rootfs"]["diff_ids"] == [diff_id] != [layer["digest"]], (
        f"the config's diff_ids {config['rootfs']['diff_ids']}: the uncompressed tar hashes to {diff_id}, "
        f"the blob to {layer['digest']}")
    name = skopeo_into_engine(layout, tag)
    try:
        layers = docker_client.images.get(name).attrs["RootFS"]["Layers"]
        out = docker_client.containers.run(name, remove=True, labels=docker_cleanup).decode().strip()
    finally:
        drop(docker_client, name)
    assert layers == [diff_id], f"docker inspect's RootFS.Layers are {layers}: the uncompressed tar's sha256"
    assert out == token, f"the engine ran your image and it printed {out!r}, not the token in its layer"


@pytest.mark.timeout(90)
@koan(man="umoci-unpack(1), the OCI image spec, the OCI runtime spec (config.md)",
      hints=["umoci reads the same layout and writes a runtime bundle: rootfs/ plus config.json. "
             "It checks every size and digest it reads.",
             "The size in a descriptor is the length of the blob as stored, in bytes."],
      needs=["root", "busybox", "umoci"])
def test_umoci_unpacks_the_layout_into_a_bundle(kk_host, scratch) -> None:
    """The image spec is shared: a second, independent implementation turns your layout into
    the bundle runc would run — the image's files as rootfs/, its config as config.json."""
    layout, tag, token = make_layout(scratch, kk_host.busybox, True, {"kernel-koans": "1"})
    bundle = scratch / "bundle"
    run = subprocess.run(["umoci", "unpack", "--image", f"{layout}:{tag}", str(bundle)],
                         capture_output=True, text=True, timeout=TOOL_TIMEOUT)
    assert run.returncode == 0, f"umoci unpack refused your layout: {run.stderr.strip()[-600:]}"
    assert (bundle / "rootfs" / "kk" / "token").read_text() == token + "\n", "rootfs/kk/token is not the layer's"
    args = json.loads((bundle / "config.json").read_text())["process"]["args"]
    assert args == ["/bin/busybox", "cat", "/kk/token"], f"umoci's config.json runs {args}: the image's Cmd"
