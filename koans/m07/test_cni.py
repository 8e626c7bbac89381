"""M7 · pod networking with CNI: the real reference plugins, then a plugin of your own.

Your caller (m07/cni.py) runs the containernetworking-plugins `bridge` (with `host-local`
for addresses) as a runtime does; your plugin (m07/cni_plugin.py) must be accepted by the
same caller. The koans look at the result through netlink inside the pod's namespace and
at host-local's reservation files, in a data directory of the koan's own.
"""
from __future__ import annotations

import ipaddress
import random
from pathlib import Path
from typing import Any

from pyroute2 import IPRoute

from kernel_koans import NetFactory, exercise, koan, names
from kernel_koans.child import in_child
from kernel_koans.cni import CNI_PLUGIN_DIR, invoke, python_plugin
from kernel_koans.probe import enter_netns

cni = exercise("m07/cni")
cni_plugin = exercise("m07/cni_plugin")


def addresses_in(ns: str) -> dict[str, list[str]]:
    """In a child inside netns `ns`: every link's IPv4 addresses, by link name ({} if none)."""
    enter_netns(ns)
    with IPRoute() as ipr:
        names_ = {link["index"]: str(link.get_attr("IFLA_IFNAME")) for link in ipr.get_links()}
        out: dict[str, list[str]] = {name: [] for name in names_.values()}
        for addr in ipr.get_addr(family=2):
            out[names_[addr["index"]]].append(f"{addr.get_attr('IFA_ADDRESS')}/{addr['prefixlen']}")
    return out


def mac_in(ns: str, ifname: str) -> str:
    enter_netns(ns)
    with IPRoute() as ipr:
        return str(ipr.get_links(ifname=ifname)[0].get_attr("IFLA_ADDRESS"))


def bridge_network(net: NetFactory, scratch: Path) -> tuple[dict[str, Any], ipaddress.IPv4Network]:
    """A bridge network config: a kk- bridge, a random 10.x.y.0/24, host-local's files in scratch."""
    bridge = names.unique("cni")
    net.adopt_link(bridge)  # the plugin makes it; the koan removes it
    subnet = ipaddress.ip_network(f"10.{random.randrange(64, 250)}.{random.randrange(256)}.0/24")
    return {"cniVersion": "1.0.0", "name": names.unique("net", limit=30), "type": "bridge",
            "bridge": bridge,
            "ipam": {"type": "host-local", "subnet": str(subnet), "dataDir": str(scratch / "ipam")}}, subnet


def reservations(scratch: Path, network: str) -> dict[str, str]:
    """host-local's reservation files: address -> the container id that holds it."""
    folder = scratch / "ipam" / network
    if not folder.is_dir():
        return {}
    return {p.name: p.read_text().split()[0] for p in folder.iterdir()
            if p.name[0].isdigit() and p.read_text().strip()}


def container_id() -> str:
    return f"kk{random.randrange(16**16):016x}"


@koan(man="the CNI spec (SPEC.md: Execution Protocol, Result Types), ip-link(8)",
      hints=["A plugin is a program: which environment variables and which stdin does it read, "
             "and where does its answer come out?",
             "subprocess.run([dir/config['type']], input=json.dumps(config), env={CNI_COMMAND: ADD, "
             "CNI_CONTAINERID, CNI_NETNS: the netns file, CNI_IFNAME, CNI_PATH: the dirs joined "
             "with ':'}); json.loads(stdout). In the result, ips[].interface indexes interfaces[]."],
      needs=["root", "netns", "cni"])
def test_real_bridge_plugin_puts_the_pod_on_a_bridge(net: NetFactory, scratch: Path) -> None:
    """A runtime does not configure pod networking itself: it runs CNI plugins. `bridge` makes
    a veth into the pod, `host-local` picks its address; the runtime reads it from the result."""
    config, subnet = bridge_network(net, scratch)
    ns = net.netns("pod")
    netns, ifname, cid = f"/run/netns/{ns}", f"eth{random.randrange(1, 9)}", container_id()
    result = cni.add(config, cid, netns, ifname, [CNI_PLUGIN_DIR])
    ip = cni.pod_ip(result, ifname, netns)
    seen = in_child(addresses_in, ns)
    assert seen.get(ifname) == [ip], (
        f"netlink in the pod's namespace shows {seen}; the caller reports {ifname} has {ip}")
    assert ipaddress.ip_interface(ip).ip in subnet, f"{ip} is not in the network's subnet {subnet}"
    held_by = reservations(scratch, config["name"])
    assert held_by.get(str(ipaddress.ip_interface(ip).ip)) == cid, (
        f"host-local's reservations {held_by}: the pod's address must be held for container {cid}")


@koan(man="the CNI spec (SPEC.md: CHECK, DEL, prevResult)",
      hints=["CHECK and DEL run the same plugin with another CNI_COMMAND. What does CHECK need "
             "to know about the ADD it checks? And what does a failing plugin print?",
             "CHECK gets ADD's result inside the config as \"prevResult\". A non-zero exit means "
             "failure; stdout then holds {\"code\": …, \"msg\": …}: raise CNIError(code, msg)."],
      needs=["root", "netns", "cni"])
def test_real_plugins_check_and_delete_release_the_address(net: NetFactory, scratch: Path) -> None:
    """The kubelet checks a pod's network and tears it down through the same plugins: DEL
    removes the pod's interface and gives its address back; CHECK fails once it is gone."""
    config, _ = bridge_network(net, scratch)
    ns = net.netns("pod")
    netns, ifname, cid = f"/run/netns/{ns}", "eth0", container_id()
    result = cni.add(config, cid, netns, ifname, [CNI_PLUGIN_DIR])
    cni.check(config, cid, netns, ifname, [CNI_PLUGIN_DIR], result)
    cni.delete(config, cid, netns, ifname, [CNI_PLUGIN_DIR])
    left = in_child(addresses_in, ns)
    held_by = reservations(scratch, config["name"])
    cni.delete(config, cid, netns, ifname, [CNI_PLUGIN_DIR])  # DEL twice: the spec says it succeeds
    try:
        cni.check(config, cid, netns, ifname, [CNI_PLUGIN_DIR], result)
        refused: Any = None
    except cni.CNIError as err:
        refused = err
    assert ifname not in left, f"after DEL the pod's namespace still has {ifname}: {left}"
    assert cid not in held_by.values(), f"after DEL host-local still holds {held_by} for {cid}"
    assert refused is not None and isinstance(refused.code, int) and refused.msg, (
        "CHECK of a deleted pod network must raise CNIError with the plugin's code and message")


def own_network(scratch: Path, version: str) -> tuple[dict[str, Any], str, str]:
    """A config for the learner's plugin, installed as an executable in scratch/bin."""
    kind = names.unique("py", limit=30)
    python_plugin(cni_plugin.path, scratch / "bin", kind)
    address = f"10.{random.randrange(64, 250)}.{random.randrange(256)}.{random.randrange(2, 250)}/24"
    return ({"cniVersion": version, "name": names.unique("own", limit=30),
             "type": kind, "address": address}, str(scratch / "bin"), address)


@koan(man="the CNI spec (SPEC.md: ADD, Result Types), ip-link(8) (dummy)",
      hints=["Your plugin must print a result that your own caller's pod_ip() understands. Which "
             "fields does a result have, and how does an ip point at its interface?",
             "a veth pair; move one end into CNI_NETNS (net_ns_fd), name it CNI_IFNAME, address, up; print "
             "{cniVersion: the config's, interfaces: [host end, {name, mac, sandbox: CNI_NETNS}], ips: "
             "[{address, interface: 1}]} (0.4.0 also wants \"version\": \"4\" in each ip)."],
      needs=["root", "netns"])
def test_own_plugin_add_gives_the_interface_the_caller_reports(net: NetFactory, scratch: Path,
                                                               link_sweep: None) -> None:
    """A plugin is any program that keeps the contract: the caller that ran `bridge` runs yours.
    Its result must say what it did to the kernel: the interface, its MAC, its address."""
    # link_sweep: a plugin whose DEL misses its own interface leaves the host end behind.
    config, bindir, address = own_network(scratch, "0.4.0")  # not the newest: the answer must follow
    ns = net.netns("pod")
    netns, ifname = f"/run/netns/{ns}", f"net{random.randrange(100)}"
    cid = container_id()
    try:
        result = cni.add(config, cid, netns, ifname, [bindir])
        ip = cni.pod_ip(result, ifname, netns)
        seen = in_child(addresses_in, ns)
        kernel_mac = in_child(mac_in, ns, ifname) if ifname in seen else None
    finally:  # the host end goes at once (a deleted netns frees its links only later)
        invoke(Path(bindir) / config["type"], "DEL", config, container_id=cid, netns=netns, ifname=ifname)
    assert seen.get(ifname) == [address], (
        f"netlink in the pod's namespace shows {seen}: {ifname} should have {address}")
    assert ip == address, f"the result gives {ifname} {ip}; the config asked for {address}"
    assert result.get("cniVersion") == config["cniVersion"], (
        f"result cniVersion {result.get('cniVersion')!r}: it must be the config's {config['cniVersion']}")
    iface = next(i for i in result["interfaces"] if i.get("name") == ifname)
    assert iface.get("mac") == kernel_mac, (
        f"the result says {ifname} has MAC {iface.get('mac')}; the kernel says otherwise")


@koan(man="the CNI spec (SPEC.md: DEL, VERSION, Error)",
      hints=["The runtime may call DEL more than once, or for something ADD never finished; "
             "it asks VERSION before anything; and it reads failures from stdout, not stderr.",
             "DEL: succeed (exit 0) when the link or even the netns is not there. VERSION: print "
             "{cniVersion, supportedVersions}. On a bad config: print {cniVersion, code: 7, "
             "msg} and exit 1."],
      needs=["root", "netns"])
def test_own_plugin_keeps_the_protocol(net: NetFactory, scratch: Path, link_sweep: None) -> None:
    """What makes a plugin safe to run from a runtime: DEL is idempotent, VERSION answers,
    and errors are JSON a caller can act on. Checked by the koans' own runner, not your caller."""
    config, bindir, _ = own_network(scratch, "1.0.0")
    exe = Path(bindir) / config["type"]
    ns = net.netns("pod")
    target = {"container_id": container_id(), "netns": f"/run/netns/{ns}", "ifname": "eth0"}
    version = invoke(exe, "VERSION", config).json() or {}
    first_del = invoke(exe, "DEL", config, **target)
    added = invoke(exe, "ADD", config, **target)
    dels = [invoke(exe, "DEL", config, **target).returncode for _ in range(2)]
    left = in_child(addresses_in, ns)
    bad = invoke(exe, "ADD", {k: v for k, v in config.items() if k != "address"}, **target)
    error = bad.json() or {}
    after_bad = in_child(addresses_in, ns)
    assert config["cniVersion"] in version.get("supportedVersions", []), (
        f"VERSION printed {version}: supportedVersions must list {config['cniVersion']}")
    assert first_del.returncode == 0, f"DEL before any ADD exited {first_del.returncode}: it must succeed"
    assert added.returncode == 0, f"ADD failed: {added.stdout} {added.stderr[-300:]}"
    assert dels == [0, 0] and "eth0" not in left, (
        f"DEL twice exited {dels}, links left {sorted(left)}: DEL removes eth0 and succeeds again")
    assert bad.returncode != 0 and isinstance(error.get("code"), int) and error.get("msg"), (
        f"ADD without an address exited {bad.returncode} printing {bad.stdout!r}: a failure must "
        "exit non-zero with {\"code\": <int>, \"msg\": ...} on stdout")
    assert "eth0" not in after_bad, "a failed ADD left eth0 behind"
