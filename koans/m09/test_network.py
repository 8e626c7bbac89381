"""M9 · mini-run's network: a veth pair from a kk- bridge into each container.

Your code (projects/mini_run/network.py) wires a container's network namespace to a
bridge on the host. The koan holds children in fresh network namespaces as containers,
reads what your code made over netlink (from the host, and from inside each namespace),
and sends TCP from one container to the other across the bridge.
"""
from __future__ import annotations

import ipaddress
import random
import secrets
from typing import Any

from pyroute2 import IPRoute

from kernel_koans import NetFactory, exercise, held, in_child, koan, linux, names
from kernel_koans.probe import NsProbe, enter_netns

network = exercise("projects/mini_run/network")

IFF_UP = 0x1
AF_INET = 2


def inside(pid: int) -> dict[str, Any]:
    """What netlink shows in pid's namespace: {ifname: (up, [addr/prefix])} and the
    default route's gateway."""
    linux.enter(f"/proc/{pid}/ns/net", linux.CLONE_NEWNET)
    with IPRoute() as ipr:
        links = {}
        for link in ipr.get_links():
            addrs = [f"{a.get('IFA_ADDRESS')}/{a['prefixlen']}"
                     for a in ipr.get_addr(index=link["index"], family=AF_INET)]
            links[str(link.get("ifname"))] = (bool(link["flags"] & IFF_UP), sorted(addrs))
        gateways = [r.get("RTA_GATEWAY") for r in ipr.get_routes(family=AF_INET)
                    if r["dst_len"] == 0 and r.get("RTA_GATEWAY")]
    return {"links": links, "default_via": gateways}


def host_links() -> dict[str, tuple[str | None, list[str]]]:
    """kk- links of the host namespace: {name: (master's name, [addr/prefix])}."""
    with IPRoute() as ipr:
        by_index = {link["index"]: str(link.get("ifname")) for link in ipr.get_links()}
        found = {}
        for link in ipr.get_links():
            name = str(link.get("ifname"))
            if name.startswith(names.PREFIX):
                addrs = [f"{a.get('IFA_ADDRESS')}/{a['prefixlen']}"
                         for a in ipr.get_addr(index=link["index"], family=AF_INET)]
                found[name] = (by_index.get(link.get("IFLA_MASTER") or -1), sorted(addrs))
    return found


def random_subnet() -> ipaddress.IPv4Network:
    """A random subnet of 10.128.0.0/9, /25 to /28, not starting at .0 (so its gateway is
    not a guessable .1), that no host address is in."""
    with IPRoute() as ipr:
        taken = [ipaddress.IPv4Interface(f"{a.get('IFA_ADDRESS')}/{a['prefixlen']}").network
                 for a in ipr.get_addr(family=AF_INET)]
    while True:
        prefix = random.randint(25, 28)
        base = ipaddress.IPv4Address(int(ipaddress.IPv4Address("10.128.0.0"))
                                     + random.randrange(1 << 23))
        subnet = ipaddress.IPv4Network(f"{base}/{prefix}", strict=False)
        if int(subnet.network_address) % 256 and not any(subnet.overlaps(t) for t in taken):
            return subnet


def addresses(subnet: ipaddress.IPv4Network, count: int) -> list[str]:
    """`count` distinct random host addresses of the subnet (never its first: the gateway's)."""
    hosts = list(subnet.hosts())[1:]
    return [f"{ip}/{subnet.prefixlen}" for ip in random.sample(hosts, count)]


def container_ids(count: int) -> list[str]:
    """Ids as long as an engine's, the same but for their last characters."""
    stem = names.unique("ctr", limit=20) + secrets.token_hex(16)
    return [f"{stem}{i:02d}{secrets.token_hex(4)}" for i in range(count)]


HINTS = [
    "Three kinds of links: a bridge (kind='bridge'), a veth pair (kind='veth', peer=...), and "
    "the pair's far end moved into the container (IFLA_NET_NS_PID: net_ns_pid=pid).",
    "pyroute2: IPRoute().link('add', ifname=..., kind='veth', peer=...), link('set', index=..., "
    "master=bridge_index, state='up'), link('set', index=..., net_ns_pid=pid). Inside, "
    "IPRoute(netns=f'/proc/{pid}/ns/net') renames it eth0, adds the address, brings eth0 and lo "
    "up, and adds route('add', dst='default', gateway=...).",
]


@koan(man="veth(4)", hints=HINTS, needs=["root", "netns"])
def test_attach_gives_eth0_its_address_and_a_default_route(net: NetFactory,
                                                           link_sweep: None) -> None:
    """After attach, the container has eth0 with its address, lo up and a default route via
    the bridge's address; the host keeps only one end of the pair, a port of the bridge."""
    bridge = names.unique("br")
    net.adopt_link(bridge)
    subnet = random_subnet()
    gateway = next(subnet.hosts())
    [address] = addresses(subnet, 1)
    [cid] = container_ids(1)
    ns = net.netns("c")
    before = host_links()
    with held(enter_netns, ns) as box:
        network.attach(box.pid, cid, bridge=bridge, address=address)
        seen = in_child(inside, box.pid)
        after = host_links()
    assert seen["links"].get("eth0") == (True, [address]), (
        f"netlink inside the container shows {seen['links']}: eth0 should be up with {address}")
    assert seen["links"].get("lo", (False,))[0], "lo is down inside the container"
    assert seen["default_via"] == [str(gateway)], (
        f"the container's default routes go via {seen['default_via']}, not via {gateway} "
        f"(the first address of {subnet}, on the bridge)")
    new = {name: v for name, v in after.items() if name not in before}
    assert bridge in new and f"{gateway}/{subnet.prefixlen}" in new[bridge][1], (
        f"the host's bridge {bridge} is {new.get(bridge)}: it should exist and hold "
        f"{gateway}/{subnet.prefixlen}")
    ports = {name: master for name, (master, _) in new.items() if name != bridge}
    assert list(ports.values()) == [bridge], (
        f"new kk- links in the host namespace besides the bridge: {ports} (name: master). "
        "Exactly one should stay on the host, a port of the bridge; its peer belongs inside")
    network.detach(cid, bridge=bridge)


@koan(man="veth(4)", hints=HINTS, needs=["root", "netns"])
def test_two_containers_talk_tcp_over_the_bridge(net: NetFactory, nsprobe: NsProbe,
                                                 link_sweep: None) -> None:
    """Two containers attached to one bridge reach each other: the bridge forwards frames
    between its ports, each veth carries them across the namespace boundary."""
    bridge = names.unique("br")
    net.adopt_link(bridge)
    subnet = random_subnet()
    addr_a, addr_b = addresses(subnet, 2)
    id_a, id_b = container_ids(2)
    ns_a, ns_b = net.netns("ca"), net.netns("cb")
    port = random.randint(20000, 60000)
    payload = secrets.token_hex(8).encode()
    with held(enter_netns, ns_a) as box_a, held(enter_netns, ns_b) as box_b:
        network.attach(box_a.pid, id_a, bridge=bridge, address=addr_a)
        network.attach(box_b.pid, id_b, bridge=bridge, address=addr_b)
        server_ip = addr_b.split("/")[0]
        nsprobe.tcp_echo_server(ns_b, server_ip, port)
        got = nsprobe.tcp_roundtrip(ns_a, server_ip, port, payload)
    network.detach(id_a, bridge=bridge)
    network.detach(id_b, bridge=bridge)
    assert got == b"echo:" + payload, (
        f"a TCP client in container A ({addr_a}) asking container B ({addr_b}) got {got!r}")


@koan(man="ip-link(8)",
      hints=["Deleting either end of a veth deletes the pair. A bridge's ports are the links "
             "whose master is the bridge.",
             "IPRoute().link('del', index=...) for the host end; "
             "get_links(master=bridge_index) empty means no container uses the bridge."],
      needs=["root", "netns"])
def test_detach_removes_the_link_and_the_bridge_once_unused(net: NetFactory,
                                                            link_sweep: None) -> None:
    """detach takes the container's host end away, keeps a bridge another container still
    uses, removes it with the last one, and may be called again."""
    bridge = names.unique("br")
    net.adopt_link(bridge)
    subnet = random_subnet()
    addr_a, addr_b = addresses(subnet, 2)
    id_a, id_b = container_ids(2)
    ns_a, ns_b = net.netns("ca"), net.netns("cb")
    before = host_links()
    with held(enter_netns, ns_a) as box_a, held(enter_netns, ns_b) as box_b:
        network.attach(box_a.pid, id_a, bridge=bridge, address=addr_a)
        network.attach(box_b.pid, id_b, bridge=bridge, address=addr_b)
        both = {n for n, (master, _) in host_links().items() if master == bridge}
        network.detach(id_a, bridge=bridge)
        one = {n: v for n, v in host_links().items() if n not in before}
        left_inside = in_child(inside, box_b.pid)["links"]
        network.detach(id_b, bridge=bridge)
        network.detach(id_b, bridge=bridge)
        network.detach(id_a, bridge=bridge)
        none = {n: v for n, v in host_links().items() if n not in before}
    assert len(both) == 2, f"the bridge's ports after two attach calls: {sorted(both)}"
    ports = {n for n, (master, _) in one.items() if master == bridge}
    assert bridge in one and len(ports) == 1 and ports < both, (
        f"after detaching A the host's new kk- links are {one}: the bridge should stay, with "
        "B's port alone on it")
    assert "eth0" in left_inside, "container B lost its eth0 when A was detached"
    assert not none, f"after detaching both containers the host still has {none}"
