"""M4 · setns(2): joining namespaces (docker exec), and pinning them with a bind mount (ip netns).

Your code (m04/join_ns.py) runs in children; the koan compares namespace
inodes from the host: two processes are in the same namespace exactly when
their /proc/<pid>/ns/<kind> files have the same inode.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

from pyroute2 import IPRoute, netns

from kernel_koans import NetFactory, exercise, koan, linux, names
from kernel_koans.child import held, in_child, spawn_held

join_ns = exercise("m04/join_ns")

ENTER = ["uts", "user", "ipc", "net", "mnt"]
"""What nsenter is asked to join: user neither first nor last, so no single order fits both
targets of test_nsenter_joins_several_namespaces."""


def unshare(*kinds: str) -> None:
    flags = 0
    for kind in kinds:
        flags |= linux.NAMESPACE_FLAGS[kind]
    linux.unshare(flags)


def become_uid(uid: int) -> None:
    """Drop from root to an ordinary uid/gid, as a login would."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    linux.prctl(linux.PR_SET_DUMPABLE, 1)  # the uid change made /proc/self root-only; undo that


def map_self(uid: int, gid: int) -> None:
    """Right after unshare(CLONE_NEWUSER): be root inside, `uid`/`gid` outside."""
    Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/gid_map").write_text(f"0 {gid} 1")


def rootless_container(uid: int) -> None:
    """An ordinary user's container: its user namespace owns all its other namespaces."""
    become_uid(uid)
    unshare("user", "mnt", "uts", "ipc", "net")
    map_self(uid, uid)


def pod_inside() -> None:
    """pid 1 of the pod: a /proc of its own pid namespace, then a user namespace on top."""
    linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
    linux.unshare(linux.CLONE_NEWUSER)
    map_self(0, 0)


def root_made_pod() -> int:
    """Root makes the namespaces (so root's user namespace owns them), then the pod's first
    process adds a user namespace. Returns that process's pid, as the host numbers it."""
    unshare("mnt", "uts", "ipc", "net", "pid")
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)  # its /proc stays out of the host
    pid, _ = spawn_held(pod_inside)
    return pid


def as_uid_then_nsenter(uid: int, pid: int, kinds: list[str]) -> None:
    become_uid(uid)
    join_ns.nsenter(pid, list(kinds))


def differing(target: int, joiner: int) -> dict[str, tuple[int, int]]:
    """kind -> (target's inode, joiner's inode) for the kinds asked for that they do not share."""
    pairs = {kind: (linux.ns_inode(target, kind), linux.ns_inode(joiner, kind)) for kind in ENTER}
    return {kind: pair for kind, pair in pairs.items() if pair[0] != pair[1]}


def pin_and_report(name: str) -> int:
    """In a child that then exits: the learner's `ip netns add`, and the namespace it is in."""
    join_ns.create_named_netns(name)
    return linux.ns_inode("self", "net")


def links_at(path: str) -> list[tuple[str, bool]]:
    with open(path) as ns:
        linux.setns(ns.fileno(), linux.CLONE_NEWNET)
    with IPRoute() as ipr:
        return sorted((str(link.get("ifname")), bool(link["flags"] & 1)) for link in ipr.get_links())


def mount_points() -> set[str]:
    return {line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()}


@koan(man="setns(2), namespaces(7)",
      hints=["setns(2) wants a file descriptor. Of which file?",
             "fd = os.open(ns_file, os.O_RDONLY); linux.setns(fd); os.close(fd): the open file "
             "is a handle on the namespace itself."],
      needs=["root", "netns"])
def test_setns_joins_the_same_network_namespace() -> None:
    """setns(2) moves a process into an existing namespace: the same one, not a copy.
    `docker exec` and `nsenter` are this call on the container's /proc/<pid>/ns files."""
    with held(unshare, "net") as target:
        with held(join_ns.join_namespace, f"/proc/{target.pid}/ns/net") as joiner:
            theirs = linux.ns_inode(target.pid, "net")
            mine = linux.ns_inode(joiner.pid, "net")
    assert theirs != linux.ns_inode(os.getpid(), "net"), "setup: the target should have its own netns"
    assert mine == theirs, (
        f"/proc/<joiner>/ns/net has inode {mine}, the target's {theirs}: after setns(2) both "
        "name the same namespace")


@koan(man="setns(2), nsenter(1), user_namespaces(7)",
      hints=["One setns(2) call joins one namespace, and each call needs privilege over the "
             "namespace joined. Which of your capabilities survive joining a user namespace?",
             "Open every /proc/<pid>/ns/<kind> first (once in the target's mount namespace, /proc "
             "may be another pid namespace's). Then join all but user; join user; then retry "
             "the joins that failed with EPERM. That is nsenter(1)'s two passes."],
      needs=["root", "netns", "userns"])
def test_nsenter_joins_several_namespaces() -> None:
    """A container is a set of namespaces; entering it means joining each, one setns at a time,
    in an order that privilege dictates. That is all `nsenter -t PID -U -u -i -n -m` does.

    Two containers, one list of kinds: a rootless one entered by its owner (only joining its
    user namespace first grants the rights for the rest), and a pod made by root whose
    namespaces root owns, with its own /proc (joining its user namespace drops root's rights
    over them, so it goes last, and its /proc does not know the host's pid numbers)."""
    uid = random.randrange(200000, 260000)
    with held(rootless_container, uid) as rootless:
        with held(as_uid_then_nsenter, uid, rootless.pid, ENTER) as joiner:
            rootless_differ = differing(rootless.pid, joiner.pid)
    with held(root_made_pod) as pod:
        with held(join_ns.nsenter, pod.value, list(ENTER)) as joiner:
            pod_differ = differing(pod.value, joiner.pid)
    assert not rootless_differ, (
        f"uid {uid} entering its own rootless container: namespaces not shared (target inode, "
        f"joiner inode): {rootless_differ}")
    assert not pod_differ, (
        f"root entering a pod root made: namespaces not shared (target inode, joiner inode): "
        f"{pod_differ}")


@koan(man="ip-netns(8), namespaces(7), mount(2)",
      hints=["A namespace lives while something refers to it: a process, an open fd... or a mount.",
             "Create /run/netns/NAME (an empty file), unshare(CLONE_NEWNET), then "
             "linux.mount('/proc/self/ns/net', '/run/netns/NAME', None, linux.MS_BIND)."],
      needs=["root", "netns"])
def test_named_netns_outlives_its_creator(net: NetFactory) -> None:
    """`ip netns add` is unshare plus a bind mount of the ns file: the mount keeps the
    namespace alive with no process in it. The manual network namespace demo, by hand."""
    name = names.unique("pin", limit=40)
    net.adopt_netns(name)  # removed (unmounted) after the koan
    path = f"/run/netns/{name}"
    created = in_child(pin_and_report, name)  # the creator has exited when this returns
    assert created != linux.ns_inode(os.getpid(), "net"), (
        "the creator was still in the host's network namespace")
    assert path in mount_points(), f"{path} is not a mount point in the host's mountinfo"
    assert os.stat(path).st_ino == created, (
        f"{path} has inode {os.stat(path).st_ino}, the creator's namespace {created}: the "
        "bind mount should show the namespace file itself")
    assert name in netns.listnetns(), f"`ip netns list` does not show {name}"
    links = in_child(links_at, path)
    assert links == [("lo", False)], (
        f"joining {path} after its creator exited shows links {links}: the pinned namespace "
        "should still be there, with only lo")
