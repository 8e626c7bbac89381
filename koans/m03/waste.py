"""Wasted bytes: what an image's layers store that its final filesystem no longer shows.

`docker save` writes an image as a tar: manifest.json names each layer's tar
(bottom layer first; gzip'd or not). A file a later layer overwrites or deletes
is still stored — and pulled — in the layer that added it. Tools like dive add
these bytes up. Read the OCI image spec's layer.md (Changesets, Whiteouts, Opaque
Whiteout) and tarfile's docs.
"""
from __future__ import annotations

import json  # noqa: F401 - manifest.json
import tarfile  # noqa: F401 - the archive and its layers


def wasted_bytes(saved: str) -> dict[str, int]:
    """For the `docker save` archive at `saved`: {path: bytes} of the regular files stored in
    some layer but not part of the final filesystem, because a later layer overwrote them,
    deleted them or deleted a directory above them. Paths as in the layer tars ("etc/motd");
    a path overwritten twice sums both older versions."""
    raise NotImplementedError("should add up, per path, the bytes the layers store that the final image hides")
