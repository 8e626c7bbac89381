"""M4 · UTS, IPC and mount namespaces: what a container changes stays in the container.

Your code (m04/uts_ipc_mount.py) runs in a child the koan keeps alive, whose
parent stands in for the host (kernel_koans.decoy: namespaces of the koan's own,
so a forgotten unshare changes the stand-in, never your machine). The koan
compares the two from outside: their /proc/<pid>/ns files, their mountinfo,
and what a process that joins their namespaces (setns) sees.
"""
from __future__ import annotations

import random
import socket
from pathlib import Path

from kernel_koans import decoy, exercise, held, in_child, koan, linux, names, procfs, uts

uts_ipc_mount = exercise("m04/uts_ipc_mount")


def shm_keys() -> set[int]:
    """Keys of the SysV shm segments in the reader's IPC namespace (/proc/sysvipc/shm)."""
    lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return {int(line.split()[0]) for line in lines if line.strip()}


def shm_keys_in(pid: int) -> set[int]:
    with open(f"/proc/{pid}/ns/ipc") as ns:
        linux.setns(ns.fileno(), linux.CLONE_NEWIPC)
    return shm_keys()


@koan(man="uts_namespaces(7), sethostname(2)",
      hints=["sethostname(2) changes the hostname of a namespace: whose, right now?",
             "linux.unshare(linux.CLONE_NEWUTS) gives the process its own UTS namespace, "
             "then linux.sethostname(name) changes only that one."],
      needs=["root"])
def test_hostname_set_in_a_uts_namespace_stays_inside() -> None:
    """A container's hostname is its UTS namespace's; setting it leaves the host's alone.
    `docker run --hostname` is exactly this sethostname(2) after unshare(CLONE_NEWUTS)."""
    name = names.unique("host", limit=40)
    # Your code runs in a child of a stand-in host (its own UTS namespace), never on the real one.
    with held(decoy.run_behind, ["uts"], uts_ipc_mount.set_hostname_in_new_uts, name) as h:
        child = h.value.pid
        own_uts = linux.ns_inode(child, "uts") != linux.ns_inode(h.pid, "uts")
        seen, host_seen = uts.hostname_in(child), uts.hostname_in(h.pid)
    assert host_seen == socket.gethostname(), (
        f"the (stand-in) host's hostname became {host_seen!r}: sethostname(2) ran in the "
        "host's UTS namespace")
    assert own_uts, "the child's /proc/<pid>/ns/uts is its parent's: no new UTS namespace"
    assert seen == name, f"a process joining the child's UTS namespace reads hostname {seen!r}, not {name!r}"


@koan(man="ipc_namespaces(7), shmget(2), proc(5)",
      hints=["SysV IPC keys are looked up in a table. Which table does a new IPC namespace start with?",
             "linux.unshare(linux.CLONE_NEWIPC), then linux.shmget(key, size): the segment is "
             "listed in /proc/sysvipc/shm only for processes of that IPC namespace."],
      needs=["root"])
def test_shm_segment_lives_in_its_ipc_namespace() -> None:
    """SysV shared memory, semaphores and queues are found by key per IPC namespace.
    Two containers using the same key cannot meet, unless they share --ipc."""
    key = 0x6B6B0000 | random.randrange(1, 0xFFFF)
    with held(decoy.run_behind, ["ipc"], uts_ipc_mount.create_shm_in_new_ipc, key, 4096) as h:
        child = h.value.pid
        inside, in_host = in_child(shm_keys_in, child), in_child(shm_keys_in, h.pid)
    assert key not in in_host, (
        f"the (stand-in) host's /proc/sysvipc/shm lists key {key:#x}: the segment went into "
        "the host's IPC namespace")
    assert key in inside, (
        f"a process joining the child's IPC namespace does not see key {key:#x} in /proc/sysvipc/shm")
    assert key not in shm_keys(), f"key {key:#x} appeared in the host's IPC namespace"


@koan(man="mount_namespaces(7), mount(2)",
      hints=["A new mount namespace is a copy. Are copies of shared mounts independent?",
             "After unshare(CLONE_NEWNS), mount(None, '/', None, MS_REC | MS_PRIVATE) stops "
             "propagation both ways; then mount('kk-tmpfs', target, 'tmpfs')."],
      needs=["root"])
def test_tmpfs_mounted_in_a_private_mount_namespace_is_invisible_to_the_host(scratch: Path) -> None:
    """A mount made in a private mount namespace exists only there: the host never sees it.
    Every volume and the rootfs of a container are mounts of this kind.

    MS_REC | MS_SLAVE (runc's default) also keeps the tmpfs from the host; the koan accepts it."""
    target = scratch / "mnt"
    target.mkdir()
    host_before = decoy.mount_points("self")
    # The stand-in host's / is shared, as on systemd machines, and the scratch directory is a
    # shared mount of its own there (like /home or /tmp): a mount that is not made private,
    # recursively, propagates into the stand-in (and never reaches the real host).
    with held(decoy.run_behind, ["mnt"], uts_ipc_mount.mount_tmpfs_privately, str(target),
              shared_submounts=[str(scratch)]) as h:
        child, stand_in_before = h.value.pid, h.value.mountinfo
        child_mounts = {point: (m.fstype, m.optional) for point, m in procfs.mounts(child).items()}
        stand_in_now = Path(f"/proc/{h.pid}/mountinfo").read_text()
        (Path(f"/proc/{child}/root") / str(target).lstrip("/") / "kk-note").write_text("inside\n")
        seen_by_stand_in = (Path(f"/proc/{h.pid}/root") / str(target).lstrip("/") / "kk-note").exists()
    assert child_mounts.get(str(target), ("", ""))[0] == "tmpfs", (
        f"/proc/<pid>/mountinfo of the child has no tmpfs on {target}")
    assert "shared:" not in child_mounts.get("/", ("", ""))[1], (
        "the child's / is still a shared mount: its mount events propagate to the host "
        "(make it private before mounting)")
    assert stand_in_now == stand_in_before and not seen_by_stand_in, (
        f"the tmpfs on {target} propagated into the host's mount namespace: copies of shared "
        "mounts stay peers; make them private (MS_REC | MS_PRIVATE) before mounting")
    still_shared = sorted(point for point, (_, fields) in child_mounts.items() if "shared:" in fields)
    assert not still_shared, (
        f"the child's mounts {still_shared} are still shared (mountinfo 'shared:N'): "
        "MS_PRIVATE on / alone changes / only; MS_REC carries it to every mount below")
    assert not (target / "kk-note").exists() and decoy.mount_points("self") == host_before, (
        "the real host's mount table changed")
