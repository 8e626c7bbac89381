"""M9 · mini-run's images: run straight from what `docker save` or an OCI layout holds.

Your code (projects/mini_run/image.py) reads an image's manifest and config, checks
every digest, and applies the layers with your M8 unpacker. The koan builds an image
whose layers change, delete and hide each other's files, and compares your tree with
the engine's own flattening of the same image (`docker export` of a container).
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import secrets
import stat
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import exercise, koan, names

image = exercise("projects/mini_run/image")

SKIP = ("dev/", "proc/", "sys/")
ENGINE_MADE = {".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab",
               "dev", "proc", "sys"}
"""What the engine adds to every container (mount points, its name files): not the image's."""

Entry = tuple[str, int, int, int, str]


def _kept(rel: str) -> bool:
    return rel not in ENGINE_MADE and not rel.startswith(SKIP)


def tree_of_dir(root: Path) -> dict[str, Entry]:
    """{path: (kind, mode, uid, gid, sha256 of content or link target)} under root."""
    found: dict[str, Entry] = {}
    for here, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(here) / name
            rel = path.relative_to(root).as_posix()
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                kind, what = "link", os.readlink(path)
            elif stat.S_ISDIR(st.st_mode):
                kind, what = "dir", ""
            else:
                kind, what = "file", hashlib.sha256(path.read_bytes()).hexdigest()
            if _kept(rel):
                found[rel] = (kind, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, what)
    return found


def tree_of_tar(data: bytes) -> dict[str, Entry]:
    """The same view of a tar stream (`docker export`), hard links read as their files."""
    found: dict[str, Entry] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for m in tar.getmembers():
            rel = m.name.rstrip("/").removeprefix("./")
            if not rel or not _kept(rel):
                continue
            if m.issym():
                kind, what = "link", m.linkname
            elif m.isdir():
                kind, what = "dir", ""
            else:
                source = tar.getmember(m.linkname) if m.islnk() else m
                handle = tar.extractfile(source)
                kind, what = "file", hashlib.sha256(handle.read() if handle else b"").hexdigest()
            found[rel] = (kind, m.mode & 0o7777, m.uid, m.gid, what)
    return found


def build_layered(client: Any, base: str, labels: dict[str, str], token: str) -> str:
    """An image of three layers over busybox: a file changed in a later layer, a directory
    deleted (whiteout), a directory replaced (opaque), a busybox applet removed."""
    tag = f"kernel-koans/{names.unique('img', limit=30)}:latest"
    dockerfile = f"""FROM {base}
RUN mkdir -p /kk/gone /kk/opq && echo one > /kk/f && echo x > /kk/gone/a && echo y > /kk/opq/b
RUN rm -rf /kk/gone /bin/vi /kk/opq && mkdir /kk/opq && echo {token} > /kk/f && echo z > /kk/opq/c
ENV KK_TOKEN={token}
WORKDIR /kk/{token}
CMD ["cat", "/kk/f"]
"""
    client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, labels=labels,
                        rm=True, forcerm=True, pull=False)
    return tag


def engine_tree(client: Any, tag: str, labels: dict[str, str]) -> dict[str, Entry]:
    """The engine's flattening of the image: `docker export` of a container made from it."""
    box = client.containers.create(tag, labels=labels, network_mode="none")
    try:
        return tree_of_tar(b"".join(box.export()))
    finally:
        box.remove(force=True)


def docker_save(client: Any, tag: str, where: Path) -> Path:
    path = where / "image.tar"
    with path.open("wb") as out:
        for chunk in client.images.get(tag).save(named=True):
            out.write(chunk)
    return path


def oci_layout(tag: str, where: Path) -> Path:
    """`skopeo copy docker-daemon:TAG oci:DIR`: the same image as an OCI image layout."""
    layout = where / "layout"
    subprocess.run(["skopeo", "copy", "--quiet", f"docker-daemon:{tag}", f"oci:{layout}:latest"],
                   check=True, timeout=60, capture_output=True)
    return layout


def differences(mine: dict[str, Entry], engine: dict[str, Entry]) -> list[str]:
    out = [f"{p}: yours {mine.get(p)}, the engine's {engine.get(p)}"
           for p in sorted(set(mine) | set(engine)) if mine.get(p) != engine.get(p)]
    return out[:8]


HINTS = [
    "`docker save` writes manifest.json: Config (a blob named by its sha256) and Layers (tars, "
    "bottom first, in the order of the config's rootfs.diff_ids). Apply them in that order.",
    "Read each layer's bytes, compare sha256 with its diff id, then "
    "unpack.apply_layer(path, dest, digest) for each in turn. Return config['config'].",
]


@koan(man="docker-save(1)", hints=HINTS, needs=["root", "docker", "busybox"])
@pytest.mark.timeout(90)
def test_docker_save_unpacks_to_the_engines_tree(docker_client: Any, busybox_image: str,
                                                  docker_cleanup: dict[str, str],
                                                  scratch: Path) -> None:
    """The layers of a `docker save` archive, applied in order with their whiteouts, give
    the very tree the engine shows in a container; the config says how to run it."""
    token = secrets.token_hex(6)
    tag = build_layered(docker_client, busybox_image, docker_cleanup, token)
    archive = docker_save(docker_client, tag, scratch)
    dest = scratch / "rootfs"
    config = image.unpack_image(archive, dest)
    diff = differences(tree_of_dir(dest), engine_tree(docker_client, tag, docker_cleanup))
    assert not diff, "your unpacked tree differs from `docker export`:\n" + "\n".join(diff)
    assert (config.get("Cmd"), config.get("WorkingDir")) == (["cat", "/kk/f"], f"/kk/{token}"), (
        f"the config returned has Cmd {config.get('Cmd')} and WorkingDir "
        f"{config.get('WorkingDir')!r}: return the image config's `config` object")
    assert f"KK_TOKEN={token}" in (config.get("Env") or []), (
        f"the config returned has Env {config.get('Env')}, without KK_TOKEN={token}")


@koan(man="skopeo-copy(1)",
      hints=["An OCI layout: index.json → manifests[0].digest → blobs/sha256/<hex> (the "
             "manifest) → its config and layers, each a descriptor with a digest.",
             "A layer blob may be gzip-compressed (mediaType …tar+gzip): its digest is that "
             "of the blob as stored; tarfile.open reads either."],
      needs=["root", "docker", "busybox"])
@pytest.mark.timeout(90)
def test_oci_layout_unpacks_to_the_same_tree(docker_client: Any, busybox_image: str,
                                             docker_cleanup: dict[str, str],
                                             scratch: Path) -> None:
    """The same image as an OCI image layout (what registries and skopeo speak) unpacks to
    the same tree: the formats differ only in how they name the blobs."""
    token = secrets.token_hex(6)
    tag = build_layered(docker_client, busybox_image, docker_cleanup, token)
    layout = oci_layout(tag, scratch)
    dest = scratch / "rootfs"
    config = image.unpack_image(layout, dest)
    diff = differences(tree_of_dir(dest), engine_tree(docker_client, tag, docker_cleanup))
    assert not diff, "your tree from the OCI layout differs from `docker export`:\n" + "\n".join(diff)
    assert config.get("WorkingDir") == f"/kk/{token}", (
        f"the config returned has WorkingDir {config.get('WorkingDir')!r}, not /kk/{token}")


def tamper(layout: Path, token: str) -> None:
    """Change the top layer's copy of the token in place: the tar stays a valid tar, only
    its bytes no longer match the digest the manifest names."""
    index = json.loads((layout / "index.json").read_text())
    blobs = layout / "blobs" / "sha256"
    manifest = json.loads((blobs / index["manifests"][0]["digest"].split(":")[1]).read_text())
    blob = blobs / manifest["layers"][-1]["digest"].split(":")[1]
    data = blob.read_bytes()
    packed = data[:2] == b"\x1f\x8b"
    raw = gzip.decompress(data) if packed else data
    assert token.encode() in raw, "the koan's own setup: the token is not in the top layer"
    raw = raw.replace(token.encode(), secrets.token_hex(6).encode())
    blob.write_bytes(gzip.compress(raw) if packed else raw)


@koan(man="skopeo-copy(1)",
      hints=["Every blob is named by its digest: sha256 of its bytes. Recompute it.",
             "Check every blob (manifest, config, each layer) against its descriptor's digest "
             "before the first layer touches dest; raise ImageError on a mismatch."],
      needs=["root", "docker", "busybox"])
@pytest.mark.timeout(90)
def test_a_tampered_layer_is_refused_before_anything_is_written(
        docker_client: Any, busybox_image: str, docker_cleanup: dict[str, str],
        scratch: Path) -> None:
    """A layer whose bytes are not the ones its manifest names is refused, and nothing of
    the image is written: a digest is the only identity an image has."""
    token = secrets.token_hex(6)
    tag = build_layered(docker_client, busybox_image, docker_cleanup, token)
    layout = oci_layout(tag, scratch)
    tamper(layout, token)
    before = sorted(p.name for p in scratch.iterdir())
    dest = scratch / "rootfs"
    with pytest.raises(image.ImageError):
        image.unpack_image(layout, dest)
    written = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) if dest.exists() else []
    assert not written, f"the refused image still wrote {written[:5]} into {dest}"
    after = sorted(p.name for p in scratch.iterdir() if p.name != "rootfs")
    assert after == before, f"the refused image wrote {set(after) - set(before)} beside {dest}"
