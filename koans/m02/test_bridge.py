"""By hand first: namespaces, veth pairs and a bridge are all a Docker network is."""
from __future__ import annotations

from pyroute2 import IPRoute, NetNS

from kernel_koans import exercise, koan

bridge = exercise("m02/bridge")

SUBNET = "10.251.0"


def _plugged(net, br: str, hint: str, host: int) -> tuple[str, str]:
    """A new namespace plugged into `br` by the learner's code: (namespace, its address)."""
    ns = net.netns(hint)
    host_end, ns_end = net.veth(hint[:2])
    address = f"{SUBNET}.{host}"
    bridge.plug(ns, br, host_end, ns_end, f"{address}/24")
    return ns, address


@koan(man="veth(4), ip-link(8) (master), bridge(8)",
      hints=["One end of the pair must leave the host namespace; the other must get a master.",
             "IFLA_NET_NS_FD moves a link into a namespace; IFLA_MASTER makes it a bridge port."],
      needs=["root", "netns"])
def test_veth_end_moves_into_namespace_and_host_end_joins_bridge(net):
    """A container's eth0 is one end of a veth pair; the other end is a port of the bridge.
    The kernel records both facts: the link's namespace and its IFLA_MASTER."""
    br = net.bridge("br")
    ns = net.netns("vt")
    host_end, ns_end = net.veth("vt")
    bridge.plug(ns, br, host_end, ns_end, f"{SUBNET}.7/24")
    with IPRoute() as ipr:
        assert not ipr.link_lookup(ifname=ns_end), \
            f"{ns_end} is still in the host namespace: it was never moved into {ns}"
        br_index = ipr.link_lookup(ifname=br)[0]
        host_link = ipr.get_links(ipr.link_lookup(ifname=host_end)[0])[0]
        assert host_link.get_attr("IFLA_MASTER") == br_index, \
            f"{host_end} has no IFLA_MASTER pointing at {br}: it is not a port of the bridge"
        assert host_link.get_attr("IFLA_OPERSTATE") == "UP", \
            f"{host_end} is {host_link.get_attr('IFLA_OPERSTATE')}: both ends must be up to carry frames"
    with NetNS(ns) as inside:
        found = inside.link_lookup(ifname=ns_end)
        assert found, f"{ns_end} is not inside {ns}"
        addrs = [a.get_attr("IFA_ADDRESS") for a in inside.get_addr(index=found[0], family=2)]
        assert f"{SUBNET}.7" in addrs, f"{ns_end} inside {ns} has addresses {addrs}, not {SUBNET}.7"


@koan(man="bridge(8), tcp(7)",
      hints=["Plug both namespaces into the same bridge, in the same subnet.",
             "The bridge learns each port's MAC and switches frames between them: ARP, then TCP."],
      needs=["root", "netns"])
def test_namespaces_on_one_bridge_talk_over_tcp(net, nsprobe):
    """Two namespaces whose veths are ports of one bridge share a layer-2 segment.
    That is how two containers on one Docker network reach each other."""
    br = net.bridge("br")
    ns_a, addr_a = _plugged(net, br, "ta", 1)
    ns_b, addr_b = _plugged(net, br, "tb", 2)
    nsprobe.tcp_echo_server(ns_b, addr_b, 7000)
    got = nsprobe.tcp_roundtrip(ns_a, addr_b, 7000, b"hello")
    assert got == b"echo:hello", \
        f"a TCP client in {ns_a} ({addr_a}) could not reach {addr_b} in {ns_b} across {br}: {got!r}"


@koan(man="bridge(8), arp(7)",
      hints=["Same subnet, different bridges: what does an ARP request reach?",
             "A bridge floods ARP only to its own ports; with no router between the bridges, "
             "nothing answers and connect() fails."],
      needs=["root", "netns"])
def test_namespaces_on_different_bridges_cannot_talk(net, nsprobe):
    """Separate bridges are separate layer-2 segments: even in one subnet, no frame crosses.
    Docker networks are separate bridges; only the host's routing could join them."""
    br_one, br_two = net.bridge("br"), net.bridge("br")
    ns_a, addr_a = _plugged(net, br_one, "da", 1)
    ns_b, addr_b = _plugged(net, br_one, "db", 2)
    ns_c, addr_c = _plugged(net, br_two, "dc", 3)
    nsprobe.tcp_echo_server(ns_b, addr_b, 7000)
    nsprobe.tcp_echo_server(ns_c, addr_c, 7000)
    same = nsprobe.tcp_roundtrip(ns_a, addr_b, 7000, b"same")
    assert same == b"echo:same", f"{ns_a} could not even reach {addr_b} on its own bridge: {same!r}"
    other = nsprobe.tcp_roundtrip(ns_a, addr_c, 7000, b"other", timeout=2.0)
    assert other != b"echo:other", \
        f"{ns_a} on {br_one} reached {addr_c} on {br_two}: the two bridges are joined somewhere"
