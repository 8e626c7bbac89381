"""M1 · What an image is: a config and a stack of layer tarballs, named by their digests."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import time

from kernel_koans import build_context, exercise, koan

image_files = exercise("m01/image_files")


def _small_image(client, base: str, labels: dict[str, str]):  # type: ignore[no-untyped-def]
    """FROM the busybox base, one COPY layer and one RUN layer; random bytes keep it unique."""
    dockerfile = (f"FROM {base}\nCOPY data.bin /data.bin\nRUN echo built > /built\n"
                  'CMD ["cat", "/built"]\n').encode()
    context = build_context.tar({"Dockerfile": dockerfile, "data.bin": os.urandom(4096)}, mtime=int(time.time()))
    image, _ = client.images.build(fileobj=context,
                                   custom_context=True, labels=labels, pull=False, rm=True, forcerm=True)
    return image


def _disguised(archive: bytes, bogus_diff_ids: bool = False) -> tuple[bytes, bytes]:
    """The same archive with its config file renamed (its name no longer tells its digest)
    and, optionally, the config's rootfs.diff_ids replaced by wrong ones (the layers can only
    be named by hashing them). Returns (new archive, the config bytes it now holds)."""
    members: list[tuple[tarfile.TarInfo, bytes | None]] = []
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for info in tar.getmembers():
            fh = tar.extractfile(info) if info.isfile() else None
            members.append((info, fh.read() if fh is not None else None))
    files = {info.name: data for info, data in members if data is not None}
    manifest = json.loads(files["manifest.json"])
    old_name = manifest[0]["Config"]
    config = files[old_name]
    if bogus_diff_ids:
        parsed = json.loads(config)
        parsed["rootfs"]["diff_ids"] = ["sha256:" + hashlib.sha256(d.encode()).hexdigest()
                                        for d in parsed["rootfs"]["diff_ids"]]
        config = json.dumps(parsed).encode()
    manifest[0]["Config"] = "kk-config.json"
    added = {"manifest.json": json.dumps(manifest).encode(), "kk-config.json": config}
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for info, data in members:
            if info.name not in (old_name, *added):
                tar.addfile(info, io.BytesIO(data) if data is not None else None)
        for name, data in added.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue(), config


def _gzipped(archive: bytes) -> bytes:
    """The same archive with every layer tar gzip-compressed and stored under the digest of
    its compressed bytes, as registries store them (docker load reads it too): a layer's
    file name and its compressed digest are no longer its diff_id. The OCI index is left
    out, so manifest.json is the only map."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        files = {info.name: fh.read() for info in tar.getmembers()
                 if info.isfile() and (fh := tar.extractfile(info)) is not None}
    manifest = json.loads(files["manifest.json"])
    renamed: dict[str, str] = {}
    for layer in manifest[0]["Layers"]:
        if layer not in renamed:
            blob = gzip.compress(files.pop(layer), mtime=0)
            renamed[layer] = f"blobs/sha256/{hashlib.sha256(blob).hexdigest()}"
            files[renamed[layer]] = blob
    manifest[0]["Layers"] = [renamed[layer] for layer in manifest[0]["Layers"]]
    files["manifest.json"] = json.dumps(manifest).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in files.items():
            if name in ("index.json", "oci-layout"):
                continue
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _containerd_store(client) -> bool:  # type: ignore[no-untyped-def]
    """Engines using the containerd image store name images by manifest, not config."""
    status = client.info().get("DriverStatus") or []
    return any("containerd.snapshotter" in str(value) for _, value in status)


@koan(man="https://docs.docker.com/reference/cli/docker/image/save/",
      hints=["manifest.json names the config file. What is the image ID a hash of?",
             "The image ID is 'sha256:' + sha256 of the config file's exact bytes: hash what you read, "
             "do not re-serialise the JSON."],
      needs=["docker"])
def test_image_id_is_the_digest_of_its_config(docker_client, busybox_image, docker_cleanup):
    """An image ID is not a random number: it is the SHA-256 of the image's config JSON,
    so the same config always has the same ID, on any machine."""
    image = _small_image(docker_client, busybox_image, docker_cleanup)
    archive = b"".join(image.save())
    saved = image_files.read_saved_image(archive)
    if _containerd_store(docker_client):
        # With the containerd image store the ID is the manifest's digest; the config
        # still lives in the archive under its own digest (blobs/sha256/<hex>).
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            fh = tar.extractfile("manifest.json")
            assert fh is not None
            config_path = json.loads(fh.read())[0]["Config"]
        assert saved.config_digest.removeprefix("sha256:") in config_path, (
            f"the archive stores the config under its digest ({config_path}); "
            f"read_saved_image gave {saved.config_digest}")
    else:
        assert saved.config_digest == image.id, (
            f"the engine names this image {image.id}, the digest of its config file; "
            f"read_saved_image gave {saved.config_digest}")
    assert saved.config.get("config", {}).get("Cmd") == image.attrs["Config"]["Cmd"], (
        "the saved config's config.Cmd is what the engine's inspect shows as Config.Cmd "
        f"({image.attrs['Config']['Cmd']})")
    # The same archive with the config stored as kk-config.json: its name says nothing now.
    renamed, config = _disguised(archive)
    digest = "sha256:" + hashlib.sha256(config).hexdigest()
    again = image_files.read_saved_image(renamed).config_digest
    assert again == digest, (
        f"with the config file renamed kk-config.json, its bytes still hash to {digest}; "
        f"read_saved_image gave {again}: hash the file, do not read its name")


@koan(man="https://github.com/opencontainers/image-spec/blob/main/config.md",
      hints=["Each entry of manifest.json's Layers is a tar inside the tar. Hash its bytes.",
             "The digest of each uncompressed layer tar is its diff_id: the engine lists them, "
             "bottom first, as RootFS.Layers."],
      needs=["docker"])
def test_layers_are_tarballs_named_by_their_digest(docker_client, busybox_image, docker_cleanup):
    """A layer is a tarball of the files one build step changed; its SHA-256 (the diff_id) is its
    name, which is how two images share the same layer on disk.

    Not told apart here: which compressions a reader knows (only gzip is used)."""
    image = _small_image(docker_client, busybox_image, docker_cleanup)
    archive = b"".join(image.save())
    saved = image_files.read_saved_image(archive)
    expected = image.attrs["RootFS"]["Layers"]
    assert saved.layer_digests == expected, (
        f"the engine lists {len(expected)} layers (RootFS.Layers, bottom first) = {expected}; "
        f"read_saved_image gave {saved.layer_digests}")
    assert saved.config.get("rootfs", {}).get("diff_ids") == expected, (
        "the saved config's rootfs.diff_ids lists the same layer digests")
    # The same layer tars under a config whose diff_ids are wrong: only hashing them tells.
    tampered, _ = _disguised(archive, bogus_diff_ids=True)
    hashed = image_files.read_saved_image(tampered).layer_digests
    assert hashed == expected, (
        f"the layer tars hash to {expected} whatever the config claims; with its diff_ids "
        f"replaced, read_saved_image gave {hashed}: hash each layer tar, do not copy diff_ids")
    # The same image with gzip'd layer blobs: a diff_id is the digest of the uncompressed tar.
    unzipped = image_files.read_saved_image(_gzipped(tampered)).layer_digests
    assert unzipped == expected, (
        f"with each layer stored gzip-compressed (and named by the compressed digest), the "
        f"uncompressed tars still hash to {expected}; read_saved_image gave {unzipped}")
