"""Docker objects the koans own: labelled `kernel-koans`, found and removed by label."""
from __future__ import annotations

import glob
import io
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kernel_koans.paths import DOCKER_LABEL

BUSYBOX_IMAGE = "kernel-koans/busybox:latest"
PYTHON_IMAGE = "kernel-koans/python:latest"
LABELS = {DOCKER_LABEL: "1"}
CACHED_LABEL = f"{DOCKER_LABEL}.cached"
"""Images that carry this label are local bases kept between runs (no registry to re-pull from)."""

_log = logging.getLogger(__name__)


def announce_kept_build(tag: str) -> None:
    """Say that `tag` is being built now, once: the first run that needs it waits for it."""
    _log.info("building %s, once: later runs reuse it", tag)

PROBE_TIMEOUT = 5.0
"""Seconds to wait for an engine that may not be there (the host probe)."""
AUDIT_TIMEOUT = 30.0
"""Seconds for listing and removing labelled objects (leak audit, `koans clean`)."""
BUILD_TIMEOUT = 120.0
"""Seconds for what koans ask of the engine: image builds, container starts and stops."""


def client(timeout: float = BUILD_TIMEOUT) -> Any:
    """A docker SDK client for the engine of the environment (DOCKER_HOST or the local socket)."""
    import docker

    return docker.from_env(timeout=timeout)


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


@contextmanager
def build_stages_removed(client: Any) -> Iterator[None]:
    """Around a build: remove the untagged labelled images it leaves (a multi-stage build's
    earlier stages), whether it worked or not."""
    flt = {"label": DOCKER_LABEL, "dangling": True}
    before = {img.id for img in client.images.list(filters=flt)}
    try:
        yield
    finally:
        for image_id in {img.id for img in client.images.list(filters=flt)} - before:
            try:
                client.images.remove(image_id, force=True)
            except Exception:  # noqa: BLE001 - already gone with its child
                pass


def ensure_busybox_image(client: Any, rootfs: Path) -> str:
    """Build `kernel-koans/busybox` from the local busybox rootfs unless it exists."""
    try:
        client.images.get(BUSYBOX_IMAGE)
        return BUSYBOX_IMAGE
    except Exception:  # noqa: BLE001 - docker.errors.ImageNotFound
        pass
    announce_kept_build(BUSYBOX_IMAGE)
    dockerfile = (b"FROM scratch\nCOPY rootfs/ /\n"
                  + f'LABEL {DOCKER_LABEL}="1" {CACHED_LABEL}="1"\nCMD ["/bin/sh"]\n'.encode())
    context = tar_directory(rootfs.parent, {"Dockerfile": dockerfile})
    client.images.build(fileobj=io.BytesIO(context), custom_context=True, tag=BUSYBOX_IMAGE,
                        rm=True, forcerm=True, pull=False)
    return BUSYBOX_IMAGE


SKIP_STDLIB = {"test", "tests", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3",
               "site-packages", "dist-packages", "__pycache__", "pydoc_data", "venv"}


def _ldd(paths: list[str]) -> set[str]:
    """The shared libraries `paths` load, by ldd(1) (the loader's own answer; no library
    parses this for us, so the 'name => path (addr)' lines are read by hand)."""
    found: set[str] = set()
    for path in paths:
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if "=>" in parts and len(parts) > parts.index("=>") + 1:
                lib = parts[parts.index("=>") + 1]
            elif parts and parts[0].startswith("/"):
                lib = parts[0]
            else:
                continue
            if lib.startswith("/"):
                found.add(lib)
    return found


def python_rootfs(dest: Path) -> None:
    """Lay out /opt/python (interpreter, stdlib, its libraries) and the ELF loader under dest."""
    exe = os.path.realpath(sys.executable)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    opt = dest / "opt" / "python"
    (opt / "bin").mkdir(parents=True)
    shutil.copy2(exe, opt / "bin" / "python3")
    shutil.copytree(stdlib, opt / "lib" / version, symlinks=False,
                    ignore=lambda d, names: [n for n in names if n in SKIP_STDLIB or n.startswith("config-")])
    dynload = glob.glob(str(opt / "lib" / version / "lib-dynload" / "*.so"))
    for lib in _ldd([exe, *dynload]):
        if os.path.basename(lib).startswith("ld-linux") or lib.startswith("/lib64/"):
            target = dest / lib.lstrip("/")  # the ELF loader must sit at its absolute path
        else:
            target = opt / "lib" / os.path.basename(lib)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(lib, target)  # follows symlinks: the real file under the soname
    (dest / "usr" / "local" / "bin").mkdir(parents=True)
    (dest / "usr" / "local" / "bin" / "python3").symlink_to("/opt/python/bin/python3")


def ensure_python_image(client: Any, base: str) -> str:
    """Build `kernel-koans/python` (the busybox `base` plus this machine's Python) unless it
    exists. Kept between runs like the busybox base: no registry to pull it from again."""
    try:
        client.images.get(PYTHON_IMAGE)
        return PYTHON_IMAGE
    except Exception:  # noqa: BLE001 - docker.errors.ImageNotFound: build it
        pass
    announce_kept_build(PYTHON_IMAGE)
    work = Path(tempfile.mkdtemp(prefix="kk-pybase-"))
    try:
        python_rootfs(work / "rootfs")
        dockerfile = (f"FROM {base}\nCOPY rootfs/ /\n"
                      "ENV PYTHONHOME=/opt/python LD_LIBRARY_PATH=/opt/python/lib "
                      "PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\n"
                      # The cached label's value is the base's own tag: images built FROM it
                      # inherit the label but not the tag, so they are still removed.
                      f'LABEL {DOCKER_LABEL}="1" {CACHED_LABEL}="{PYTHON_IMAGE}"\n'
                      'CMD ["python3"]\n').encode()
        context = tar_directory(work, {"Dockerfile": dockerfile})
        client.images.build(fileobj=io.BytesIO(context), custom_context=True,
                            tag=PYTHON_IMAGE, rm=True, forcerm=True, pull=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return PYTHON_IMAGE


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


def container_ip(container: Any, network: str) -> str:
    """The address the engine gave `container` on `network` (from its inspect data)."""
    container.reload()
    return str(container.attrs["NetworkSettings"]["Networks"][network]["IPAddress"])
