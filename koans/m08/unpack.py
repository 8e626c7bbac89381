"""Unpacking image layers into a root filesystem.

An image is a stack of layers; each layer is a tar archive of what changed: new
and changed files, and *whiteouts* for what was deleted — an empty file
`.wh.<name>` deletes <name> from the layers below, `.wh..wh..opq` in a
directory hides everything the layers below had in it. Read the OCI image
spec's layer.md ("Whiteouts", "Opaque Whiteout", "Hardlinks") and tarfile's docs.

A layer comes from somewhere else: treat its contents as hostile.
"""
from __future__ import annotations

import hashlib  # noqa: F401 - the layer's digest
import tarfile  # noqa: F401 - the archive format of a layer


class LayerError(Exception):
    """The layer is refused (with a message saying why); nothing was written outside `target`."""


def apply_layer(layer: str, target: str, digest: str | None = None) -> None:
    """Apply the tar file `layer` on top of the tree at `target`, as the next layer up.

    When `digest` ("sha256:<hex>") is given, the layer must be exactly those bytes.
    Raise LayerError for a layer that would write outside `target` (by its names, its
    links or through a symlink), holds a device node, or does not match its digest.
    """
    raise NotImplementedError("should apply one layer's files and whiteouts onto the tree, "
                              "and refuse layers that are unsafe or not the expected bytes")
