"""Network namespaces: a network stack of one's own, wired to another with a veth pair.

Read network_namespaces(7) and veth(4). Use pyroute2 (netlink from Python):
`IPRoute()` talks to the namespace your process is in; `NetNS(name)` talks to
the named namespace /run/netns/<name>.
"""
from __future__ import annotations

from kernel_koans import linux  # noqa: F401 - unshare and CLONE_NEWNET


def enter_new_netns() -> None:
    """Give this process a network stack of its own (it runs in a child the koan keeps)."""
    raise NotImplementedError("should give this process a network stack of its own")


def wire(ns_a: str, ns_b: str, veth_a: str, veth_b: str,
         addr_a: str, addr_b: str, prefixlen: int) -> None:
    """Connect the named network namespaces ns_a and ns_b with a veth pair.

    Create the pair veth_a <-> veth_b (in your namespace), move veth_a into
    ns_a and veth_b into ns_b, give them addr_a/prefixlen and addr_b/prefixlen,
    and bring both ends up (and `lo` too: a fresh namespace's lo is down).
    With pyroute2:
        with IPRoute() as ipr: ipr.link("add", ifname=..., kind="veth", peer=...)
                               ipr.link("set", index=..., net_ns_fd=ns_name)
        with NetNS(ns_name) as ns: ns.addr("add", index=..., address=..., prefixlen=...)
                                   ns.link("set", index=..., state="up")
    """
    raise NotImplementedError("should connect ns_a and ns_b with an addressed, working veth pair")
