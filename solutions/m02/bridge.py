"""Plug a network namespace into a Linux bridge through a veth pair, with pyroute2.

This is what `docker network create` + `docker run --network` do for every
container, minus the bookkeeping: one veth end goes into the container's
namespace with an address, the other end becomes a port of the bridge.
"""
from __future__ import annotations

from pyroute2 import IPRoute, NetNS


def plug(netns: str, bridge: str, host_end: str, ns_end: str, cidr: str) -> None:
    """Move `ns_end` into `netns` with address `cidr`; make `host_end` a port of `bridge`.

    The veth pair (host_end, ns_end) and the bridge already exist in the host
    namespace. Everything ends up UP.
    """
    address, prefixlen = cidr.split("/")
    with IPRoute() as ipr:
        bridge_index = ipr.link_lookup(ifname=bridge)[0]
        host_index = ipr.link_lookup(ifname=host_end)[0]
        peer_index = ipr.link_lookup(ifname=ns_end)[0]
        # IFLA_NET_NS_FD: the kernel moves the interface into the namespace (by name, pyroute2
        # opens /run/netns/<name> for us). It disappears from the host's view.
        ipr.link("set", index=peer_index, net_ns_fd=netns)
        # IFLA_MASTER: enslave the host end to the bridge; frames it receives are now switched.
        ipr.link("set", index=host_index, master=bridge_index)
        ipr.link("set", index=host_index, state="up")
        ipr.link("set", index=bridge_index, state="up")
    with NetNS(netns) as ns:
        index = ns.link_lookup(ifname=ns_end)[0]
        ns.addr("add", index=index, address=address, prefixlen=int(prefixlen))
        ns.link("set", index=index, state="up")
