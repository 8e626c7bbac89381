"""M3 · Reproducible builds: the same files must give the same layer digest, byte for byte.

Your tar writer gets the same tree twice, made differently each time: created in
another order, by another owner, with another umask, at other times. The koans
compare the sha256 of the two archives and read every member back.
"""
from __future__ import annotations

import hashlib
import os
import pwd
import random
import tarfile
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, koan

repro_tar = exercise("m03/repro_tar")

PARTS = [b"a", b"a-b", b"a.b", b"a b", b"B", b"z", "\u00e9".encode(), "e\u0301".encode(),
         "\U0001f600".encode(), "\ue000".encode(), b"\xff", b"\xc3"]
"""Names that sort differently by str, by bytes and by locale; two are not UTF-8 at all."""

Tree = dict[bytes, tuple[str, bytes]]  # path -> (kind, content or link target)


def coherent_tree(entries: list[tuple[tuple[bytes, ...], str, bytes]]) -> Tree:
    """A tree: every prefix of a path is a directory; a leaf is a file, executable or symlink."""
    tree: Tree = {}
    for parts, kind, data in sorted(entries, key=lambda e: len(e[0])):
        if any(tree.get(b"/".join(parts[:i]), ("dir", b""))[0] != "dir" for i in range(1, len(parts))):
            continue
        for i in range(1, len(parts)):
            tree.setdefault(b"/".join(parts[:i]), ("dir", b""))
        tree.setdefault(b"/".join(parts), (kind, b"../kk-target-" + data.hex().encode() if kind == "link" else data))
    return tree


def other_owner() -> tuple[int, int]:
    """A uid and gid other than root's that have names (so a leaked name would show)."""
    for user in pwd.getpwall():
        if user.pw_uid not in (0, 65534) and user.pw_uid < 1000:
            return user.pw_uid, user.pw_gid
    return 65534, 65534


def make_tree(root: Path, tree: Tree, variant: int) -> None:
    """Create the tree under root: variant 0 in sorted order, root-owned, 0644/0755; variant 1
    in a shuffled order, another owner, group-writable modes, other times."""
    rng = random.Random()
    order = sorted(tree, key=lambda p: (p.count(b"/"), rng.random() if variant else p))
    base = os.fsencode(root)
    for path in order:
        full = base + b"/" + path
        kind, data = tree[path]
        if kind == "dir":
            os.mkdir(full)
        elif kind == "link":
            os.symlink(data, full)
        else:
            with open(full, "wb") as f:
                f.write(data)
    uid, gid = (0, 0) if variant == 0 else other_owner()
    for path in sorted(tree, key=lambda p: -p.count(b"/")):  # deepest first: a dir's time last
        full = base + b"/" + path
        kind = tree[path][0]
        if kind != "link":
            exec_bits = kind in ("dir", "exec")
            os.chmod(full, (0o775 if exec_bits else 0o664) if variant else (0o755 if exec_bits else 0o644))
        os.chown(full, uid, gid, follow_symlinks=False)
        stamp = rng.randrange(10**9, 2 * 10**9) * 10**9 + rng.randrange(10**9)
        os.utime(full, ns=(stamp + 12345, stamp), follow_symlinks=False)


def read_back(tar_path: Path) -> tuple[Tree, list[tarfile.TarInfo]]:
    tree: Tree = {}
    with tarfile.open(tar_path) as tar:
        members = tar.getmembers()
        for m in members:
            name = os.fsencode(m.name)
            if m.isdir():
                tree[name] = ("dir", b"")
            elif m.issym():
                tree[name] = ("link", os.fsencode(m.linkname))
            elif m.isfile():
                fh = tar.extractfile(m)
                assert fh is not None
                tree[name] = ("exec" if m.mode & 0o100 else "file", fh.read())
            else:
                tree[name] = (f"type {m.type!r}", b"")
    return tree, members


def write_layer(scratch: Path, tree: Tree, variant: int, mtime: int) -> Path:
    work = Path(tempfile.mkdtemp(prefix="ex-", dir=scratch))
    (work / "tree").mkdir()
    make_tree(work / "tree", tree, variant)
    repro_tar.write_tar(str(work / "tree"), str(work / "layer.tar"), mtime)
    return work / "layer.tar"


entries = st.lists(st.tuples(st.lists(st.sampled_from(PARTS), min_size=1, max_size=3).map(tuple),
                             st.sampled_from(["file", "exec", "link"]), st.binary(max_size=40)),
                   min_size=1, max_size=10)
TRAPS = [((b"a",), "file", b"1"), ((b"a-b",), "file", b"2"), ((b"a.b", b"x"), "exec", b"3"),
         ((b"\xff",), "file", b"4"), (("\ue000".encode(),), "link", b"5"), ((b"a b", b"B"), "file", b"")]


@koan(man="https://reproducible-builds.org/docs/archives/, tar(5), tarfile (TarInfo), os.walk",
      hints=["Build the same tree twice on two machines: what differs besides the files' contents? "
             "Order, times, owners (ids AND names), permissions the umask left.",
             "Collect every path, sort by os.fsencode(path); for each, tar.gettarinfo(...) then set "
             "uid=gid=0, uname=gname='', mtime=the given int, the mode normalised; addfile with "
             "the file's contents for regular files only."],
      needs=["root"])
@pytest.mark.timeout(120)
@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=entries, mtime=st.integers(min_value=0, max_value=2**33 - 1))
@example(spec=TRAPS, mtime=1_700_000_000)
def test_the_same_tree_gives_the_same_digest(spec, mtime: int, scratch: Path) -> None:
    """`docker build` twice, CI and a laptop: the layer digests only match when the tar carries
    nothing but the files — so a signature or a cache hit can be trusted across machines."""
    tree = coherent_tree(spec)
    first, second = write_layer(scratch, tree, 0, mtime), write_layer(scratch, tree, 1, mtime)
    got, _ = read_back(first)
    wrong = sorted(p for p in tree.keys() | got.keys() if tree.get(p) != got.get(p))
    assert not wrong, "the tar does not hold the tree: " + "; ".join(
        f"{p!r}: {tree.get(p, 'nothing')} (tar: {got.get(p, 'nothing')})" for p in wrong[:4])
    one, two = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second))
    if one != two:
        a, b = (read_back(p)[1] for p in (first, second))
        fields = ("name", "mode", "uid", "gid", "uname", "gname", "mtime", "pax_headers")
        diffs = [f"{x.name!r}: " + ", ".join(f"{k} {getattr(x, k)!r}≠{getattr(y, k)!r}"
                                              for k in fields if getattr(x, k) != getattr(y, k))
                 for x, y in zip(a, b, strict=False)]
        pytest.fail(f"the same tree made twice gave two digests ({one[:12]}, {two[:12]}): "
                    + ("; ".join(d for d in diffs if not d.endswith(": ")) or f"{len(a)} vs {len(b)} members"))


@koan(man="https://reproducible-builds.org/docs/archives/, tar(5), GNU tar's --sort=name, --mtime, --owner",
      hints=["Reading the tar back: in what order are the members, and what do their headers say?",
             "Sort by the bytes (os.fsencode), not the str: undecodable names come back as lone "
             "surrogates that sort below U+E000. Use the GNU or USTAR format, or PAX with an "
             "int mtime (a float mtime becomes a pax 'mtime' record)."],
      needs=["root"])
def test_members_are_sorted_by_bytes_and_stamped_alike(scratch: Path) -> None:
    """A canonical archive has one order — the bytes of the names, not a locale's or Python's str
    order — and one stamp: the same time, owner 0:0, no names, normalised modes."""
    mtime = random.randrange(10**9, 2 * 10**9)
    tree = coherent_tree(TRAPS)
    _, members = read_back(write_layer(scratch, tree, 1, mtime))
    names = [os.fsencode(m.name) for m in members]
    assert names == sorted(names), f"the members are in the order {names}; by their bytes: {sorted(names)}"
    for m in members:
        want = 0o777 if m.issym() else 0o755 if m.isdir() or tree[os.fsencode(m.name)][0] == "exec" else 0o644
        header = (m.uid, m.gid, m.uname, m.gname, m.mtime, m.mode)
        assert header == (0, 0, "", "", mtime, want), (
            f"{m.name!r}: uid, gid, uname, gname, mtime, mode are {header}, not {(0, 0, '', '', mtime, want)}")
        times = {"mtime", "atime", "ctime"} & set(m.pax_headers)
        assert not times, f"{m.name!r} carries pax time records {times}: a time that is not the given one"
