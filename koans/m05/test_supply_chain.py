"""M5 · Supply chain: a pinned digest names exact bytes; a signature over it vouches for them.

Your code (m05/supply.py) reads an OCI image layout the koan wrote, by a pinned manifest
digest, and signs and verifies with ed25519 (the `cryptography` package). The koan flips
one byte in one blob at a time and sees whether your code notices.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kernel_koans import exercise, koan, ocilayout

supply = exercise("m05/supply")


def two_images(layout: Path) -> tuple[ocilayout.Image, ocilayout.Image]:
    """The image the koan pins, then a newer one under the same tag (index.json lists it first)."""
    pinned = ocilayout.add_image(layout, [{"etc/kk-release": os.urandom(8).hex().encode()},
                                          {"app/run": os.urandom(64)}], tag="latest")
    newer = ocilayout.add_image(layout, [{"etc/kk-release": b"newer"}], tag="latest")
    return pinned, newer


def tampered_blobs(image: ocilayout.Image) -> dict[str, str]:
    return {"manifest": image.manifest, "config": image.config,
            **{f"layer {n}": d for n, d in enumerate(image.layers)}}


@koan(man="https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests",
      hints=["The blob's file name is the digest it claims. Who checks that its bytes agree?",
             "Read blobs/sha256/<hex> for the pinned manifest, then its config and each layer; "
             "hashlib.sha256(data).hexdigest() must equal <hex> for every one (ValueError if not)."],
      needs=[])
def test_a_pinned_digest_refuses_a_tampered_blob(scratch: Path) -> None:
    """image@sha256:… names bytes, not a tag that can move; every blob below the manifest is
    named by its own digest, so one changed byte anywhere is caught, if the puller checks."""
    pinned, _ = two_images(scratch)
    layers = supply.pull(str(scratch), pinned.manifest)
    assert list(layers) == list(pinned.layer_bytes), (
        "pull returned other layers than the pinned image's (followed the tag in index.json?)")
    for what, dig in tampered_blobs(pinned).items():
        path = ocilayout.blob_path(scratch, dig)
        original = path.read_bytes()
        ocilayout.flip_byte(path, random.randrange(len(original)))
        try:
            refused = False
            supply.pull(str(scratch), pinned.manifest)
        except ValueError:
            refused = True
        finally:
            path.write_bytes(original)
        assert refused, f"pull accepted the image with one byte of its {what} changed"


@koan(man="https://cryptography.io/en/latest/hazmat/primitives/asymmetric/ed25519/",
      hints=["A signature vouches for the string it signed. What makes the digest string vouch "
             "for the layers?",
             "sign: key.sign(digest.encode()). verify: key.verify(signature, digest.encode()) "
             "(InvalidSignature when bad), then pull(layout, digest) to check every blob; False "
             "on either failure."],
      needs=[])
def test_a_signature_over_the_digest_vouches_for_every_byte(scratch: Path) -> None:
    """Signing tools (cosign, notation) sign the manifest digest, not the gigabytes: the digest
    chain carries the signature down to every byte, and one changed byte breaks it."""
    pinned, _ = two_images(scratch)
    key = Ed25519PrivateKey.generate()
    signature = supply.sign(pinned.manifest, key)
    try:
        key.public_key().verify(signature, pinned.manifest.encode())
    except InvalidSignature:
        raise AssertionError("the signature is not an ed25519 signature over the digest string") from None
    assert supply.verify(str(scratch), pinned.manifest, signature, key.public_key()), (
        "verify rejected the untouched image with its own signature")
    for what, dig in tampered_blobs(pinned).items():
        path = ocilayout.blob_path(scratch, dig)
        original = path.read_bytes()
        ocilayout.flip_byte(path, random.randrange(len(original)))
        try:
            accepted = supply.verify(str(scratch), pinned.manifest, signature, key.public_key())
        finally:
            path.write_bytes(original)
        assert not accepted, f"verify accepted the image with one byte of its {what} changed"
    bad = bytearray(signature)
    bad[random.randrange(len(bad))] ^= 0x01
    assert not supply.verify(str(scratch), pinned.manifest, bytes(bad), key.public_key()), (
        "verify accepted a signature with one byte changed")
    stranger = Ed25519PrivateKey.generate().public_key()
    assert not supply.verify(str(scratch), pinned.manifest, signature, stranger), (
        "verify accepted the signature with someone else's public key")
