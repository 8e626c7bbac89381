"""An OCI image layout, written by hand: blobs named by their digest, a manifest, a config, an index.

Reference twin of koans/m03/oci_layout.py.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def put_blob(dest: str, data: bytes, media_type: str) -> dict[str, object]:
    """Store data under blobs/sha256/<hex of its own bytes>; return its descriptor."""
    digest = sha256(data)
    with open(os.path.join(dest, "blobs", "sha256", digest.split(":", 1)[1]), "wb") as f:
        f.write(data)
    return {"mediaType": media_type, "digest": digest, "size": len(data)}


def write_layout(dest: str, layer: bytes, cmd: list[str], tag: str, compress: bool,
                 labels: dict[str, str]) -> None:
    """One-layer image at dest, tagged `tag` in index.json."""
    os.makedirs(os.path.join(dest, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(dest, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    # diff_id names the UNCOMPRESSED tar (what the engine stacks); the digest names the blob
    # as stored (what a registry serves). Without compression they are the same.
    diff_id = sha256(layer)
    stored = gzip.compress(layer, mtime=0) if compress else layer
    layer_desc = put_blob(dest, stored, LAYER + ("+gzip" if compress else ""))
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Cmd": cmd, "Labels": labels},
              "rootfs": {"type": "layers", "diff_ids": [diff_id]},
              "history": [{"created_by": "kernel-koans: written by hand"}]}
    config_desc = put_blob(dest, json.dumps(config).encode(), CONFIG)
    manifest = {"schemaVersion": 2, "mediaType": MANIFEST, "config": config_desc, "layers": [layer_desc]}
    manifest_desc = put_blob(dest, json.dumps(manifest).encode(), MANIFEST)
    with open(os.path.join(dest, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [manifest_desc]}, f)
