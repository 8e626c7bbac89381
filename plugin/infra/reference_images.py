"""The M3 project's four language images as the reference twins build them, for M6's benchmark.

A benchmark compares images, not the learner's Dockerfiles: it must have all four to measure
whatever the learner's M3 progress. So these are built from solutions/projects/images/<lang>
(never the learner's side) on the toolchain bases (kernel_koans.infra.toolchain_images) and kept
between runs like kernel-koans/busybox (CACHED_LABEL). A label holds the digest of what went
in (the context's files and the bases' image ids): a changed twin or base is built again.
M3's `language_image` uses the kept image when the run's side is byte for byte the twin
(with --solutions, say): the same inputs, so the same image, built once.

  kernel-koans/m3-go, -java, -python, -node
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from kernel_koans import docker_objects, paths

LANGS = ("go", "java", "python", "node")
TAGS = {lang: f"kernel-koans/m3-{lang}:latest" for lang in LANGS}
DIGEST_LABEL = f"{paths.DOCKER_LABEL}.digest"
"""sha256 of the build's inputs: the context's files and the build args' image ids."""


def context(lang: str) -> Path:
    """The twin's build context (and Dockerfile) of one language's image."""
    if lang not in TAGS:
        raise ValueError(f"no image for {lang!r}: the project has {', '.join(LANGS)}")
    return paths.repo_root() / "solutions" / "projects" / "images" / lang


def files_digest(top: Path) -> str:
    """A build context's paths and bytes as one digest (not their mtimes: a fresh checkout
    is the same context)."""
    h = hashlib.sha256()
    for path in sorted(p for p in top.rglob("*") if p.is_file()):
        h.update(path.relative_to(top).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def same_context(lang: str, top: Path) -> bool:
    """Whether `top` holds exactly the twin's context of `lang` (same names, same bytes)."""
    return top.is_dir() and files_digest(top) == files_digest(context(lang))


def digest(client: Any, lang: str, args: dict[str, str]) -> str:
    """What the image is made of, as one digest: the twin's context, and the id of each
    base image the build args name."""
    h = hashlib.sha256(files_digest(context(lang)).encode())
    for name, tag in sorted(args.items()):
        h.update(f"{name}={client.images.get(tag).id}\0".encode())
    return h.hexdigest()


def _current(client: Any, tag: str, want: str) -> bool:
    """Whether `tag` exists and was built from the inputs `want` digests; a stale one is removed."""
    try:
        img = client.images.get(tag)
    except Exception:  # noqa: BLE001 - docker.errors.ImageNotFound
        return False
    if (img.labels or {}).get(DIGEST_LABEL) == want:
        return True
    client.images.remove(img.id, force=True)
    return False


def ensure(client: Any, lang: str, args: dict[str, str]) -> str:
    """`kernel-koans/m3-<lang>`, built from the twin's context with `args` (TOOLCHAIN, RUNTIME)
    unless an image of the same inputs is kept; its build stages removed."""
    tag = TAGS[lang]
    want = digest(client, lang, args)
    if _current(client, tag, want):
        return tag
    docker_objects.announce_kept_build(tag)
    labels = {**docker_objects.LABELS, docker_objects.CACHED_LABEL: tag, DIGEST_LABEL: want}
    with docker_objects.build_stages_removed(client):
        client.images.build(fileobj=io.BytesIO(docker_objects.tar_directory(context(lang))),
                            custom_context=True, tag=tag, labels=labels, buildargs=args,
                            pull=False, rm=True, forcerm=True)
    return tag
