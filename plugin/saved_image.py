"""The layers of a `docker save` archive, read the way the engine stored them.

Koans that check an image by its layers (a file one step added and a later one hid, a
build stage's files that must not ship) read them here, bottom layer first. The map is
the archive's manifest.json, never a file-name pattern: Docker before 25 saves
`<id>/layer.tar`, newer engines an OCI layout (`blobs/sha256/<digest>`), both named by
manifest.json's Layers; a gzip-compressed layer is read through.
"""
from __future__ import annotations

import gzip
import io
import json
import tarfile
from typing import Any

Layer = dict[str, bytes]
"""{path: contents} of a layer's regular files, whiteouts (`.wh.<name>`) included."""


def layers(archive: bytes) -> list[Layer]:
    """Every layer of the saved image, bottom first."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as saved:
        def read(name: str) -> bytes:
            fh = saved.extractfile(name)
            assert fh is not None, f"{name} is not a file in the saved image"
            return fh.read()

        return [_files(read(path)) for path in json.loads(read("manifest.json"))[0]["Layers"]]


def of_image(image: Any) -> list[Layer]:
    """The layers of a docker SDK image (its `docker save`)."""
    return layers(b"".join(image.save()))


def _files(blob: bytes) -> Layer:
    blob = gzip.decompress(blob) if blob[:2] == b"\x1f\x8b" else blob
    with tarfile.open(fileobj=io.BytesIO(blob)) as layer:
        out = {}
        for member in layer.getmembers():
            if member.isfile():
                fh = layer.extractfile(member)
                out[member.name.removeprefix("./")] = fh.read() if fh else b""
        return out
