"""An image is files: `docker save` writes a tarball of a manifest, a config and layer tars.

Reference twin of koans/m01/image_files.py.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SavedImage:
    """What one image in a `docker save` archive is made of."""

    config_digest: str        # "sha256:<hex>" of the config file's bytes, as stored
    config: dict[str, Any]    # that config file, parsed
    layer_digests: list[str]  # "sha256:<hex>" of each uncompressed layer tar, bottom first


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def uncompressed(blob: bytes) -> bytes:
    """A layer's diff_id is the digest of its *uncompressed* tar; some engines store gzip blobs."""
    return gzip.decompress(blob) if blob[:2] == b"\x1f\x8b" else blob


def read_saved_image(archive: bytes) -> SavedImage:
    """Follow manifest.json to the config and the layers of the (single) saved image."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        def member(name: str) -> bytes:
            fh = tar.extractfile(name)
            assert fh is not None, f"{name} is not a regular file in the archive"
            return fh.read()

        # manifest.json lists one entry per image: where its config and its layers are.
        # The same code reads the legacy layout (<id>.json, <id>/layer.tar) and the OCI
        # layout newer engines write (blobs/sha256/<hex>): follow the paths, don't guess them.
        entry = json.loads(member("manifest.json"))[0]
        raw_config = member(entry["Config"])
        # Hash the bytes as stored: re-serialising the JSON would change them.
        layers = [sha256(member(path)) for path in entry["Layers"]]
    return SavedImage(sha256(raw_config), json.loads(raw_config), layers)
