"""By hand: a name for a peer, through a hosts file only one process tree sees."""
from __future__ import annotations

import socket
import subprocess

from kernel_koans import exercise, in_child, koan, linux

bridge = exercise("m02/bridge")
hosts = exercise("m02/hosts")


def _hosts_mounts() -> int:
    """How many mounts sit on /etc/hosts in the test runner's own mount namespace."""
    with open("/proc/self/mountinfo") as info:
        return sum(1 for line in info if line.split()[4] == "/etc/hosts")


@koan(man="hosts(5), mount_namespaces(7), mount(2) (MS_BIND)",
      hints=["The resolver reads /etc/hosts on every lookup: change what that path shows, "
             "for one process only.",
             "unshare(CLONE_NEWNS), make / MS_REC|MS_PRIVATE, then bind-mount your file "
             "over /etc/hosts."],
      needs=["root", "netns"])
def test_private_hosts_file_names_the_peer(net, nsprobe, scratch):
    """A container finds its peers by name because its /etc/hosts (or its DNS) says so.
    Docker bind-mounts a hosts file per container; a private mount keeps it theirs."""
    br = net.bridge("br")
    ns_a, ns_b = net.netns("ha"), net.netns("hb")
    (a_host, a_ns), (b_host, b_ns) = net.veth("ha"), net.veth("hb")
    bridge.plug(ns_a, br, a_host, a_ns, "10.251.1.1/24")
    bridge.plug(ns_b, br, b_host, b_ns, "10.251.1.2/24")
    peer = f"{ns_b}.koans.internal"
    path = scratch / "hosts"
    path.write_text(hosts.hosts_file({peer: "10.251.1.2"}))
    nsprobe.tcp_echo_server(ns_b, "10.251.1.2", 7000)

    def resolve_and_call() -> tuple[str, str, bytes | str]:
        hosts.use_hosts_file(str(path))
        address = socket.gethostbyname(peer)  # glibc's resolver, reading /etc/hosts
        # And a program of its own (no Python of yours in it) that reads /etc/hosts
        # through this process's mount namespace:
        other = subprocess.run(["getent", "hosts", peer], capture_output=True, text=True,
                               timeout=5).stdout.split()[:1]
        return address, "".join(other), nsprobe.tcp_roundtrip(ns_a, peer, 7000, b"by-name")

    before = _hosts_mounts()
    try:
        address, by_getent, got = in_child(resolve_and_call, timeout=15)
    finally:
        spread = _hosts_mounts() - before
        for _ in range(spread):  # the learner's bind propagated to the host: take it back off
            linux.umount2("/etc/hosts", linux.MNT_DETACH)
    assert spread == 0, ("a bind mount on /etc/hosts propagated to the host's mount namespace "
                         "(removed now): make the new namespace's mounts private first")
    assert address == "10.251.1.2", f"glibc resolved {peer} to {address}, not the peer's 10.251.1.2"
    assert by_getent == "10.251.1.2", (
        f"`getent hosts {peer}`, run by the same process after use_hosts_file(), found "
        f"{by_getent or 'nothing'}: its /etc/hosts does not name the peer")
    assert got == b"echo:by-name", f"a client that dialled {peer} by name did not reach it: {got!r}"
    with open("/etc/hosts") as mine:
        seen_here = mine.read()
    assert peer not in seen_here, \
        f"the test runner's own /etc/hosts names {peer}: the bind mount reached the host"
