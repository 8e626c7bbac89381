"""A small OCI image layout on disk (image-layout spec): blobs named by their sha256, an index.

For the supply-chain koans: the koan needs images whose every byte it knows, made
in milliseconds and without an engine, to tamper with one blob and see who notices.
"""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"


@dataclass(frozen=True)
class Image:
    """What the writer put in: digests of the manifest, config and layers, and the layers' bytes."""

    manifest: str
    config: str
    layers: tuple[str, ...]
    layer_bytes: tuple[bytes, ...]


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def blob_path(layout: Path, dig: str) -> Path:
    algorithm, hexdigest = dig.split(":", 1)
    return layout / "blobs" / algorithm / hexdigest


def _put(layout: Path, data: bytes) -> dict[str, object]:
    dig = digest(data)
    path = blob_path(layout, dig)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"digest": dig, "size": len(data)}


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def add_image(layout: Path, layers: list[dict[str, bytes]], tag: str) -> Image:
    """Write an image of `layers` (each {path: content}) into `layout`; index.json lists it
    first under `tag` (so a lookup by tag finds the newest, a pinned digest its own)."""
    (layout / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    tars = [_tar(files) for files in layers]
    descs = [{"mediaType": LAYER, **_put(layout, data)} for data in tars]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                         "rootfs": {"type": "layers", "diff_ids": [d["digest"] for d in descs]}},
                        sort_keys=True).encode()
    config_desc = {"mediaType": CONFIG, **_put(layout, config)}
    manifest = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST, "config": config_desc,
                           "layers": descs}, sort_keys=True).encode()
    manifest_desc = {"mediaType": MANIFEST, **_put(layout, manifest),
                     "annotations": {"org.opencontainers.image.ref.name": tag}}
    index_path = layout / "index.json"
    listed: list[dict[str, object]] = (json.loads(index_path.read_text())["manifests"]
                                        if index_path.exists() else [])
    index_path.write_text(json.dumps({"schemaVersion": 2, "manifests": [manifest_desc, *listed]}))
    return Image(str(manifest_desc["digest"]), str(config_desc["digest"]),
                 tuple(str(d["digest"]) for d in descs), tuple(tars))


def flip_byte(path: Path, position: int) -> None:
    """Change one byte of a file in place (its name, the old digest, stays)."""
    data = bytearray(path.read_bytes())
    data[position % len(data)] ^= 0x01
    path.write_bytes(bytes(data))
