"""An image is files: `docker save` writes a tarball of a manifest, a config and layer tars.

Open the archive with `tarfile`, start at manifest.json and follow it. The digests
are content addresses: "sha256:" + the hex SHA-256 of the bytes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SavedImage:
    """What one image in a `docker save` archive is made of."""

    config_digest: str        # "sha256:<hex>" of the config file's bytes, as stored
    config: dict[str, Any]    # that config file, parsed
    layer_digests: list[str]  # "sha256:<hex>" of each uncompressed layer tar, bottom first


def read_saved_image(archive: bytes) -> SavedImage:
    """Read the one image in a `docker save` archive (the tarball's bytes).

    manifest.json is a JSON list with one entry per image; each entry names the
    path of its "Config" file and the paths of its "Layers" inside the archive.
    (Engines with the containerd image store may keep a layer gzip-compressed: its
    digest is still taken over the uncompressed tar.)
    """
    raise NotImplementedError("should return the image a `docker save` archive holds: its config and layers")
