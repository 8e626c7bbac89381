"""Then the engine: user-defined networks, their embedded DNS, isolation and aliases."""
from __future__ import annotations

import re

import pytest
from pyroute2 import IPRoute

from kernel_koans import exercise, koan, names

engine = exercise("m02/engine_net")


def _sh(container, *argv: str) -> tuple[int, str]:
    """Run argv inside the container (docker exec) and return (exit code, output)."""
    code, out = container.exec_run(list(argv))
    return code, out.decode(errors="replace")


def _network(client, labels, hint: str):
    """A network made by the learner's create_network, named (and bridged) kk-..."""
    name = names.unique(hint)
    return engine.create_network(client, name, labels), name


@koan(man="docker network create (--opt com.docker.network.bridge.name), bridge(8), veth(4)",
      hints=["client.networks.create(...) with driver='bridge'; name the bridge with an option.",
             "The engine makes a bridge link on the host and, per container, a veth pair whose "
             "host end has the bridge as IFLA_MASTER: what you did by hand in test_bridge."],
      needs=["root", "docker", "busybox"])
@pytest.mark.timeout(60)
def test_user_defined_network_is_a_bridge_on_the_host(docker_client, busybox_image, docker_cleanup,
                                                      docker_ip):
    """`docker network create` is `ip link add type bridge`; `docker run --network` adds a veth.
    The host's netlink shows both, exactly like the network you wired by hand."""
    _, name = _network(docker_client, docker_cleanup, "nw")
    box = engine.run_on_network(docker_client, busybox_image, names.unique("c"), name, docker_cleanup)
    address = docker_ip(box, name)
    with IPRoute() as ipr:
        found = ipr.link_lookup(ifname=name)
        assert found, f"no link {name} in the host namespace: the network's bridge has another name"
        link = ipr.get_links(found[0])[0]
        kind = link.get_attr("IFLA_LINKINFO").get_attr("IFLA_INFO_KIND")
        assert kind == "bridge", f"{name} is a {kind!r} link, not a bridge"
        ports = [p for p in ipr.get_links() if p.get_attr("IFLA_MASTER") == found[0]]
        kinds = [p.get_attr("IFLA_LINKINFO").get_attr("IFLA_INFO_KIND") for p in ports]
        assert kinds == ["veth"], f"{name} has ports of kinds {kinds}: one veth per container expected"
    code, out = _sh(box, "ip", "-o", "-4", "addr", "show", "eth0")
    assert address and address in out, \
        f"the container's eth0 does not hold {address}, its address on {name}: {out.strip()}"


@koan(man="docker network (embedded DNS server, 127.0.0.11), resolv.conf(5)",
      hints=["Put both containers on the same user-defined network; names come for free.",
             "The engine writes nameserver 127.0.0.11 into each container's resolv.conf and "
             "answers container names on that network from its own DNS server."],
      needs=["root", "docker", "busybox"])
@pytest.mark.timeout(60)
def test_embedded_dns_resolves_container_names(docker_client, busybox_image, docker_cleanup,
                                               docker_ip):
    """On a user-defined network, a container reaches another by its name.
    The engine's DNS at 127.0.0.11 answers it: no hosts file, no links."""
    _, name = _network(docker_client, docker_cleanup, "dn")
    client = engine.run_on_network(docker_client, busybox_image, names.unique("cli"), name, docker_cleanup)
    server_name = names.unique("srv")
    server = engine.run_on_network(docker_client, busybox_image, server_name, name, docker_cleanup)
    _, resolv = _sh(client, "cat", "/etc/resolv.conf")
    assert "nameserver 127.0.0.11" in resolv, f"the container's resolv.conf is not the engine's: {resolv}"
    code, out = _sh(client, "ping", "-c", "1", "-W", "3", server_name)
    expected = docker_ip(server, name)
    seen = re.search(r"PING \S+ \(([\d.]+)\)", out)
    assert seen and seen.group(1) == expected, \
        f"{server_name} resolved to {seen.group(1) if seen else 'nothing'}, not its address {expected}"
    assert code == 0, f"{server_name} resolved but did not answer a ping across the bridge: {out}"


@koan(man="ip-sysctl (net.ipv4.conf.*.forwarding), docker network (isolation)",
      hints=["Within a network frames are bridged; between networks packets are routed by the "
             "host. Where can the host refuse?",
             "Two networks are two bridges joined only by the host's IP forwarding. Docker adds "
             "iptables DROP rules; the kernel's own switch is the bridge's forwarding sysctl."],
      needs=["root", "docker", "busybox"])
@pytest.mark.timeout(90)
def test_containers_on_different_networks_cannot_talk(docker_client, busybox_image,
                                                      docker_cleanup, docker_ip):
    """Containers on different networks must not reach each other, but bridges alone do not
    ensure it: the host routes between them unless told not to (Docker: iptables)."""
    _, red = _network(docker_client, docker_cleanup, "red")
    _, blue = _network(docker_client, docker_cleanup, "blu")
    a = engine.run_on_network(docker_client, busybox_image, names.unique("a"), red, docker_cleanup)
    a2 = engine.run_on_network(docker_client, busybox_image, names.unique("a"), red, docker_cleanup)
    b = engine.run_on_network(docker_client, busybox_image, names.unique("b"), blue, docker_cleanup)
    engine.isolate_network(red)
    engine.isolate_network(blue)
    for bridge in (red, blue):
        with open(f"/proc/sys/net/ipv4/conf/{bridge}/forwarding") as f:
            assert f.read().strip() == "0", f"the host still forwards packets arriving on {bridge}"
    code, _ = _sh(a, "ping", "-c", "1", "-W", "2", docker_ip(a2, red))
    assert code == 0, "containers on the same network must still reach each other (bridged, not routed)"
    code, out = _sh(a, "ping", "-c", "1", "-W", "2", docker_ip(b, blue))
    assert code != 0, f"a container on {red} reached {docker_ip(b, blue)} on {blue}: {out}"


@koan(man="docker network connect (--alias)",
      hints=["Create both replicas, connect each to the network with the same alias, then start them.",
             "The embedded DNS answers an alias with every container that carries it: "
             "a round-robin name, the simplest service discovery."],
      needs=["root", "docker", "busybox"])
@pytest.mark.timeout(60)
def test_alias_names_every_replica(docker_client, busybox_image, docker_cleanup, docker_ip):
    """Clients ask for a service ("db"), not a container; the alias is the service's name.
    The engine's DNS answers with the addresses of all replicas that carry it."""
    network, name = _network(docker_client, docker_cleanup, "sd")
    replicas = []
    for _ in range(2):
        box = docker_client.containers.create(busybox_image, ["sleep", "120"],
                                              name=names.unique("db"), labels=docker_cleanup)
        engine.join_with_alias(network, box, "db")
        box.start()
        replicas.append(box)
    client = engine.run_on_network(docker_client, busybox_image, names.unique("cli"), name, docker_cleanup)
    _, out = _sh(client, "nslookup", "db")
    answered = set(re.findall(r"Address: ([\d.]+)", out))
    expected = {docker_ip(r, name) for r in replicas}
    assert answered == expected, \
        f"'db' resolved to {sorted(answered)}; the replicas on {name} are {sorted(expected)}"
