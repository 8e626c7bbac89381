"""Wasted bytes: what an image's layers store that its final filesystem no longer shows.

Reference twin of koans/m03/waste.py.
"""
from __future__ import annotations

import gzip
import io
import json
import posixpath
import tarfile


def layers_of(saved: str) -> list[list[tarfile.TarInfo]]:
    """The members of each layer tar of a `docker save` archive, bottom layer first."""
    out = []
    with tarfile.open(saved) as archive:
        fh = archive.extractfile("manifest.json")
        assert fh is not None
        for path in json.load(fh)[0]["Layers"]:
            blob = archive.extractfile(path)
            assert blob is not None
            data = blob.read()
            data = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
            with tarfile.open(fileobj=io.BytesIO(data)) as layer:
                out.append(layer.getmembers())
    return out


def wasted_bytes(saved: str) -> dict[str, int]:
    """{path: bytes stored in some layer but hidden by a later one}."""
    live: dict[str, int] = {}  # path -> size of the regular file the layers so far show
    wasted: dict[str, int] = {}

    def bury(path: str, below: bool = True) -> None:
        """Everything live at path (and, when below, under it) is hidden from now on."""
        for p in [p for p in live if p == path or (below and p.startswith(path + "/"))]:
            wasted[p] = wasted.get(p, 0) + live.pop(p)

    for members in layers_of(saved):
        # Whiteouts hide the LOWER layers: apply them before this layer's own files.
        for m in members:
            head, base = posixpath.split(m.name.removeprefix("./"))
            if base == ".wh..wh..opq":
                for p in [p for p in live if p.startswith(head + "/")]:
                    wasted[p] = wasted.get(p, 0) + live.pop(p)
            elif base.startswith(".wh."):
                bury(posixpath.join(head, base[4:]), below=False)
        for m in members:
            name = m.name.removeprefix("./").rstrip("/")
            if posixpath.basename(name).startswith(".wh."):
                continue
            bury(name, below=not m.isdir())  # a directory merges; anything else replaces
            if m.isfile():
                live[name] = m.size
    return wasted
