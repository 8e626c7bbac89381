"""M3 · overlayfs internals: how an image's layers and a container's changes become one tree.

Each koan mounts an overlay in a child with a mount namespace of its own (the mount
dies with the child) over kk- scratch directories, then looks at the layers
underneath: what a write, a delete and `rm -rf dir && mkdir dir` left there.
"""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import pytest

from kernel_koans import exercise, in_child, koan, linux
from kernel_koans.names import unique

overlay = exercise("m03/overlay")

OVERLAYFS_MAGIC = 0x794C7630


def layers(root: Path, count: int) -> tuple[list[str], str, str, str]:
    """Empty lower directories (bottom first), upper, work and merged under root."""
    lowers = []
    for i in range(count):
        (root / f"lower{i}").mkdir()
        lowers.append(str(root / f"lower{i}"))
    for name in ("upper", "work", "merged"):
        (root / name).mkdir()
    return lowers, str(root / "upper"), str(root / "work"), str(root / "merged")


def private_mounts() -> None:
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)


def koan_mount(lowers: list[str], upper: str, work: str, merged: str) -> None:
    linux.mount("overlay", merged, "overlay", 0,
                f"lowerdir={':'.join(reversed(lowers))},upperdir={upper},workdir={work}")


def write_through(lowers: list[str], upper: str, work: str, merged: str, name: str, shadowed: str,
                  payload: str) -> dict[str, object]:
    """In a child: the learner mounts; append to a lower file through the merged view."""
    private_mounts()
    overlay.mount_overlay(lowers, upper, work, merged)
    seen: dict[str, object] = {"magic": linux.statfs_magic(merged)}
    seen["shadowed"] = Path(merged, shadowed).read_text()
    seen["ino_before"] = os.stat(Path(merged, name)).st_ino
    with open(Path(merged, name), "a") as f:
        f.write(payload)
    seen["ino_after"] = os.stat(Path(merged, name)).st_ino
    seen["merged"] = Path(merged, name).read_text()
    return seen


@pytest.mark.timeout(60)
@koan(man="mount(2), Documentation/filesystems/overlayfs.rst (Upper and Lower, Non-directories)",
      hints=["overlayfs takes its layers as mount options: lowerdir=, upperdir=, workdir=. In which "
             "order does lowerdir list them?",
             "mount('overlay', merged, 'overlay', 0, 'lowerdir=TOP:...:BOTTOM,upperdir=U,workdir=W'): "
             "the leftmost lower directory is the top one, so reverse the list you were given."],
      needs=["root", "overlay"])
def test_a_write_copies_the_file_up(scratch: Path) -> None:
    """A container never writes into an image layer: the first write to a lower file copies it
    whole into the upper directory (copy-up), and from then on the merged view shows that copy."""
    lowers, upper, work, merged = layers(scratch, 2)
    name, shadowed = unique("kk-f"), unique("kk-s")
    original, payload = secrets.token_hex(8) + "\n", secrets.token_hex(8) + "\n"
    Path(lowers[0], name).write_text(original)
    Path(lowers[0], shadowed).write_text("bottom layer\n")
    Path(lowers[1], shadowed).write_text("top layer\n")
    seen = in_child(write_through, lowers, upper, work, merged, name, shadowed, payload)
    assert seen["magic"] == OVERLAYFS_MAGIC, f"statfs({merged}) says {seen['magic']:#x}: no overlay is mounted there"
    assert seen["shadowed"] == "top layer\n", (
        f"both lowers hold {shadowed}; the merged view shows {seen['shadowed']!r}: the top (last) layer must win")
    assert Path(lowers[0], name).read_text() == original, "the lower file changed: the image layer was written to"
    assert Path(upper, name).read_text() == original + payload, (
        f"upper/{name} should be the whole file after the write (copied up, then appended)")
    assert seen["merged"] == original + payload, "the merged view does not show the write"
    assert os.stat(Path(upper, name)).st_ino != os.stat(Path(lowers[0], name)).st_ino, (
        "the upper copy is a new inode of the upper filesystem")
    # With every layer on one filesystem, overlayfs keeps st_ino of the merged file constant
    # across copy-up (it reports the lower inode's number), so `find -inum` keeps working.
    assert seen["ino_before"] == seen["ino_after"], (
        f"merged st_ino {seen['ino_before']} → {seen['ino_after']}: overlayfs keeps it constant here")


def make_changes(lowers: list[str], upper: str, work: str, merged: str, names: dict[str, str]) -> None:
    """In a child: mount, then change the merged tree like a container would."""
    private_mounts()
    koan_mount(lowers, upper, work, merged)
    m = Path(merged)
    with open(m / names["changed"], "a") as f:
        f.write("changed\n")
    (m / names["deleted"]).unlink()
    for child in (m / names["emptied"]).iterdir():
        child.unlink()
    (m / names["emptied"]).rmdir()
    (m / names["emptied"]).mkdir()
    (m / names["emptied"] / names["fresh"]).write_text("fresh\n")
    (m / names["new"]).write_text("new\n")
    (m / names["link"]).symlink_to("/etc/hostname")
    (m / names["nested"] / names["inner"]).write_text("copied up through its directory\n")
    (m / names["newdir"]).mkdir()


@pytest.mark.timeout(60)
@koan(man="Documentation/filesystems/overlayfs.rst (whiteouts and opaque directories), mknod(2), xattr(7)",
      hints=["Look at the upper directory with `ls -la` and `getfattr -d -m - DIR` after the changes: "
             "how does overlayfs write down 'deleted'?",
             "A whiteout is a character device with device number 0/0 (st_rdev == os.makedev(0, 0)); an "
             "opaque directory carries the xattr trusted.overlay.opaque = b'y'. Everything else is what "
             "it looks like."],
      needs=["root", "overlay"])
def test_the_upper_directory_records_every_change(scratch: Path) -> None:
    """`docker diff` and `docker commit` read the upper directory: a whiteout (a 0/0 character
    device) for each deletion, an opaque xattr for `rm -rf d && mkdir d`, copies for the rest."""
    lowers, upper, work, merged = layers(scratch, 1)
    names = {key: unique(f"kk-{key[:4]}") for key in
             ("changed", "deleted", "emptied", "fresh", "new", "link", "nested", "inner", "newdir", "old")}
    low = Path(lowers[0])
    for key in ("changed", "deleted"):
        (low / names[key]).write_text(key + "\n")
    for key in ("emptied", "nested"):
        (low / names[key]).mkdir()
        (low / names[key] / names["old"]).write_text("old\n")
    in_child(make_changes, lowers, upper, work, merged, names)
    gone = os.lstat(Path(upper, names["deleted"]))
    assert stat.S_ISCHR(gone.st_mode) and gone.st_rdev == 0, "setup: the kernel made no 0/0 whiteout"
    expected = {names["changed"]: "file", names["deleted"]: "deleted", names["emptied"]: "opaque",
                f"{names['emptied']}/{names['fresh']}": "file", names["new"]: "file", names["link"]: "symlink",
                names["nested"]: "dir", f"{names['nested']}/{names['inner']}": "file", names["newdir"]: "dir"}
    got = overlay.read_upper(upper)
    wrong = sorted(p for p in expected.keys() | dict(got).keys() if expected.get(p) != got.get(p))
    assert not wrong, "the upper directory says " + "; ".join(
        f"{p}: {expected.get(p, 'nothing')} (read_upper: {got.get(p, 'nothing')})" for p in wrong)


def merged_listing(lowers: list[str], upper: str, work: str, merged: str) -> dict[str, list[str]]:
    private_mounts()
    koan_mount(lowers, upper, work, merged)
    return {top[len(merged):] or "/": sorted(files + dirs) for top, dirs, files in os.walk(merged)}


@pytest.mark.timeout(60)
@koan(man="Documentation/filesystems/overlayfs.rst (whiteouts and opaque directories), mknod(2), setxattr(2)",
      hints=["An image layer unpacked for overlayfs must say 'deleted' the way the kernel does, "
             "not the way the tar format does (.wh.<name>).",
             "os.mknod(path, stat.S_IFCHR, os.makedev(0, 0)) makes a whiteout; "
             "os.setxattr(dir, 'trusted.overlay.opaque', b'y') makes a directory opaque."],
      needs=["root", "overlay"])
def test_a_hand_made_whiteout_hides_a_lower_file(scratch: Path) -> None:
    """A runtime that unpacks layers for overlayfs turns the tar's `.wh.` markers into the
    kernel's whiteouts and opaque xattrs; the merged view then hides what they name."""
    lowers, upper, work, merged = layers(scratch, 1)
    hidden, kept, folder, old, fresh = (unique(f"kk-{k}") for k in ("hid", "kept", "dir", "old", "new"))
    low = Path(lowers[0])
    (low / hidden).write_text("hide me\n")
    (low / kept).write_text("keep me\n")
    (low / folder).mkdir()
    (low / folder / old).write_text("old\n")
    overlay.whiteout(upper, hidden)
    overlay.make_opaque(upper, folder)
    Path(upper, folder, fresh).write_text("fresh\n")
    seen = in_child(merged_listing, lowers, upper, work, merged)
    assert seen["/"] == sorted([kept, folder]), (
        f"the merged root lists {seen['/']}: {hidden} should be hidden by its whiteout, {kept} and {folder} shown")
    assert seen["/" + folder] == [fresh], (
        f"the merged {folder}/ lists {seen['/' + folder]}: opaque, it shows only the upper's {fresh}")


@pytest.mark.timeout(60)
@koan(man="proc(5) (/proc/<pid>/mountinfo), https://docs.docker.com/engine/storage/drivers/overlayfs-driver/",
      hints=["The container's / is a mount: find it in /proc/<pid>/mountinfo and read its super "
             "options. Are the lowerdir paths the ones `docker inspect` prints?",
             "Field 5 is the mount point (/), after ' - ' come fstype, source and the super options "
             "(comma-separated key=value). docker shortens lowerdir with symlinks under "
             "overlay2/l/: os.path.realpath each one."],
      needs=["docker"])
def test_the_engine_mounts_the_graphdriver_dirs(docker_client, busybox_image, docker_cleanup) -> None:
    """`docker inspect`'s GraphDriver is not a description, it is the mount: the container's /
    is an overlay of the image's layers (lower), its own changes (upper) and a work dir."""
    container = docker_client.containers.run(busybox_image, ["sleep", "120"], detach=True,
                                             labels=docker_cleanup, name=unique("kk-ovl"))
    container.reload()
    pid, data = int(container.attrs["State"]["Pid"]), container.attrs["GraphDriver"]["Data"]
    got = overlay.root_overlay(pid)
    expected = {"lowerdir": data["LowerDir"].split(":"), "upperdir": data["UpperDir"], "workdir": data["WorkDir"]}
    assert got == expected, f"docker inspect says {expected}; root_overlay({pid}) read {got}"
    token = secrets.token_hex(8)
    container.exec_run(["sh", "-c", f"echo {token} > /kk-token"])
    assert Path(data["UpperDir"], "kk-token").read_text() == token + "\n", (
        "a file written in the container lands in UpperDir")
    assert Path(data["MergedDir"], "kk-token").read_text() == token + "\n", (
        "the engine's MergedDir shows the container's file: the same overlay, mounted in the engine's namespace")
