"""mini-run's network (`--net bridge`): a veth pair from a kk- bridge into the container.

The container's network namespace starts with a lone loopback, down. The host end of a
veth pair joins a bridge that holds the subnet's gateway address; the other end moves
into the container's namespace, where it becomes eth0 with the container's address and a
default route through the gateway. Deleting one end of a veth deletes both.
"""
from __future__ import annotations

import hashlib
import ipaddress

from pyroute2 import IPRoute


def host_veth(container_id: str) -> str:
    """The host end's name: kk- plus a digest of the id (ids are longer than 15 bytes)."""
    return "kk-" + hashlib.sha256(container_id.encode()).hexdigest()[:10]


def _peer_veth(container_id: str) -> str:
    return "kk-p" + hashlib.sha256(container_id.encode()).hexdigest()[:10]


def _gateway(address: str) -> ipaddress.IPv4Interface:
    """The first host address of `address`'s subnet, with the subnet's prefix."""
    iface = ipaddress.IPv4Interface(address)
    first = next(iface.network.hosts())
    return ipaddress.IPv4Interface(f"{first}/{iface.network.prefixlen}")


def attach(pid: int, container_id: str, *, bridge: str, address: str) -> None:
    """Give pid's network namespace an eth0 with `address` (CIDR), reachable over `bridge`."""
    iface = ipaddress.IPv4Interface(address)
    gateway = _gateway(address)
    if iface.ip == gateway.ip:
        raise ValueError(f"{address} is the gateway address of its subnet (the bridge's)")
    host, peer = host_veth(container_id), _peer_veth(container_id)
    with IPRoute() as ipr:
        if not ipr.link_lookup(ifname=bridge):
            ipr.link("add", ifname=bridge, kind="bridge")
        br = ipr.link_lookup(ifname=bridge)[0]
        have = {(a.get("IFA_ADDRESS"), a["prefixlen"]) for a in ipr.get_addr(index=br, family=2)}
        if (str(gateway.ip), gateway.network.prefixlen) not in have:
            ipr.addr("add", index=br, address=str(gateway.ip), prefixlen=gateway.network.prefixlen)
        ipr.link("set", index=br, state="up")
        ipr.link("add", ifname=host, kind="veth", peer=peer)
        hidx = ipr.link_lookup(ifname=host)[0]
        ipr.link("set", index=hidx, master=br, state="up")
        ipr.link("set", index=ipr.link_lookup(ifname=peer)[0], net_ns_pid=pid)
    with IPRoute(netns=f"/proc/{pid}/ns/net") as inside:
        idx = inside.link_lookup(ifname=peer)[0]
        inside.link("set", index=idx, ifname="eth0")
        inside.addr("add", index=idx, address=str(iface.ip), prefixlen=iface.network.prefixlen)
        inside.link("set", index=idx, state="up")
        inside.link("set", index=inside.link_lookup(ifname="lo")[0], state="up")
        inside.route("add", dst="default", gateway=str(gateway.ip))


def detach(container_id: str, *, bridge: str) -> None:
    """Remove the container's host veth, and the bridge once no port is left on it."""
    with IPRoute() as ipr:
        for idx in ipr.link_lookup(ifname=host_veth(container_id)):
            ipr.link("del", index=idx)
        for br in ipr.link_lookup(ifname=bridge):
            if not ipr.get_links(master=br):
                ipr.link("del", index=br)
