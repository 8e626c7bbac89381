"""M4 · Network namespaces: the manual network namespace demo, checked through netlink.

Your code (m04/net_ns.py) creates and wires namespaces; the koan looks at them
with pyroute2 from a child that joined them (setns), and sends TCP through them.
"""
from __future__ import annotations

import os
import random
import socket

from pyroute2 import IPRoute
from pyroute2.netns import NETNS_RUN_DIR

from kernel_koans import NetFactory, exercise, held, in_child, koan, linux, names

net_ns = exercise("m04/net_ns")

IFF_UP = 0x1


def links_in(pid: int) -> list[tuple[str, bool]]:
    """(name, is up) of every interface in pid's network namespace, read over netlink."""
    linux.enter(f"/proc/{pid}/ns/net", linux.CLONE_NEWNET)
    with IPRoute() as ipr:
        return sorted((str(link.get("ifname")), bool(link["flags"] & IFF_UP))
                      for link in ipr.get_links())


def tcp_across(ns_a: str, ns_b: str, addr_a: str, addr_b: str) -> tuple[str, bytes] | str:
    """Listen in ns_b, connect from ns_a: a socket belongs to the namespace it was made in.
    Returns (peer address the server saw, bytes received) or the error text."""
    try:
        linux.enter(f"{NETNS_RUN_DIR}/{ns_b}", linux.CLONE_NEWNET)
        server = socket.create_server((addr_b, 0))
        server.settimeout(5)
        linux.enter(f"{NETNS_RUN_DIR}/{ns_a}", linux.CLONE_NEWNET)
        client = socket.create_connection((addr_b, server.getsockname()[1]), timeout=5)
        conn, peer = server.accept()
        client.sendall(b"kk-hello")
        client.close()
        return peer[0], conn.recv(64)
    except OSError as err:
        return f"{type(err).__name__}: {err}"


@koan(man="network_namespaces(7)",
      hints=["Which CLONE_NEW* flag gives a process its own network stack?",
             "linux.unshare(linux.CLONE_NEWNET). Then look: `ip -n` shows only lo, state DOWN."],
      needs=["root", "netns"])
def test_new_netns_has_only_lo_and_it_is_down() -> None:
    """A new network namespace is empty: one loopback interface, down; no routes, no eth0.
    Everything a container's network has, its runtime adds afterwards."""
    with held(net_ns.enter_new_netns) as h:
        assert linux.ns_inode(h.pid, "net") != linux.ns_inode(os.getpid(), "net"), (
            "the child's /proc/<pid>/ns/net is the host's: no new network namespace")
        links = in_child(links_in, h.pid)
    assert links == [("lo", False)], (
        f"netlink lists {links} in the new namespace: a fresh network namespace has only "
        "lo, and lo is down")


@koan(man="veth(4), ip-netns(8), network_namespaces(7)",
      hints=["A veth pair is a cable with two ends; each end can live in a different namespace.",
             "ipr.link('add', kind='veth', peer=...), then ipr.link('set', index=..., "
             "net_ns_fd=<ns name>) for each end; inside each namespace (NetNS(name)) add the "
             "address and set the link, and lo, up."],
      needs=["root", "netns"])
def test_veth_pair_carries_tcp_between_two_namespaces(net: NetFactory) -> None:
    """Two namespaces joined by a veth pair talk TCP over addresses no one else has.
    This is docker0's design minus the bridge: one veth end per container."""
    ns_a, ns_b = net.netns("a"), net.netns("b")
    veth_a, veth_b = names.unique("va"), names.unique("vb")
    net.adopt_link(veth_a)
    net.adopt_link(veth_b)
    subnet = random.randrange(1, 250)
    addr_a, addr_b = f"10.254.{subnet}.1", f"10.254.{subnet}.2"
    in_child(net_ns.wire, ns_a, ns_b, veth_a, veth_b, addr_a, addr_b, 24)
    with IPRoute() as ipr:
        left_on_host = [n for n in (veth_a, veth_b) if ipr.link_lookup(ifname=n)]
    assert not left_on_host, f"{left_on_host} still in the host's namespace: move each end into its namespace"
    result = in_child(tcp_across, ns_a, ns_b, addr_a, addr_b)
    assert not isinstance(result, str), (
        f"a TCP connection from {ns_a} to {addr_b}:port in {ns_b} failed ({result}): the "
        "kernel found no working path over the veth pair")
    peer, data = result
    assert (peer, data) == (addr_a, b"kk-hello"), (
        f"the listener in {ns_b} accepted a connection from {peer} and read {data!r}: "
        f"expected {addr_a}, the address of the veth end in {ns_a}")
