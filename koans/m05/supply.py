"""Supply chain: an image is its digests; pin them, sign them, check them.

Read the OCI image-layout and manifest specs (https://github.com/opencontainers/image-spec:
image-layout.md, manifest.md, descriptor.md: digests) and the `cryptography` package's
Ed25519 docs. A layout is a directory: oci-layout, index.json, blobs/sha256/<hex>.
"""
from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def pull(layout: str, digest: str) -> list[bytes]:
    """The layers (tar bytes, in order) of the image in the OCI layout directory `layout` whose
    manifest has the pinned digest `digest` ("sha256:…"). Raise ValueError if any blob on the
    way does not match the digest that names it."""
    raise NotImplementedError("should return the layers of the pinned image, refusing any blob that does not match")


def sign(digest: str, key: Ed25519PrivateKey) -> bytes:
    """A signature, with `key`, over the manifest digest string `digest` (its UTF-8 bytes)."""
    raise NotImplementedError("should sign the manifest digest")


def verify(layout: str, digest: str, signature: bytes, key: Ed25519PublicKey) -> bool:
    """Whether the image `digest` in `layout` is the one `signature` (by `key`'s owner) vouches
    for: True only if the signature is good AND the image's bytes are the ones it covers."""
    raise NotImplementedError("should say whether the signature and the image's bytes both hold")
