"""An OCI image layout, written by hand: blobs named by their digest, a manifest, a config, an index.

An image on disk (OCI image-layout spec) is a directory:
    oci-layout            {"imageLayoutVersion": "1.0.0"}
    index.json            the entry point: descriptors of manifests, each tagged by the
                          annotation org.opencontainers.image.ref.name
    blobs/sha256/<hex>    every other file, named by the sha256 of its own bytes
A *descriptor* is {"mediaType", "digest": "sha256:<hex>", "size"}. The manifest points
at the config and the layers; the config holds the runtime settings and
rootfs.diff_ids. Read the image spec: image-layout.md, descriptor.md, manifest.md,
config.md (Layer DiffID), layer.md (media types).
"""
from __future__ import annotations

import gzip  # noqa: F401 - compressed layers
import hashlib  # noqa: F401 - digests
import json  # noqa: F401 - every document here is JSON


def write_layout(dest: str, layer: bytes, cmd: list[str], tag: str, compress: bool,
                 labels: dict[str, str]) -> None:
    """Write, in the empty directory `dest`, an OCI image layout of a one-layer linux/amd64
    image: its only layer is the tar `layer` (gzip-compressed when `compress`), its config
    runs `cmd` and carries `labels`, and index.json names its manifest with the tag `tag`."""
    raise NotImplementedError("should write an OCI image layout of a one-layer image at `dest`")
