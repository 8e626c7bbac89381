"""M7 · pod volumes: an emptyDir two containers share, and a projected volume updated atomically.

Your code (m07/volumes.py) plays the kubelet and the runtime. The koans look from outside:
/proc/<pid>/mountinfo and /proc/<pid>/root of each container, statvfs of the volume, a
reader process racing your updates, and the directory's inotify events (every step the
kernel took, however short).
"""
from __future__ import annotations

import errno
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import DEFAULT_TIMEOUT, decoy, exercise, in_child, koan, linux
from kernel_koans.child import held, spawn_held, start
from kernel_koans.inotify import IN_CREATE, IN_DELETE, IN_MOVED_FROM, IN_Q_OVERFLOW, DirectoryWatch

volumes = exercise("m07/volumes")

PAGE = os.sysconf("SC_PAGE_SIZE")


def node_with_pod(volume: str, size: int, mount_path: str) -> tuple[int, int]:
    """The stand-in node (a held child): the kubelet makes the volume, then two app containers
    start (held grandchildren of the koan); their host pids."""
    decoy.stand_in(["mnt"])
    volumes.make_empty_dir(volume, size)
    first, _ = spawn_held(volumes.enter_container_with_volume, volume, mount_path)
    second, _ = spawn_held(volumes.enter_container_with_volume, volume, mount_path)
    return first, second


def mount_at(pid: int, path: str) -> tuple[str, str] | None:
    """(major:minor, fstype) of the mount on top at `path` in pid's mount namespace, or None."""
    found = None
    for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
        fields = line.split()
        if fields[4] == path:
            found = (fields[2], fields[fields.index("-") + 1])
    return found


def write_past_the_limit(path: str, size: int) -> int:
    """Write size + one page into a file at path; 0, or the errno the kernel refused with."""
    try:
        with open(path, "wb") as f:
            for _ in range(size // PAGE + 1):
                f.write(b"x" * PAGE)
                f.flush()
    except OSError as err:
        return err.errno or -1
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return 0


@koan(man="mount_namespaces(7) (shared subtrees), mount(2) (MS_BIND), tmpfs(5)",
      hints=["Two containers, two mount namespaces, one filesystem. Which kind of mount makes a "
             "filesystem that already exists appear at a second place, and which one lives in memory?",
             "make_empty_dir: mount('tmpfs', path, 'tmpfs', 0, f'size={size_bytes}'). In the container: "
             "unshare(CLONE_NEWNS), mount(None, '/', None, MS_REC | MS_PRIVATE), then "
             "mount(volume, mount_path, None, MS_BIND)."],
      needs=["root"])
def test_empty_dir_is_one_tmpfs_two_containers_share(scratch: Path) -> None:
    """An emptyDir lives as long as its pod and is shared by its containers: the kubelet mounts
    it once on the node, the runtime binds it into each container's own mount namespace."""
    volume, mount_path = scratch / "kubelet" / "cache", scratch / "rootfs" / "cache"
    volume.mkdir(parents=True)
    mount_path.mkdir(parents=True)
    size = random.randrange(64, 2048) * PAGE
    token = f"written by container 1: {random.randrange(10**12)}".encode()
    with held(node_with_pod, str(volume), size, str(mount_path)) as node:
        one, two = node.value
        inodes = [linux.ns_inode(pid, "mnt") for pid in (node.pid, one, two)]
        mounts = {pid: mount_at(pid, str(mount_path)) for pid in (one, two)}
        on_node = mount_at(node.pid, str(volume)), mount_at(node.pid, str(mount_path))
        seen_by, two_root = Path(f"/proc/{one}/root{mount_path}"), Path(f"/proc/{two}/root{mount_path}")
        (seen_by / "shared").write_bytes(token)  # through container 1's own view of the path
        read = (two_root / "shared").read_bytes() if (two_root / "shared").exists() else None
        st = os.statvfs(seen_by)
        refused = write_past_the_limit(str(seen_by / "big"), size)
    assert len(set(inodes)) == 3, (
        f"mnt namespace inodes of the node, container 1, container 2: {inodes}: each container "
        "has a mount namespace of its own")
    assert on_node[1] is None, (
        f"{mount_path} is a mount point on the node too ({on_node[1]}): the container's mount "
        "propagated back (its namespace was not made private before mounting)")
    assert on_node[0] is not None and on_node[0][1] == "tmpfs", (
        f"on the node, {volume} is {on_node[0] or 'no mount'}: a memory-backed emptyDir is a tmpfs")
    assert all(m is not None and m[1] == "tmpfs" for m in mounts.values()), (
        f"in the containers, {mount_path} is {mounts}: each must see the pod's tmpfs there")
    devices = {m[0] for m in mounts.values() if m} | {on_node[0][0]}
    assert len(devices) == 1, (
        f"device numbers (major:minor) of the volume on the node and in the two containers: "
        f"{sorted(devices)}: one emptyDir is one filesystem, not one per container")
    assert read == token, (
        f"container 2 read {read!r} where container 1 wrote {token!r}: the containers do not share it")
    assert st.f_blocks * st.f_frsize == size, (
        f"statvfs gives the volume {st.f_blocks * st.f_frsize} bytes; its sizeLimit is {size}")
    assert refused == errno.ENOSPC, (
        f"writing {size + PAGE} bytes into a {size}-byte emptyDir gave "
        f"{errno.errorcode.get(refused, refused) if refused else 'no error'}: the kernel must refuse (ENOSPC)")


SIZE = 256 * 1024
"""Bytes in each projected file: big enough that writing one takes the kernel many pages."""


def content(name: str, generation: int) -> bytes:
    head = f"{name} generation {generation}\n".encode()
    return head + bytes([generation % 251 + 1]) * (SIZE - len(head))


def generation_of(name: str, data: bytes) -> int | None:
    """The generation `data` is, if it is that generation's whole content; else None."""
    try:
        generation = int(data[:64].split(b"\n", 1)[0].rsplit(b" ", 1)[1])
    except (IndexError, ValueError):
        return None
    return generation if data == content(name, generation) else None


def files_of(names: list[str], generation: int) -> dict[str, bytes]:
    return {name: content(name, generation) for name in names}


def read_generations(target: str, names: list[str], stop: str, limit: float) -> dict[str, Any]:
    """The app (a child): read every file of the current generation, again and again, until
    `stop` exists; what it saw."""
    data = os.path.join(target, "..data")
    seen: set[int] = set()
    problems: list[str] = []
    reads = 0
    end = time.monotonic() + limit
    while not os.path.exists(stop) and time.monotonic() < end and len(problems) < 5:
        try:
            fd = os.open(data, os.O_RDONLY | os.O_DIRECTORY)
        except (FileNotFoundError, NotADirectoryError) as err:
            if not os.path.lexists(data) or isinstance(err, NotADirectoryError):
                problems.append(f"..data did not lead to a directory ({type(err).__name__})")
            continue  # else: it moved on between our two steps; look again
        try:
            got: dict[str, int | None] = {}
            for name in names:
                try:
                    with open(os.open(name, os.O_RDONLY, dir_fd=fd), "rb") as f:
                        raw = f.read()
                except FileNotFoundError:
                    try:
                        now: os.stat_result | None = os.stat(data)
                    except OSError:
                        now = None
                    here = os.fstat(fd)
                    if now is None and not os.path.lexists(data):
                        problems.append("..data did not exist (FileNotFoundError)")
                    elif now is not None and (now.st_dev, now.st_ino) == (here.st_dev, here.st_ino):
                        problems.append(f"{name} missing from the generation ..data leads to")
                    break  # else: an old generation, removed after the switch
                got[name] = generation_of(name, raw)
                if got[name] is None:
                    problems.append(f"{name}: {len(raw)} bytes that are no generation's whole content")
            else:
                reads += 1
                values = set(got.values())
                if len(values) > 1 and None not in values:
                    problems.append(f"one read of ..data gave generations {got}")
                seen |= {v for v in values if v is not None}
        finally:
            os.close(fd)
    return {"reads": reads, "generations": sorted(seen), "problems": problems}


def update(target: str, names: list[str], least: int, seconds: float) -> int:
    """The kubelet's updates (a child): new generations, at least `least` and for `seconds`."""
    generation, start_time = 0, time.monotonic()
    while generation < least or (time.monotonic() - start_time < seconds and generation < 1000):
        generation += 1
        volumes.publish(target, files_of(names, generation))
    return generation


@koan(man="rename(2) (atomically replaces newpath), symlink(7), inotify(7)",
      hints=["A reader opens the files one by one while you change them. Which single system call "
             "replaces a name with another in one step, so that the name is never missing?",
             "Write the generation into a fresh directory `..<timestamp>` (tempfile.mkdtemp), make a "
             "symlink `..data_tmp` -> it, os.rename('..data_tmp', '..data'); make each "
             "`<name>` -> `..data/<name>` once; then remove the old generation's directory."],
      needs=[])
@pytest.mark.timeout(60)
def test_projected_files_change_all_at_once(scratch: Path) -> None:
    """A ConfigMap's files change while the app reads them. The kubelet never writes a file the
    app can see: it writes a new directory and switches one symlink with rename(2)."""
    target = scratch / "projected"
    target.mkdir()
    names = [f"app-{random.randrange(16**4):04x}.conf", f"app-{random.randrange(16**4):04x}.sig"]
    stop = str(scratch / "stop")
    in_child(volumes.publish, str(target), files_of(names, 0))
    with DirectoryWatch(str(target)) as watch:
        with start(read_generations, str(target), names, stop, 8 * DEFAULT_TIMEOUT) as reader:
            time.sleep(0.05)
            try:
                last = in_child(update, str(target), names, 60, 1.0, timeout=4 * DEFAULT_TIMEOUT)
            finally:
                Path(stop).touch()
            seen = reader.report()
        events = watch.events()
    overflow = [e for e in events if e.mask & IN_Q_OVERFLOW]
    gaps = [str(e) for e in events if e.name == "..data" and e.mask & (IN_DELETE | IN_MOVED_FROM | IN_CREATE)]
    replaced = [str(e) for e in events if e.name in names]
    assert not overflow, "inotify's queue overflowed: too many events to judge (run it again)"
    assert not gaps, (
        f"inotify saw ..data {gaps[:4]}: between those steps ..data did not exist, and an app "
        "opening its files found nothing; replace it in one step")
    assert not replaced, (
        f"inotify saw the app's own names change: {replaced[:4]}: they must stay symlinks "
        "through ..data, made once")
    assert not seen["problems"], (
        f"the app, reading during {last} updates, saw: {seen['problems']}: it must only ever see "
        "a whole generation")
    assert len(seen["generations"]) >= 3, (
        f"the app saw generations {seen['generations']} in {seen['reads']} reads while {last} were "
        "published: a published generation must be readable at once")
    links = {name: os.readlink(target / name) if (target / name).is_symlink() else None for name in names}
    assert links == {name: os.path.join("..data", name) for name in names}, (
        f"the app's files are {links}: each must be a symlink to ..data/<name>")
    current = os.readlink(target / "..data") if (target / "..data").is_symlink() else None
    kept = sorted(e for e in os.listdir(target) if e.startswith("..") and e != "..data")
    assert current is not None and kept == [current], (
        f"..data -> {current}, generation directories left: {kept}: only the current one stays")
    final = {name: generation_of(name, (target / name).read_bytes()) for name in names}
    assert final == {name: last for name in names}, (
        f"after {last} updates the app reads generations {final}")
