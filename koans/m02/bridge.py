"""Plug a network namespace into a Linux bridge through a veth pair, with pyroute2.

This is what `docker network create` + `docker run --network` do for every
container: one veth end goes into the container's namespace with an address,
the other end becomes a port of the bridge.
"""
from __future__ import annotations


def plug(netns: str, bridge: str, host_end: str, ns_end: str, cidr: str) -> None:
    """Move `ns_end` into `netns` with address `cidr`; make `host_end` a port of `bridge`.

    The veth pair (host_end, ns_end) and the bridge already exist in the host
    namespace (the koan made them). Use pyroute2:
      - `IPRoute().link("set", index=..., net_ns_fd=netns)` moves an interface into a
        named namespace;
      - `link("set", index=..., master=<bridge index>)` makes an interface a bridge port;
      - `NetNS(netns)` is an IPRoute that works inside the namespace: add the address
        there (`addr("add", index=..., address=..., prefixlen=...)`).
    Bring the bridge, the host end and the namespaced end UP (`state="up"`).
    """
    raise NotImplementedError("should put `ns_end` in `netns` with its address and make `host_end` a port of `bridge`")
