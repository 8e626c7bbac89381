"""Unpacking image layers into a root filesystem (reference)."""
from __future__ import annotations

import hashlib
import io
import os
import posixpath
import shutil
import tarfile
from pathlib import Path

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"


class LayerError(Exception):
    """The layer is refused (with a message saying why); nothing was written outside `target`."""


def clean_name(name: str) -> str:
    """The member's path relative to the root; LayerError for one that climbs out."""
    path = posixpath.normpath(name)
    if name.startswith("/") or path == ".." or path.startswith("../"):
        raise LayerError(f"{name!r} points outside the root")
    return path


def inside(root: Path, rel: str) -> Path:
    """root/rel, refusing to pass through a symlink on the way: a link made by this or an
    earlier layer may point anywhere on the host (an absolute or ../ target)."""
    here = root
    for part in Path(rel).parent.parts:
        here = here / part
        if here.is_symlink():
            raise LayerError(f"{rel!r} would be written through the symlink {part!r}")
    return root / rel


def below(root: Path, rel: str) -> Path | None:
    """root/rel when every parent on the way is a real directory, else None: a whiteout
    under a symlink or a file names nothing the layers below have."""
    here = root
    for part in Path(rel).parent.parts:
        here = here / part
        if here.is_symlink() or not here.is_dir():
            return None
    return root / rel


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.is_symlink() or path.exists():
        path.unlink()


def apply_layer(layer: str, target: str, digest: str | None = None) -> None:
    """Apply one layer: check everything first, then whiteouts, then the files."""
    data = Path(layer).read_bytes()
    if digest is not None:
        algorithm, _, expected = digest.partition(":")
        actual = hashlib.sha256(data).hexdigest()
        if algorithm != "sha256" or actual != expected:
            raise LayerError(f"layer digest is sha256:{actual}, expected {digest}")
    root = Path(target)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
        names = {}
        for member in members:  # refuse before writing anything
            names[member.name] = clean_name(member.name)
            if member.ischr() or member.isblk():
                raise LayerError(f"{member.name!r} is a device node")
            if member.islnk():
                clean_name(member.linkname)
        # Whiteouts and opaque markers remove what the layers *below* had, so they go
        # first: the same layer's own files in that directory must survive.
        for member in members:
            parent, base = posixpath.split(names[member.name])
            if base == OPAQUE:
                directory = below(root, posixpath.join(parent, "x"))
                if directory is not None:
                    for entry in directory.parent.iterdir():
                        remove(entry)
            elif base.startswith(WHITEOUT):
                gone = below(root, posixpath.join(parent, base[len(WHITEOUT):]))
                if gone is not None:
                    remove(gone)
        for member in members:
            rel = names[member.name]
            if posixpath.basename(rel).startswith(WHITEOUT):
                continue
            extract(tar, member, inside(root, rel), root)


def extract(tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path, root: Path) -> None:
    """Write one member at path, replacing what lies there unless both are directories."""
    if path.is_symlink() or path.exists():
        if member.isdir() and path.is_dir() and not path.is_symlink():
            os.chmod(path, member.mode)
            return
        remove(path)
    if member.isdir():
        path.mkdir()
        os.chmod(path, member.mode)  # mkdir's mode passes through the umask (/tmp's 1777)
    elif member.issym():
        os.symlink(member.linkname, path)
    elif member.islnk():
        os.link(inside(root, clean_name(member.linkname)), path)  # same inode, not a copy
    elif member.isfifo():
        os.mkfifo(path, member.mode)
    else:
        source = tar.extractfile(member)
        assert source is not None
        path.write_bytes(source.read())
        os.chmod(path, member.mode)
    os.lchown(path, member.uid, member.gid)
