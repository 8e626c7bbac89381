"""Docker objects the koans own: labelled `kernel-koans`, found and removed by label."""
from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

from kernel_koans.paths import DOCKER_LABEL

BUSYBOX_IMAGE = "kernel-koans/busybox:latest"
LABELS = {DOCKER_LABEL: "1"}
CACHED_LABEL = f"{DOCKER_LABEL}.cached"
"""Images that carry this label are local bases kept between runs (no registry to re-pull from)."""


def is_cached(img: Any) -> bool:
    """A kept local base: it carries CACHED_LABEL *and* the base's own tag. Images built
    FROM a base inherit its labels, so the label alone would keep every derived image."""
    labels = img.labels or {}
    if CACHED_LABEL not in labels:
        return False
    tags = img.tags or []
    return BUSYBOX_IMAGE in tags or labels[CACHED_LABEL] in tags


def tar_directory(directory: Path, extra: dict[str, bytes] | None = None) -> bytes:
    """A tar stream of `directory`'s contents (plus `extra` files), for a build context."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted(directory.rglob("*")):
            tar.add(path, arcname=path.relative_to(directory).as_posix(), recursive=False)
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def ensure_busybox_image(client: Any, rootfs: Path) -> str:
    """Build `kernel-koans/busybox` from the local busybox rootfs unless it exists."""
    try:
        client.images.get(BUSYBOX_IMAGE)
        return BUSYBOX_IMAGE
    except Exception:  # noqa: BLE001 - docker.errors.ImageNotFound
        pass
    dockerfile = (b"FROM scratch\nCOPY rootfs/ /\n"
                  + f'LABEL {DOCKER_LABEL}="1" {CACHED_LABEL}="1"\nCMD ["/bin/sh"]\n'.encode())
    context = tar_directory(rootfs.parent, {"Dockerfile": dockerfile})
    client.images.build(fileobj=io.BytesIO(context), custom_context=True, tag=BUSYBOX_IMAGE,
                        rm=True, forcerm=True, pull=False)
    return BUSYBOX_IMAGE


def _ours(client: Any) -> dict[str, list[Any]]:
    """Labelled containers, networks, volumes and images, less the cached bases."""
    flt = {"label": DOCKER_LABEL}
    return {
        "containers": client.containers.list(all=True, filters=flt),
        "networks": client.networks.list(filters=flt),
        "volumes": client.volumes.list(filters=flt),
        "images": [img for img in client.images.list(filters=flt) if not is_cached(img)],
    }


def _name(obj: Any) -> str:
    """A container's, network's or volume's name; an image's first tag or short id."""
    if hasattr(obj, "tags"):
        return str(obj.tags[0]) if obj.tags else str(obj.short_id)
    return str(obj.name)


def leftovers(client: Any) -> dict[str, list[str]]:
    """Names of the labelled objects that are not cached bases, by kind."""
    return {kind: [_name(obj) for obj in objs] for kind, objs in _ours(client).items()}


def remove_leftovers(client: Any) -> list[str]:
    """Remove every labelled object except the cached base images; return what went.

    Containers go first: networks, volumes and images in use cannot be removed."""
    gone: list[str] = []
    for kind, objs in _ours(client).items():
        for obj in objs:
            try:
                if kind == "images":
                    client.images.remove(obj.id, force=True)
                elif kind == "networks":
                    obj.remove()
                else:
                    obj.remove(force=True)
            except Exception:  # noqa: BLE001 - a parent of another labelled image goes with it
                if kind != "images":
                    raise
                continue
            gone.append(f"{kind[:-1]} {_name(obj)}")
    return gone
