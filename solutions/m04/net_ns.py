"""Network namespaces (reference)."""
from __future__ import annotations

from pyroute2 import IPRoute, NetNS

from kernel_koans import linux


def enter_new_netns() -> None:
    """Give this process a network stack of its own."""
    # The new namespace has its own interfaces, routes, firewall and sockets:
    # only a loopback device, which starts down.
    linux.unshare(linux.CLONE_NEWNET)


def wire(ns_a: str, ns_b: str, veth_a: str, veth_b: str,
         addr_a: str, addr_b: str, prefixlen: int) -> None:
    """Connect the named network namespaces ns_a and ns_b with a veth pair."""
    with IPRoute() as ipr:
        # A veth pair is a virtual cable: what goes in one end comes out the other.
        ipr.link("add", ifname=veth_a, kind="veth", peer=veth_b)
        # Moving an interface hands it to another namespace's stack (netlink
        # IFLA_NET_NS_FD); pyroute2 opens /run/netns/<name> for us.
        ipr.link("set", index=ipr.link_lookup(ifname=veth_a)[0], net_ns_fd=ns_a)
        ipr.link("set", index=ipr.link_lookup(ifname=veth_b)[0], net_ns_fd=ns_b)
    for ns_name, ifname, address in ((ns_a, veth_a, addr_a), (ns_b, veth_b, addr_b)):
        with NetNS(ns_name) as ns:
            index = ns.link_lookup(ifname=ifname)[0]
            ns.addr("add", index=index, address=address, prefixlen=prefixlen)
            ns.link("set", index=index, state="up")
            ns.link("set", index=ns.link_lookup(ifname="lo")[0], state="up")
