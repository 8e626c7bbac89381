"""Supply chain: pinned digests and signatures over them (reference)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def _blob(layout: Path, descriptor: dict[str, Any]) -> bytes:
    """A blob, only if its bytes hash to the digest that names it (and have its size)."""
    algorithm, expected = descriptor["digest"].split(":", 1)
    if algorithm != "sha256":
        raise ValueError(f"unsupported digest algorithm {algorithm}")
    data = (layout / "blobs" / algorithm / expected).read_bytes()
    if hashlib.sha256(data).hexdigest() != expected:  # the content, not the file name, decides
        raise ValueError(f"blob {descriptor['digest']} does not match its digest")
    if "size" in descriptor and len(data) != descriptor["size"]:
        raise ValueError(f"blob {descriptor['digest']} has {len(data)} bytes, not {descriptor['size']}")
    return data


def pull(layout: str, digest: str) -> list[bytes]:
    """The layers of the image whose manifest has `digest`, every blob checked; ValueError if not."""
    root = Path(layout)
    # by the pinned digest, not through index.json's tags (a tag can move)
    manifest = json.loads(_blob(root, {"digest": digest}))
    _blob(root, manifest["config"])
    return [_blob(root, layer) for layer in manifest["layers"]]


def sign(digest: str, key: Ed25519PrivateKey) -> bytes:
    """An ed25519 signature over the manifest digest ("sha256:…", UTF-8)."""
    return key.sign(bytes.fromhex(digest.split(":", 1)[1]))


def verify(layout: str, digest: str, signature: bytes, key: Ed25519PublicKey) -> bool:
    """True only if the signature is over `digest` and the image's blobs all match it."""
    try:
        key.verify(signature, bytes.fromhex(digest.split(":", 1)[1]))
        pull(layout, digest)  # the signature covers the digest; the digests cover the bytes
    except (InvalidSignature, ValueError, OSError):
        return False
    return True
