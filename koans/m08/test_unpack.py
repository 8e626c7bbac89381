"""M8 · unpacking image layers: whiteouts, opaque directories, hard links, hostile tars.

Your unpacker (m08/unpack.py) applies layers one by one onto an empty directory. The
koans compare the tree it builds with what the kernel's overlayfs shows for the same
layers, mounted by hand in a mount namespace of the koan's own: overlayfs is how
the engine itself stacks layers.
"""
from __future__ import annotations

import hashlib
import io
import os
import posixpath
import stat
import tarfile
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, in_child, koan, linux

unpack = exercise("m08/unpack")

Layer = dict[str, str]  # path -> "file" | "dir" | "delete" | "symlink" | "opaque"
UNIVERSE = ["a", "b", "d", "d/a", "d/b", "d/e", "d/e/x", "f"]


def ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def coherent(wanted: Layer) -> Layer:
    """A layer a real build could produce: nothing below a non-directory, parents present."""
    layer: Layer = {}
    for path in sorted(wanted, key=lambda p: (p.count("/"), p)):
        if any(layer.get(up, "dir") not in ("dir", "opaque") for up in ancestors(path)):
            continue
        for up in ancestors(path):
            layer.setdefault(up, "dir")
        layer.setdefault(path, wanted[path])
    return layer


def build_tar(layer: Layer, number: int, into: Path) -> Path:
    """The layer as a tar: directories before their contents, whiteouts and opaque markers
    last (so a marker follows the same layer's files in its directory)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        def add(name: str, kind: bytes, data: bytes = b"", link: str = "") -> None:
            info = tarfile.TarInfo(name)
            info.type, info.size, info.linkname = kind, len(data), link
            info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
            tar.addfile(info, io.BytesIO(data) if data else None)
        markers = []
        for path, op in sorted(layer.items(), key=lambda item: (item[0].count("/"), item[0])):
            if op in ("dir", "opaque"):
                add(path, tarfile.DIRTYPE)
                if op == "opaque":
                    markers.append(posixpath.join(path, ".wh..wh..opq"))
            elif op == "file":
                add(path, tarfile.REGTYPE, f"layer {number}: {path}\n".encode())
            elif op == "symlink":
                add(path, tarfile.SYMTYPE, link=f"../kk-{number}-{posixpath.basename(path)}")
            else:
                head, base = posixpath.split(path)
                markers.append(posixpath.join(head, ".wh." + base))
        for marker in markers:
            add(marker, tarfile.REGTYPE)
    out = into / f"layer-{number}.tar"
    out.write_bytes(buffer.getvalue())
    return out


def overlay_diff(tar_path: Path, diff: Path) -> None:
    """A layer as overlayfs keeps it: whiteouts become 0:0 character devices, opaque
    markers the trusted.overlay.opaque xattr."""
    diff.mkdir()
    with tarfile.open(tar_path) as tar:
        for member in tar.getmembers():
            head, base = posixpath.split(member.name)
            if base == ".wh..wh..opq":
                os.setxattr(diff / head, "trusted.overlay.opaque", b"y")
            elif base.startswith(".wh."):
                os.mknod(diff / head / base[4:], stat.S_IFCHR | 0o600, os.makedev(0, 0))
            else:
                # filter= exists from 3.10.12/3.11.4 on; older Pythons extract like "tar" anyway
                tar.extract(member, diff, **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))


def snapshot(root: str) -> dict[str, tuple[str, ...]]:
    """Every path under root, as lookup sees it: ("dir",), ("link", target), ("file", contents).
    (A name readdir lists but lookup does not find — a whiteout — is not there.)"""
    seen: dict[str, tuple[str, ...]] = {}

    def walk(rel: str) -> None:
        for name in sorted(os.listdir(os.path.join(root, rel))):
            path = os.path.join(rel, name)
            full = os.path.join(root, path)
            try:
                mode = os.lstat(full).st_mode
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(mode):
                seen[path] = ("link", os.readlink(full))
            elif stat.S_ISDIR(mode):
                seen[path] = ("dir",)
                walk(path)
            elif stat.S_ISREG(mode):
                seen[path] = ("file", Path(full).read_text())
            else:
                seen[path] = ("special", oct(stat.S_IFMT(mode)))

    walk("")
    return seen


def overlay_view(lowers: list[str], merged: str) -> dict[str, tuple[str, ...]]:
    """In a child with a private mount namespace: mount the layers, read the merged tree."""
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    linux.mount("overlay", merged, "overlay", linux.MS_RDONLY, "lowerdir=" + ":".join(reversed(lowers)))
    return snapshot(merged)


def compare_with_overlay(layers: list[Layer], work: Path) -> None:
    tars = [build_tar(layer, i, work) for i, layer in enumerate(layers)]
    base = work / "base"
    base.mkdir()
    lowers = [str(base)]
    for i, tar in enumerate(tars):
        overlay_diff(tar, work / f"diff-{i}")
        lowers.append(str(work / f"diff-{i}"))
    (work / "merged").mkdir()
    expected = in_child(overlay_view, lowers, str(work / "merged"))
    target = work / "target"
    target.mkdir()
    for tar in tars:
        unpack.apply_layer(str(tar), str(target))
    got = snapshot(str(target))
    wrong = sorted({p for p in expected.keys() | got.keys() if expected.get(p) != got.get(p)})
    assert not wrong, (
        f"layers {layers}: overlayfs shows " + "; ".join(f"{p}: {expected.get(p, 'nothing')}" for p in wrong[:4])
        + " — the unpacked tree has " + "; ".join(f"{p}: {got.get(p, 'nothing')}" for p in wrong[:4]))


def layers_of(ops: list[str]) -> st.SearchStrategy[list[Layer]]:
    one = st.dictionaries(st.sampled_from(UNIVERSE), st.sampled_from(ops), max_size=6).map(coherent)
    return st.lists(one, min_size=1, max_size=3)


def fresh(root: Path) -> Path:
    """A fresh directory per hypothesis example, inside the koan's kk- scratch directory."""
    return Path(tempfile.mkdtemp(prefix="ex-", dir=root))


SETTINGS = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@koan(man="the OCI image spec (layer.md: Whiteouts, Changesets), tar(5), overlayfs docs",
      hints=["A layer is applied on top of what is there. What happens to a file where a "
             "directory was, to a directory where a directory was, and to `.wh.name`?",
             "Remove what each `.wh.<name>` names before extracting the layer's files; an entry "
             "replaces whatever lies at its path unless both are directories (those merge); "
             "never leave a `.wh.` file in the tree."],
      needs=["root", "overlay"])
@pytest.mark.timeout(120)
@SETTINGS
@given(layers=layers_of(["file", "dir", "delete", "symlink"]))
@example(layers=[{"d": "dir", "d/a": "file", "d/b": "file"}, {"d": "dir", "d/a": "delete"}])
@example(layers=[{"d": "dir", "d/a": "file"}, {"d": "file"}, {"d": "dir", "d/b": "file"}])
@example(layers=[{"a": "file"}, {"a": "delete"}, {"a": "symlink"}])
@example(layers=[{"d": "symlink"}, {"d": "dir", "d/a": "delete"}])
def test_layers_stack_like_overlayfs(layers: list[Layer], scratch: Path) -> None:
    """Applied in order, layers give the tree overlayfs shows for them: later layers win,
    directories merge, a whiteout deletes what the layers below had."""
    compare_with_overlay(layers, fresh(scratch))


@koan(man="the OCI image spec (layer.md: Opaque Whiteout), overlayfs docs (whiteouts and opaque directories)",
      hints=["`.wh..wh..opq` hides the lower layers' contents of its directory — which files in "
             "that directory must survive?",
             "Empty the directory of what earlier layers put there before extracting this layer's "
             "files into it: the marker may come after them in the tar."],
      needs=["root", "overlay"])
@pytest.mark.timeout(120)
@SETTINGS
@given(layers=layers_of(["file", "dir", "delete", "opaque"]))
@example(layers=[{"d": "dir", "d/a": "file", "d/e": "dir", "d/e/x": "file"},
                 {"d": "opaque", "d/b": "file"}])
def test_an_opaque_directory_hides_the_layers_below(layers: list[Layer], scratch: Path) -> None:
    """An opaque directory replaces its lower namesake whole, keeping only its own layer's
    files: how `RUN rm -rf dir && mkdir dir` shows up in an image."""
    compare_with_overlay(layers, fresh(scratch))


def tar_of(into: Path, name: str, *members: tuple[str, bytes, bytes | str]) -> Path:
    """A tar file of (name, type, data-or-linkname) members, in order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, kind, payload in members:
            info = tarfile.TarInfo(path)
            info.type, info.mode = kind, 0o755 if kind == tarfile.DIRTYPE else 0o644
            data = b""
            if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = str(payload)
            elif kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
                info.devmajor, info.devminor = 1, 3
            else:
                data = payload if isinstance(payload, bytes) else payload.encode()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data else None)
    out = into / name
    out.write_bytes(buffer.getvalue())
    return out


@koan(man="the OCI image spec (layer.md: Hardlinks), tar(5), link(2)",
      hints=["A hard link in a tar carries no data of its own, only the name of a file already "
             "in the tree. What must the unpacked tree have there: a copy, or something else?",
             "os.link(target / member.linkname, target / member.name): both names, one inode — "
             "across layers too (the link may name a file from a layer below)."],
      needs=["root"])
def test_hard_links_stay_one_file(scratch: Path) -> None:
    """A hard link in a layer is a second name for the same inode, not a copy: images rely
    on it for size (gcc's many names) and a write through one name shows through the other."""
    target = scratch / "target"
    target.mkdir()
    lower = tar_of(scratch, "lower.tar", ("usr", tarfile.DIRTYPE, b""),
                   ("usr/gcc", tarfile.REGTYPE, b"compiler\n"))
    upper = tar_of(scratch, "upper.tar", ("usr", tarfile.DIRTYPE, b""),
                   ("usr/cc", tarfile.LNKTYPE, "usr/gcc"),
                   ("usr/tool", tarfile.REGTYPE, b"tool\n"), ("usr/tool-alias", tarfile.LNKTYPE, "usr/tool"))
    unpack.apply_layer(str(lower), str(target))
    unpack.apply_layer(str(upper), str(target))
    for name, other in (("cc", "gcc"), ("tool-alias", "tool")):
        a, b = os.lstat(target / "usr" / name), os.lstat(target / "usr" / other)
        assert (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino), (
            f"usr/{name} and usr/{other} are different inodes ({a.st_ino} and {b.st_ino}): the "
            "hard link was unpacked as a copy")
        assert a.st_nlink == 2, f"usr/{name} has {a.st_nlink} links, not 2"
    assert (target / "usr" / "cc").read_bytes() == b"compiler\n"


HOSTILE = {
    "dotdot-name": lambda out: [("../kk-evil", tarfile.REGTYPE, b"x")],
    "dotdot-inside-name": lambda out: [("etc", tarfile.DIRTYPE, b""),
                                        ("etc/../../kk-evil", tarfile.REGTYPE, b"x")],
    "through-absolute-symlink": lambda out: [
        ("esc", tarfile.SYMTYPE, str(out)), ("esc/kk-evil", tarfile.REGTYPE, b"x")],
    "through-relative-symlink": lambda out: [
        ("esc", tarfile.SYMTYPE, "../outside"), ("esc/kk-evil", tarfile.REGTYPE, b"x")],
    "hardlink-outside": lambda out: [
        ("kk-evil", tarfile.LNKTYPE, "../outside/secret")],
    "device-node": lambda out: [("dev", tarfile.DIRTYPE, b""), ("dev/mem", tarfile.CHRTYPE, b"")],
}


@koan(man="the OCI image spec (layer.md), tarfile (Extraction filters), CVE-2019-14271, CVE-2018-15664",
      hints=["Which member names, link names and symlinks already in the tree could make a "
             "write land outside the target? Which file types should an image never create?",
             "Refuse (LayerError) a name or hard-link name that is absolute or climbs with '..' "
             "after normalising; never write through a symlink (check each parent component "
             "with lstat); refuse character and block devices. Check before you write."],
      needs=["root"])
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_layer_is_refused(case: str, scratch: Path) -> None:
    """A layer is untrusted input: a name with '..', a symlink followed by a file "inside" it,
    a hard link to a host file or a device node must be refused — nothing written outside the root."""
    outside = scratch / "outside"
    outside.mkdir()
    (outside / "secret").write_text("host secret\n")
    target = scratch / "target"
    target.mkdir()
    layers = scratch / "layers"
    layers.mkdir()
    layer = tar_of(layers, "hostile.tar", *HOSTILE[case](outside))
    before = sorted(os.listdir(scratch)), sorted(os.listdir(outside))
    with pytest.raises(unpack.LayerError):
        unpack.apply_layer(str(layer), str(target))
    after = sorted(os.listdir(scratch)), sorted(os.listdir(outside))
    assert after == before, f"{case}: the directories around the target changed: {before} → {after}"
    assert os.stat(outside / "secret").st_nlink == 1, f"{case}: a host file got a second name in the image"
    devices = [p for p in target.rglob("*") if stat.S_ISCHR(os.lstat(p).st_mode) or stat.S_ISBLK(os.lstat(p).st_mode)]
    assert not devices, f"{case}: device nodes were created in the tree: {devices}"


@koan(man="the OCI image spec (descriptor.md: Digests), sha256sum(1)",
      hints=["A digest names exactly one sequence of bytes. When must you compare it — before "
             "or after the layer has touched the tree?",
             "hashlib.sha256 over the layer file's bytes; compare with the part after 'sha256:'; "
             "on a mismatch raise LayerError before extracting anything."],
      needs=["root"])
def test_a_layer_must_match_its_digest(scratch: Path) -> None:
    """Content addressing: the digest in the manifest is the layer's identity. A layer that
    does not hash to it is refused before a single file lands in the rootfs."""
    target = scratch / "target"
    target.mkdir()
    layer = tar_of(scratch, "layer.tar", ("etc", tarfile.DIRTYPE, b""),
                   ("etc/motd", tarfile.REGTYPE, b"hello\n"))
    good = "sha256:" + hashlib.sha256(layer.read_bytes()).hexdigest()
    tampered = tar_of(scratch, "tampered.tar", ("etc", tarfile.DIRTYPE, b""),
                      ("etc/motd", tarfile.REGTYPE, b"owned\n"))
    with pytest.raises(unpack.LayerError):
        unpack.apply_layer(str(tampered), str(target), good)
    assert os.listdir(target) == [], (
        f"the tampered layer was refused, but only after writing {os.listdir(target)} into the tree")
    unpack.apply_layer(str(layer), str(target), good)
    assert (target / "etc" / "motd").read_bytes() == b"hello\n", (
        "the layer matching its digest was not applied")
