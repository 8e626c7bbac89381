"""mini-run's images: an OCI image layout or a `docker save` tarball, unpacked to a rootfs.

Both formats are content-addressed: every blob is named by the sha256 of its bytes, and
the config lists the digests of the uncompressed layers (rootfs.diff_ids). Every digest is
checked before the first layer touches the target; then the layers go on bottom first.
"""
from __future__ import annotations

import hashlib
import json
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kernel_koans import exercise

unpack = exercise("m08/unpack")


class ImageError(Exception):
    """The image is refused: a digest does not match, or the layout is not one we know."""


def _check(data: bytes, digest: str, what: str) -> None:
    algorithm, _, expected = digest.partition(":")
    actual = hashlib.sha256(data).hexdigest()
    if algorithm != "sha256" or actual != expected:
        raise ImageError(f"{what} is sha256:{actual}, its reference says {digest}")


def _oci(read: Callable[[str], bytes]) -> tuple[dict[str, Any], list[tuple[bytes, str]]]:
    """(config, [(layer blob, digest)]) of an OCI layout's first manifest, all checked."""
    def blob(descriptor: dict[str, Any], what: str) -> bytes:
        algorithm, _, hexdigest = str(descriptor["digest"]).partition(":")
        data = read(f"blobs/{algorithm}/{hexdigest}")
        _check(data, descriptor["digest"], what)
        return data

    index = json.loads(read("index.json"))
    manifest = json.loads(blob(index["manifests"][0], "the manifest"))
    config = json.loads(blob(manifest["config"], "the config"))
    layers = [(blob(d, f"layer {i}"), d["digest"]) for i, d in enumerate(manifest["layers"])]
    return config, layers


def _docker(read: Callable[[str], bytes]) -> tuple[dict[str, Any], list[tuple[bytes, str]]]:
    """(config, [(layer tar, diff id)]) of a `docker save` archive, all checked."""
    [entry] = json.loads(read("manifest.json"))[:1]
    name = str(entry["Config"])
    raw = read(name)
    _check(raw, "sha256:" + Path(name).name.removesuffix(".json"), "the config")
    config = json.loads(raw)
    diff_ids = config["rootfs"]["diff_ids"]
    if len(diff_ids) != len(entry["Layers"]):
        raise ImageError("the config lists another number of layers than the archive")
    layers = []
    for i, (path, digest) in enumerate(zip(entry["Layers"], diff_ids, strict=True)):
        data = read(path)
        _check(data, digest, f"layer {i}")
        layers.append((data, digest))
    return config, layers


def unpack_image(source: Path, dest: Path) -> dict[str, Any]:
    """Unpack the image at `source` into `dest`; return its config's `config` object."""
    if source.is_dir():
        def read(name: str) -> bytes:
            return (source / name).read_bytes()
        opened = None
    else:
        opened = tarfile.open(source)

        def read(name: str) -> bytes:
            member = opened.extractfile(name)
            if member is None:
                raise ImageError(f"{name} is not a file in {source}")
            return member.read()
    try:
        names = set(opened.getnames()) if opened else {p.name for p in source.iterdir()}
        config, layers = (_oci if "index.json" in names else _docker)(read)
    except (KeyError, FileNotFoundError) as err:
        raise ImageError(f"{source} is neither an OCI layout nor a docker save archive: {err}") from err
    finally:
        if opened is not None:
            opened.close()
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kk-layers-") as work:
        for i, (data, digest) in enumerate(reversed(layers)):
            layer = Path(work) / str(i)
            layer.write_bytes(data)
            unpack.apply_layer(str(layer), str(dest), digest)
            layer.unlink()
    return dict(config.get("config") or {})
