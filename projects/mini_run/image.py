"""mini-run's images: an OCI image layout or a `docker save` tarball, unpacked to a rootfs.

An OCI layout (image-layout.md) is a directory: `index.json` points at a manifest blob,
the manifest at a config blob and the layer blobs, all under `blobs/sha256/<digest>`.
`docker save` writes a tar with `manifest.json` (Config, Layers) instead. Either way the
config's `rootfs.diff_ids` and every blob name are sha256 digests of the bytes: an image
is only what its digests say it is. Apply the layers with your M8 unpacker
(`exercise("m08/unpack")`, koans/m08/unpack.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kernel_koans import exercise

unpack = exercise("m08/unpack")


class ImageError(Exception):
    """The image is refused: a digest does not match, or the layout is not one we know."""


def unpack_image(source: Path, dest: Path) -> dict[str, Any]:
    """Unpack the image at `source` (an OCI layout directory or a `docker save` tar) into
    `dest`, layers in order; return the image config's `config` object (Entrypoint, Cmd,
    Env, WorkingDir, User). Raise ImageError, before writing anything, for a blob whose
    bytes do not match its digest."""
    raise NotImplementedError("should unpack an OCI layout or a docker save archive into "
                              "dest, its digests checked, and return the image's config")
