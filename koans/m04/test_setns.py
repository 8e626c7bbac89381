"""M4 · setns(2): joining namespaces (docker exec), and pinning them with a bind mount (ip netns).

Your code (m04/join_ns.py) runs in children; the koan compares namespace
inodes from the host: two processes are in the same namespace exactly when
their /proc/<pid>/ns/<kind> files have the same inode.
"""
from __future__ import annotations

import os
from pathlib import Path

from pyroute2 import IPRoute, netns

from kernel_koans import linux, names
from kernel_koans.child import held, in_child
from kernel_koans.exercise import exercise
from kernel_koans.fixtures.network import NetFactory
from kernel_koans.koan import koan

join_ns = exercise("m04/join_ns")

KINDS = ["uts", "ipc", "net", "mnt"]


def unshare(*kinds: str) -> None:
    flags = 0
    for kind in kinds:
        flags |= linux.NAMESPACE_FLAGS[kind]
    linux.unshare(flags)


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


@koan(man="setns(2), nsenter(1)",
      hints=["One setns(2) call joins one namespace. How many calls for four kinds?",
             "Open /proc/<pid>/ns/<kind> for every kind first, then setns each fd with "
             "linux.NAMESPACE_FLAGS[kind] as nstype (the kernel then checks the file's kind)."],
      needs=["root", "netns"])
def test_nsenter_joins_several_namespaces() -> None:
    """A container is a set of namespaces; entering it means joining each, one setns at a time.
    That is all `nsenter -t PID -u -i -n -m` does before it execs the command."""
    with held(unshare, *KINDS) as target:
        with held(join_ns.nsenter, target.pid, list(KINDS)) as joiner:
            differ = {kind: (linux.ns_inode(target.pid, kind), linux.ns_inode(joiner.pid, kind))
                      for kind in KINDS
                      if linux.ns_inode(target.pid, kind) != linux.ns_inode(joiner.pid, kind)}
    assert not differ, (
        f"namespaces not shared with the target (target inode, joiner inode): {differ}")


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
